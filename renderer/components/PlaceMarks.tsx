import type { ItemRow } from '../../electron/api/index.js';

const MARKS = [
  { key: 'deleted', label: 'deleted', words: 'deleted', count: (p: ItemRow['places']) => p.deleted },
  { key: 'orphan', label: 'orphan', words: 'orphan (its folder is unknown)', count: (p: ItemRow['places']) => p.orphan },
  { key: 'unverified', label: 'not verified', words: 'content not verified (read where deleted metadata points)', count: (p: ItemRow['places']) => p.contentUnverified },
] as const;

/**
 * Where a disk image held the item, marked on its tile or list row: deleted, orphan, content not
 * verified. On a tile the marks lie over the thumbnail but outside the veil, so a blurred,
 * greyscale picture still says it was deleted. With several copies the marks say how many.
 */
export function PlaceMarks({ row }: { row: Pick<ItemRow, 'places' | 'instances'> }) {
  const marks = MARKS.map((m) => ({ ...m, n: m.count(row.places) })).filter((m) => m.n > 0);
  // Rendered when empty too: in the details list it is a column, and rows keep their columns aligned.
  return (
    <div className="place-marks" data-testid="place-marks">
      {marks.map((m) => (
        <span key={m.key} className={`badge place-mark mark-${m.key}`} data-place={m.key}
          title={`${m.words}: ${m.n} of ${row.instances} cop${row.instances === 1 ? 'y' : 'ies'}`}>
          {m.label}{row.instances > 1 ? ` ${m.n}/${row.instances}` : ''}
        </span>
      ))}
    </div>
  );
}
