import { useCallback, useState } from 'react';
import type { TreeNode } from '../../electron/api/index.js';
import { formatCount, useSession, valueOr } from '../session.js';
import { useRemembered } from '../remember.js';

/** What the tree narrows the grid to: a whole exhibit, or everything below one of its nodes. */
export interface TreePlace { exhibitId: number; path: string | null }

const KIND_MARK: Record<TreeNode['kind'], string> = { volume: '⛁', folder: '▭', archive: '▤', orphans: '⌀' };

/**
 * The evidence as the examiner thinks of it: exhibit > volume (partition N (type, offset)) > folders,
 * `$OrphanFiles` and archives (`name!`) among them, with how many files each holds and how many of
 * those are deleted. Levels are asked of the engine when opened, never all at once.
 */
export function EvidenceTree({ exhibits, memo, selected, onSelect }: {
  exhibits: { id: number; label: string }[];
  memo: string;
  selected: TreePlace | null;
  onSelect(place: TreePlace | null): void;
}) {
  const { bridge, report } = useSession();
  const [children, setChildren] = useRemembered<Record<string, TreeNode[]>>(`${memo}.tree.children`, {});
  const [open, setOpen] = useRemembered<Record<string, boolean>>(`${memo}.tree.open`, {});
  const [loading, setLoading] = useState<string | null>(null);

  const toggle = useCallback(async (exhibitId: number, path: string) => {
    const key = `${exhibitId}:${path}`;
    if (open[key]) { setOpen((o) => ({ ...o, [key]: false })); return; }
    if (!children[key]) {
      setLoading(key);
      const nodes = valueOr(await bridge.api.evidenceTree({ exhibitId, parent: path }), report);
      setLoading(null);
      if (!nodes) return;
      setChildren((c) => ({ ...c, [key]: nodes }));
    }
    setOpen((o) => ({ ...o, [key]: true }));
  }, [bridge, report, children, open, setChildren, setOpen]);

  const isSelected = (exhibitId: number, path: string | null) => selected?.exhibitId === exhibitId && selected.path === path;

  const renderLevel = (exhibitId: number, parent: string) => {
    const key = `${exhibitId}:${parent}`;
    if (!open[key]) return null;
    const nodes = children[key] ?? [];
    if (nodes.length === 0) return <div className="tree-empty muted small">no folders</div>;
    return (
      <ul role="group">
        {nodes.map((n) => {
          const k = `${exhibitId}:${n.path}`;
          return (
            <li key={n.path} role="treeitem" aria-expanded={n.hasFolders ? Boolean(open[k]) : undefined} aria-selected={isSelected(exhibitId, n.path)}
              data-kind={n.kind} data-name={n.name}>
              <div className={`tree-row${isSelected(exhibitId, n.path) ? ' selected' : ''}`}>
                <button type="button" className="tree-toggle" disabled={!n.hasFolders} aria-label={`${open[k] ? 'Close' : 'Open'} ${n.name}`}
                  onClick={() => void toggle(exhibitId, n.path)}>{n.hasFolders ? (loading === k ? '…' : open[k] ? '▾' : '▸') : ''}</button>
                <button type="button" className="tree-label" title={n.name} onClick={() => onSelect({ exhibitId, path: n.path })}>
                  <span className={`tree-kind kind-${n.kind}`} aria-hidden>{KIND_MARK[n.kind]}</span> {n.name}
                </button>
                <span className="tree-count small muted">{formatCount(n.files)}</span>
                {n.deleted > 0 && <span className="badge badge-deleted" title={`${n.deleted} deleted`}>{formatCount(n.deleted)} del</span>}
              </div>
              {renderLevel(exhibitId, n.path)}
            </li>
          );
        })}
      </ul>
    );
  };

  return (
    <nav className="tree" aria-label="Evidence tree">
      <div className="tree-head">
        <strong>Evidence</strong>
        {selected && <button type="button" className="link small" onClick={() => onSelect(null)}>show all</button>}
      </div>
      <ul role="tree">
        {exhibits.map((x) => (
          <li key={x.id} role="treeitem" aria-expanded={Boolean(open[`${x.id}:`])} aria-selected={isSelected(x.id, null)} data-kind="exhibit" data-name={x.label}>
            <div className={`tree-row${isSelected(x.id, null) ? ' selected' : ''}`}>
              <button type="button" className="tree-toggle" aria-label={`${open[`${x.id}:`] ? 'Close' : 'Open'} ${x.label}`}
                onClick={() => void toggle(x.id, '')}>{loading === `${x.id}:` ? '…' : open[`${x.id}:`] ? '▾' : '▸'}</button>
              <button type="button" className="tree-label" onClick={() => onSelect({ exhibitId: x.id, path: null })}><strong>{x.label}</strong></button>
            </div>
            {renderLevel(x.id, '')}
          </li>
        ))}
      </ul>
    </nav>
  );
}
