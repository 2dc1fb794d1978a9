import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { GroupDetail, GroupSummary } from '../../electron/api/index.js';
import { formatBytes, formatCount, useSession, valueOr } from '../session.js';
import { categoryKeys, categoryLabel, decisionText, isAlert } from '../categories.js';
import { Thumb } from '../components/Thumb.js';
import { Viewer } from '../components/Viewer.js';
import { Compare, type CompareTarget } from '../components/Compare.js';
import { useRemembered } from '../remember.js';

const LIMIT = 200;
type GroupSort = 'id' | 'size' | 'hits';

/**
 * Near-duplicate groups: each listed with its representative's thumbnail, size and hits; a group's
 * members shown with their distance to the representative (every two members are within the
 * threshold: groups never chain). A member is focused by click or arrows, revealed with R, opened in
 * the viewer with Enter, categorised on its own with a number key; the whole group from the bar.
 */
export function GroupsScreen() {
  const { bridge, info, report, refresh } = useSession();
  const categories = useMemo(() => info.case?.categories ?? [], [info.case]);
  const keys = useMemo(() => categoryKeys(categories), [categories]);
  const caseKey = info.case?.caseUuid ?? '';
  const [groups, setGroups] = useState<{ total: number; groups: GroupSummary[] }>({ total: 0, groups: [] });
  const [offset, setOffset] = useRemembered(`groups.offset.${caseKey}`, 0);
  const [sort, setSort] = useRemembered<GroupSort>(`groups.sort.${caseKey}`, 'id');
  const [openId, setOpenId] = useRemembered<number | null>(`groups.open.${caseKey}`, null);
  const [open, setOpen] = useState<GroupDetail | null>(null);
  const openRef = useRef<number | null>(null);
  const membersRef = useRef<HTMLDivElement>(null);
  const [focus, setFocus] = useState(0);
  const [revealed, setRevealed] = useState<Set<number>>(new Set());
  const [viewing, setViewing] = useState<number | null>(null);
  const [comparing, setComparing] = useState<CompareTarget | null>(null);

  const load = useCallback(async () => {
    const r = valueOr(await bridge.api.listGroups({ offset, limit: LIMIT, sort }), report);
    if (r) setGroups(r);
  }, [bridge, report, offset, sort]);
  useEffect(() => { void load(); }, [load]);

  const show = useCallback(async (groupId: number) => {
    const r = valueOr(await bridge.api.getGroup({ groupId }), report);
    if (!r) return;
    // Another group: focus and reveals start afresh; the same group reloaded keeps them.
    if (openRef.current !== r.id) { setFocus(0); setRevealed(new Set()); }
    openRef.current = r.id;
    setOpen(r);
    setOpenId(r.id);
  }, [bridge, report, setOpenId]);
  useEffect(() => { if (openId !== null && open === null) void show(openId); }, [openId, open, show]);

  const afterDecision = async (message: string) => {
    report(message);
    if (open) await show(open.id);
    await load();
    await refresh();
  };

  const categoriseGroup = async (code: string) => {
    if (!open) return;
    const r = valueOr(await bridge.api.categorise({ contentIds: open.members.map((m) => m.id), category: code, via: 'group' }), report);
    if (r) await afterDecision(`Group ${open.id}: ${r.decisionIds.length} item(s) → ${code}`);
  };

  const categoriseMember = async (member: { id: number; sha256: string }, code: string) => {
    const r = valueOr(await bridge.api.categorise({ contentIds: [member.id], expectSha256: [member.sha256], category: code, via: 'keyboard' }), report);
    if (r) await afterDecision(`1 item → ${categoryLabel(categories, code)}`);
  };

  // The engine's undo, per examiner and case: the examiner's latest action, whichever screen took it.
  const undoLast = async () => {
    const r = valueOr(await bridge.api.undoLast({}), report);
    if (!r) return;
    report(`Undone (${r.via}, ${r.contentIds.length} item(s)): ${r.restored} restored, ${r.withdrawn} back to uncategorised`);
    if (open) await show(open.id);
    await load();
    await refresh();
  };
  const redoLast = async () => {
    const r = valueOr(await bridge.api.redoLast({}), report);
    if (!r) return;
    report(`Redone (${r.via}, ${r.redone} item(s))`);
    if (open) await show(open.id);
    await load();
    await refresh();
  };

  const members = open?.members ?? [];
  const focused = members[Math.min(focus, members.length - 1)];
  const toggleReveal = (id: number) => setRevealed((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });

  /** The focused member beside the representative (the representative itself beside the nearest other member). */
  const compareFocused = () => {
    if (!open || !focused) return;
    const other = focused.id !== open.representative && open.representative !== null
      ? open.representative
      : members.find((m) => m.id !== focused.id)?.id;
    if (other !== undefined) setComparing({ kind: 'items', a: focused.id, b: other });
  };

  // The same keys as the catalogue: U or Ctrl+Z undoes, Shift+U, Ctrl+Shift+Z or Ctrl+Y redoes.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const ctrl = e.ctrlKey || e.metaKey;
    if ((ctrl && e.key.toLowerCase() === 'z' && e.shiftKey) || (ctrl && e.key === 'y') || e.key === 'U') { e.preventDefault(); void redoLast(); return; }
    if ((ctrl && e.key === 'z') || e.key === 'u') { e.preventDefault(); void undoLast(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey || !focused) return;
    const mapped = keys.find((k) => k.key === e.key);
    if (mapped) { e.preventDefault(); void categoriseMember(focused, mapped.category.code); return; }
    switch (e.key) {
      case 'ArrowRight': case 'ArrowDown': setFocus((f) => Math.min(members.length - 1, f + 1)); break;
      case 'ArrowLeft': case 'ArrowUp': setFocus((f) => Math.max(0, f - 1)); break;
      case 'r': toggleReveal(focused.id); break;
      case 'c': case 'C': compareFocused(); break;
      case 'Enter': setViewing(focused.id); break;
      default: return;
    }
    e.preventDefault();
  };

  return (
    <div className="screen">
      <h1>Near-duplicate groups</h1>
      <div className="columns">
        <section className="panel side" aria-label="Groups">
          <div className="group-list-head">
            <h2>{formatCount(groups.total)} group{groups.total === 1 ? '' : 's'}</h2>
            <label className="select">
              <span>Sort</span>
              <select name="groupSort" value={sort} onChange={(e) => { setSort(e.target.value as GroupSort); setOffset(0); }}>
                <option value="id">As found</option>
                <option value="size">Largest first</option>
                <option value="hits">Most hits first</option>
              </select>
            </label>
          </div>
          {groups.total === 0 && <p className="muted">No groups. Run matching (Hash lists) to group near-duplicates by perceptual hash.</p>}
          <ul className="group-list">
            {groups.groups.map((g) => (
              <li key={g.id}>
                <button type="button" className={`group-item${open?.id === g.id ? ' active' : ''}`} onClick={() => void show(g.id)} data-group-id={g.id}>
                  {g.representative !== null && (
                    <Thumb contentId={g.representative} hasThumbnail={g.representativeHasThumbnail} revealed={false} type="" />
                  )}
                  <span className="group-item-text">
                    <span>Group {g.id} {g.hits > 0 && <span className="badge badge-alert" data-testid="group-hits">{g.hits} HIT</span>}</span>
                    <span className="muted small" data-testid="group-facts">{g.size} items · {g.categorised} categorised · ≤ {g.maxDistance} bits from the representative</span>
                  </span>
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
              <h2>Group {open.id} <span className="muted small">{open.size} items · {open.algorithm}: every two members within {open.threshold} bits{open.extraThreshold !== null ? `, or ${open.extraThreshold} through an extra hash (trimmed or crop)` : ''}</span></h2>
              <div className="bulkbar">
                <span>Categorise the whole group:</span>
                {keys.map((k) => (
                  <button key={k.key} type="button" className={k.category.alert ? 'alert' : ''} onClick={() => void categoriseGroup(k.category.code)} title={k.category.label}>
                    {k.category.code} · {k.category.label}
                  </button>
                ))}
              </div>
              <p className="muted small">One member: click it, then a number key; <kbd>R</kbd> reveals it, <kbd>Enter</kbd> opens it in the viewer, <kbd>C</kbd> compares it with the representative, <kbd>U</kbd> undoes, <kbd>Shift U</kbd> redoes.</p>
              <div className="member-grid" ref={membersRef} tabIndex={0} onKeyDown={onKeyDown} aria-label="Members" data-testid="members">
                {members.map((m, i) => (
                  <div key={m.id} className={`tile${i === focus ? ' focused' : ''}`} data-content-id={m.id}
                    data-representative={m.id === open.representative ? 'yes' : 'no'}
                    onClick={() => { setFocus(i); membersRef.current?.focus(); }} onDoubleClick={() => setViewing(m.id)}>
                    <Thumb contentId={m.id} hasThumbnail={m.hasThumbnail} revealed={revealed.has(m.id)} type={m.type} />
                    <div className="tile-name" title={m.name}>{m.name}</div>
                    <div className="tile-meta">
                      <span>{formatBytes(m.size)}</span>
                      {m.id === open.representative
                        ? <span className="badge" title="every other member is within the threshold of this one">representative</span>
                        : <span className="badge" data-testid="rep-distance" title="distance to the group's representative">d {m.distance ?? '?'}</span>}
                      {m.matched === 'alert' && <span className="badge badge-alert">HIT</span>}
                      <span className={`badge badge-cat${isAlert(categories, m.category) ? ' alert' : ''}${m.category === null && m.otherScheme ? ' old-scheme' : ''}`}
                        data-category={m.category ?? ''} data-other-scheme={m.category === null ? m.otherScheme?.scheme : undefined}>{decisionText(m.category, m.otherScheme) ?? '—'}</span>
                    </div>
                  </div>
                ))}
              </div>
            </>
          )}
        </section>
      </div>
      {viewing !== null && <Viewer contentId={viewing} onClose={() => { setViewing(null); membersRef.current?.focus(); }} />}
      {comparing !== null && <Compare target={comparing} onClose={() => { setComparing(null); membersRef.current?.focus(); }} />}
    </div>
  );
}
