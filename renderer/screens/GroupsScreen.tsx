import { useCallback, useEffect, useMemo, useState } from 'react';
import type { GroupDetail, GroupSummary } from '../../electron/api/index.js';
import { formatBytes, formatCount, useSession, valueOr } from '../session.js';
import { categoryKeys, isAlert } from '../categories.js';
import { Thumb } from '../components/Thumb.js';

const LIMIT = 200;

export function GroupsScreen() {
  const { bridge, info, report, refresh } = useSession();
  const categories = useMemo(() => info.case?.categories ?? [], [info.case]);
  const keys = useMemo(() => categoryKeys(categories), [categories]);
  const [groups, setGroups] = useState<{ total: number; groups: GroupSummary[] }>({ total: 0, groups: [] });
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<GroupDetail | null>(null);

  const load = useCallback(async () => {
    const r = valueOr(await bridge.api.listGroups({ offset, limit: LIMIT }), report);
    if (r) setGroups(r);
  }, [bridge, report, offset]);
  useEffect(() => { void load(); }, [load]);

  const show = async (groupId: number) => {
    const r = valueOr(await bridge.api.getGroup({ groupId }), report);
    if (r) setOpen(r);
  };

  const categoriseGroup = async (code: string) => {
    if (!open) return;
    const r = valueOr(await bridge.api.categorise({ contentIds: open.members.map((m) => m.id), category: code, via: 'group' }), report);
    if (!r) return;
    report(`Group ${open.id}: ${r.decisionIds.length} item(s) → ${code}`);
    await show(open.id);
    await load();
    await refresh();
  };

  return (
    <div className="screen">
      <h1>Near-duplicate groups</h1>
      <div className="columns">
        <section className="panel side" aria-label="Groups">
          <h2>{formatCount(groups.total)} group{groups.total === 1 ? '' : 's'}</h2>
          {groups.total === 0 && <p className="muted">No groups. Run matching (Hash lists) to group near-duplicates by perceptual hash.</p>}
          <ul className="group-list">
            {groups.groups.map((g) => (
              <li key={g.id}>
                <button type="button" className={`group-item${open?.id === g.id ? ' active' : ''}`} onClick={() => void show(g.id)}>
                  <span>Group {g.id}</span>
                  <span className="muted small">{g.size} items · {g.categorised} categorised · ≤ {g.maxDistance} bits</span>
                </button>
              </li>
            ))}
          </ul>
          {groups.total > LIMIT && (
            <div className="pager">
              <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - LIMIT))}>Previous</button>
              <button type="button" disabled={offset + LIMIT >= groups.total} onClick={() => setOffset(offset + LIMIT)}>Next</button>
            </div>
          )}
        </section>
        <section className="panel grow" aria-label="Group members">
          {!open ? <p className="muted">Choose a group.</p> : (
            <>
              <h2>Group {open.id} <span className="muted small">{open.size} items · {open.algorithm} within {open.threshold} bits</span></h2>
              <div className="bulkbar">
                <span>Categorise the whole group:</span>
                {keys.map((k) => (
                  <button key={k.key} type="button" className={k.category.alert ? 'alert' : ''} onClick={() => void categoriseGroup(k.category.code)} title={k.category.label}>
                    {k.category.code} · {k.category.label}
                  </button>
                ))}
              </div>
              <div className="member-grid">
                {open.members.map((m) => (
                  <div key={m.id} className="tile" data-content-id={m.id}>
                    <Thumb contentId={m.id} hasThumbnail={m.hasThumbnail} revealed={false} type={m.type} />
                    <div className="tile-name" title={m.name}>{m.name}</div>
                    <div className="tile-meta">
                      <span>{formatBytes(m.size)}</span>
                      <span className="badge" title="distance to its nearest group member">d {m.distance}</span>
                      <span className={`badge badge-cat${isAlert(categories, m.category) ? ' alert' : ''}`}>{m.category ?? '—'}</span>
                    </div>
                  </div>
                ))}
              </div>
            </>
          )}
        </section>
      </div>
    </div>
  );
}
