/**
 * Where a disk image or an archive put an entry, as the examiner reads and filters it: the columns
 * of migrations 0005 and 0008 turned into words (one list for the item detail, the report, the
 * CSV and CASE/UCO), and the same notions as SQL conditions on a file_instance row for the grid's
 * "Where" filter. Live folder files have none of them.
 */
export interface FlagColumns {
  deleted: number;
  meta_reallocated: number;
  orphan: number;
  alt_stream: number;
  content_unverified: number;
  archive_depth: number;
  encrypted: number;
  slack: number;
}

/** The columns entryFlags reads, for a SELECT on file_instance aliased `alias`. */
export function flagColumns(alias: string): string {
  return ['deleted', 'meta_reallocated', 'orphan', 'alt_stream', 'content_unverified', 'archive_depth', 'encrypted', 'slack']
    .map((c) => `${alias}.${c}`).join(', ');
}

export function entryFlags(r: FlagColumns): string[] {
  return [
    r.deleted ? 'deleted' : null, r.meta_reallocated ? 'metadata reallocated' : null, r.orphan ? 'orphan' : null,
    r.alt_stream ? 'alternate data stream' : null, r.content_unverified ? 'content not verified' : null,
    r.archive_depth > 0 ? 'in archive' : null, r.encrypted ? 'encrypted' : null, r.slack ? 'file slack' : null,
  ].filter((x): x is string => x !== null);
}

/** The grid's "Where" choices. allocated: a name the file system still holds (neither deleted nor orphan). */
export const PLACE_FILTERS = ['allocated', 'deleted', 'orphan', 'inArchive', 'contentUnverified'] as const;
export type PlaceFilter = (typeof PLACE_FILTERS)[number];

/** The condition on file_instance `u` for each choice; fixed fragments, no examiner text in them. */
export const PLACE_CONDITION: Record<PlaceFilter, string> = {
  allocated: 'u.deleted = 0 AND u.orphan = 0',
  deleted: 'u.deleted = 1',
  orphan: 'u.orphan = 1',
  inArchive: 'u.archive_parent IS NOT NULL',
  contentUnverified: 'u.content_unverified = 1',
};
