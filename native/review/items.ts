import type { Db } from '../catalog/sqlite.js';
import { displayPath } from '../util/pathBytes.js';
import { caseScheme } from './decisions.js';
import { belowRange } from './evidenceTree.js';
import { PLACE_CONDITION, type PlaceFilter } from '../catalog/entryFlags.js';

/**
 * The review grid's queries over the catalogue: one row a unique content (what is categorised),
 * with how many file instances carry it. Filters and sorts are chosen from fixed SQL fragments
 * below; every value the examiner supplies is a bound parameter.
 */

export interface ItemFilter {
  matched?: 'any' | 'alert' | 'known' | 'none';
  category?: string;
  fileType?: string;
  exhibitId?: number;
  hashListId?: number;
  hasGps?: boolean;
  errors?: boolean;
  tag?: string;
  /** true: contents the lab library has seen in another case (exact or near-duplicate); false: the others. */
  seenElsewhere?: boolean;
  /** A name or path fragment, or the start of an MD5, SHA-1, SHA-256 or PDQ hash (hex, 4 digits or more). */
  search?: string;
  /** Where the file was: allocated, deleted, orphan, in an archive, content not verified. */
  place?: PlaceFilter;
  /** Below a node of the evidence tree: the exhibit and the node's raw path as hex. */
  under?: { exhibitId: number; path: string };
}

export interface ItemSort {
  key: 'id' | 'size' | 'type' | 'category' | 'name' | 'path' | 'mtime' | 'taken' | 'distance';
  dir: 'asc' | 'desc';
}

export interface ItemRow {
  id: number;
  sha256: string;
  md5: string;
  size: number;
  type: string;
  name: string;
  instances: number;
  category: string | null;
  /** alert: hit on a list of concern; known: only on known-file lists; null: no hit. */
  matched: 'alert' | 'known' | null;
  hasThumbnail: boolean;
  hasGps: boolean;
  error: boolean;
  /** The first file instance's path, as text. */
  path: string;
  /** The category a list of concern gave on its nearest match (a precategorisation, not a decision). */
  listCategory: string | null;
  /** Modification time of the first file instance; when the picture was taken (EXIF), as the camera wrote it. */
  mtime: string | null;
  taken: string | null;
  /** The current decision when it was made in a scheme the case no longer uses (category is then null): never shown as uncategorised. */
  otherScheme: { category: string; scheme: string } | null;
  /** How many other cases of the lab library hold it (exact or near-duplicate) as of the last match; 0 when none. */
  otherCases: number;
  /** How many of its file instances (of `instances`) a disk image holds deleted, orphaned (no parent folder) or with content not verified. */
  places: { deleted: number; orphan: number; contentUnverified: number };
}

const OTHER_SCHEME =
  '(SELECT json_array(d.category, d.scheme) FROM category_decision d WHERE d.content_id = c.id AND d.superseded_by IS NULL AND d.scheme != @scheme ORDER BY d.id DESC LIMIT 1)';
const CURRENT_CATEGORY =
  '(SELECT d.category FROM category_decision d WHERE d.content_id = c.id AND d.superseded_by IS NULL AND d.scheme = @scheme ORDER BY d.id DESC LIMIT 1)';
// Written to match the partial indexes of migration 0004 word for word, so SQLite can use them.
const HAS_GPS = "c.id IN (SELECT g.content_id FROM image_data g WHERE json_extract(g.exif, '$.gps') IS NOT NULL)";
const HAS_ERROR =
  '(c.id IN (SELECT e.content_id FROM image_data e WHERE e.decode_error IS NOT NULL) OR c.id IN (SELECT fe.content_id FROM file_instance fe WHERE fe.error IS NOT NULL))';
// Per row (for the page) the EXISTS forms; as filters over a million rows the IN forms, which
// SQLite evaluates once against the much smaller hash_match table.
// A video matched by vPDQ (video_match) is a hit like a picture matched by its hashes.
const ANY_MATCH = '(EXISTS (SELECT 1 FROM hash_match m WHERE m.content_id = c.id) OR EXISTS (SELECT 1 FROM video_match vm WHERE vm.content_id = c.id))';
const ALERT_MATCH = '(EXISTS (SELECT 1 FROM hash_match m WHERE m.content_id = c.id AND m.known = 0) OR EXISTS (SELECT 1 FROM video_match vm WHERE vm.content_id = c.id AND vm.known = 0))';
const IN_ANY_MATCH = '(c.id IN (SELECT m.content_id FROM hash_match m) OR c.id IN (SELECT vm.content_id FROM video_match vm))';
const IN_ALERT_MATCH = '(c.id IN (SELECT m.content_id FROM hash_match m WHERE m.known = 0) OR c.id IN (SELECT vm.content_id FROM video_match vm WHERE vm.known = 0))';
const IN_LAB_MATCH = 'c.id IN (SELECT l.content_id FROM lab_match l)';

const both = (expr: string): Record<ItemSort['dir'], string> => ({ asc: `${expr} ASC NULLS LAST, c.id ASC`, desc: `${expr} DESC NULLS LAST, c.id DESC` });

/**
 * Sorts an index on content serves (migration 0014 keeps name, path, modified, taken and distance
 * there): a page is read from the index, after the last row the examiner has (keyset) or at an
 * offset counted in the index, never by computing a key for every row. Contents without the key
 * (no EXIF date, no match) come last in both directions.
 */
const KEYED: Partial<Record<ItemSort['key'], { column: string; nullable: boolean }>> = {
  size: { column: 'c.size', nullable: false },
  type: { column: 'c.detected_type', nullable: false },
  name: { column: 'c.sort_name', nullable: true },
  path: { column: 'c.sort_path', nullable: true },
  mtime: { column: 'c.sort_mtime', nullable: true },
  taken: { column: 'c.sort_taken', nullable: true },
  distance: { column: 'c.sort_distance', nullable: true },
};

const SORTS: Record<ItemSort['key'], Record<ItemSort['dir'], string>> = {
  id: { asc: 'c.id ASC', desc: 'c.id DESC' },
  size: { asc: 'c.size ASC, c.id ASC', desc: 'c.size DESC, c.id DESC' },
  type: { asc: 'c.detected_type ASC, c.id ASC', desc: 'c.detected_type DESC, c.id DESC' },
  // A per-row subquery (decisions change too often to keep a key): narrow with filters first.
  category: both(CURRENT_CATEGORY),
  name: both('c.sort_name'),
  path: both('c.sort_path'),
  mtime: both('c.sort_mtime'),
  taken: both('c.sort_taken'),
  distance: both('c.sort_distance'),
};

/** Where a page starts: just after (or just before) a row the examiner already has, named by its content id. */
export interface PageCursor {
  after?: number;
  before?: number;
}

interface Built {
  /** FROM and WHERE, binding content as c. */
  from: string;
  /** FROM and the filter's conditions apart, for adding a page's own. */
  base: string;
  clauses: string[];
  /** GROUP BY that keeps one row a content when an exhibit's instances drive the query ('' otherwise). */
  group: string;
  /** The content id as the driving index yields it: ordering by it needs no sort. */
  id: string;
  params: Record<string, unknown>;
}

// An exhibit's instances, read from the index (exhibit_id, content_id), drive the query: they come
// in content-id order, so a page in intake order stops after its rows instead of first listing
// every content of the exhibit (as `c.id IN (...)` does: 60-190 ms for a 333k-item exhibit, against
// under 1 ms for the first page), and an exhibit with few files never walks the whole catalogue
// (as EXISTS would). GROUP BY folds the instances of one content into one row.
const EXHIBIT_FROM = 'FROM file_instance fx CROSS JOIN content c ON c.id = fx.content_id';

/**
 * The filter as SQL. driveByContent: content drives the query even for an exhibit (its files
 * become a membership test), so a sort index on content can give the order.
 */
function buildWhere(db: Db, filter: ItemFilter, driveByContent = false): Built {
  const clauses: string[] = [];
  const params: Record<string, unknown> = { scheme: caseScheme(db) };
  const exhibitDriven = filter.exhibitId !== undefined && !driveByContent;
  if (filter.exhibitId !== undefined) {
    clauses.push(exhibitDriven ? 'fx.exhibit_id = @exhibitId' : 'c.id IN (SELECT fx.content_id FROM file_instance fx WHERE fx.exhibit_id = @exhibitId)');
    params['exhibitId'] = filter.exhibitId;
  }
  if (filter.matched === 'any') clauses.push(IN_ANY_MATCH);
  if (filter.matched === 'alert') clauses.push(IN_ALERT_MATCH);
  if (filter.matched === 'known') clauses.push(`${IN_ANY_MATCH} AND NOT ${IN_ALERT_MATCH}`);
  if (filter.matched === 'none') clauses.push(`NOT ${IN_ANY_MATCH}`);
  // No current decision in any scheme (a decision's category is never NULL; one made in a scheme the
  // case no longer uses is a decision, listed apart as 'other-scheme'). As NOT IN, SQLite lists the
  // current decisions once instead of looking up each content's latest one: the count of 950k
  // uncategorised items in the 1M bench case takes 275-350 ms instead of 490-550 ms.
  if (filter.category === 'none') {
    clauses.push('c.id NOT IN (SELECT d.content_id FROM category_decision d WHERE d.superseded_by IS NULL)');
  } else if (filter.category === 'other-scheme') {
    clauses.push('c.id IN (SELECT d.content_id FROM category_decision d WHERE d.superseded_by IS NULL AND d.scheme != @scheme)');
  } else if (filter.category !== undefined) {
    clauses.push(
      'c.id IN (SELECT d.content_id FROM category_decision d WHERE d.superseded_by IS NULL AND d.category = @category AND d.scheme = @scheme)',
    );
    params['category'] = filter.category;
  }
  if (filter.fileType !== undefined) {
    clauses.push('c.detected_type = @fileType');
    params['fileType'] = filter.fileType;
  }
  if (filter.hashListId !== undefined) {
    clauses.push('c.id IN (SELECT m.content_id FROM hash_match m WHERE m.use_id = @hashListId)');
    params['hashListId'] = filter.hashListId;
  }
  if (filter.hasGps !== undefined) clauses.push(filter.hasGps ? HAS_GPS : `NOT ${HAS_GPS}`);
  if (filter.errors !== undefined) clauses.push(filter.errors ? HAS_ERROR : `NOT ${HAS_ERROR}`);
  if (filter.seenElsewhere !== undefined) clauses.push(filter.seenElsewhere ? IN_LAB_MATCH : `NOT ${IN_LAB_MATCH}`);
  if (filter.tag !== undefined) {
    clauses.push('c.id IN (SELECT t.content_id FROM tag t WHERE t.tag = @tag)');
    params['tag'] = filter.tag;
  }
  // One file instance must satisfy both: "deleted below this folder", not a deleted copy elsewhere.
  const instance: string[] = [];
  if (filter.place !== undefined) instance.push(PLACE_CONDITION[filter.place]);
  if (filter.under !== undefined) {
    const { lo, hi } = belowRange(Buffer.from(filter.under.path, 'hex'));
    instance.push('u.exhibit_id = @underExhibit AND u.path >= @underLo AND u.path < @underHi');
    Object.assign(params, { underExhibit: filter.under.exhibitId, underLo: lo, underHi: hi });
  }
  if (instance.length) clauses.push(`c.id IN (SELECT u.content_id FROM file_instance u WHERE ${instance.join(' AND ')})`);
  const search = filter.search?.trim();
  if (search) {
    // A hash prefix is a range on the indexed hash columns; a name or path fragment is looked for
    // in every path (a scan of file_instance; no index serves a substring).
    const parts = ['c.id IN (SELECT s.content_id FROM file_instance s WHERE instr(lower(s.path_text), @searchText) > 0)'];
    params['searchText'] = search.toLowerCase();
    if (/^[0-9a-fA-F]{4,64}$/.test(search)) {
      params['hashLo'] = search.toLowerCase();
      params['hashHi'] = `${search.toLowerCase()}g`;
      parts.push('(c.md5 >= @hashLo AND c.md5 < @hashHi)', '(c.sha1 >= @hashLo AND c.sha1 < @hashHi)', '(c.sha256 >= @hashLo AND c.sha256 < @hashHi)',
        'c.id IN (SELECT p.content_id FROM image_data p WHERE p.pdq >= @hashLo AND p.pdq < @hashHi)');
    }
    clauses.push(`(${parts.join(' OR ')})`);
  }
  const base = exhibitDriven ? EXHIBIT_FROM : 'FROM content c';
  return {
    from: withConditions(base, clauses),
    base,
    clauses,
    group: exhibitDriven ? 'GROUP BY fx.content_id' : '',
    id: exhibitDriven ? 'fx.content_id' : 'c.id',
    params,
  };
}

function withConditions(base: string, conditions: readonly string[]): string {
  return conditions.length ? `${base} WHERE ${conditions.join(' AND ')}` : base;
}

export function countItems(db: Db, filter: ItemFilter): number {
  const { from, group, params } = buildWhere(db, filter);
  const row = db.prepare(`SELECT count(*) AS n FROM (SELECT c.id ${from} ${group})`).get(params) as { n: number };
  return row.n;
}

/** Those of `contentIds` the filter does not show, in the order given. */
export function contentsOutside(db: Db, filter: ItemFilter, contentIds: readonly number[]): number[] {
  const { from, group, params } = buildWhere(db, filter);
  const inside = db.prepare(`SELECT id FROM (SELECT c.id AS id ${from} ${group}) WHERE id IN (SELECT value FROM json_each(@ids))`)
    .all({ ...params, ids: JSON.stringify(contentIds) }) as { id: number }[];
  const shown = new Set(inside.map((r) => r.id));
  return contentIds.filter((id) => !shown.has(id));
}

interface RawRow {
  id: number;
  sha256: string;
  md5: string;
  size: number;
  detected_type: string;
  path: Buffer | null;
  instances: number;
  category: string | null;
  alert: number;
  matched: number;
  thumbnail: string | null;
  gps: number;
  error: number;
  list_category: string | null;
  mtime: string | null;
  taken: string | null;
  other_scheme: string | null;
  other_cases: number;
  places: string;
}

/** The columns of a grid row, from content c and its image_data i. */
const ROW_COLUMNS = `SELECT c.id, c.sha256, c.md5, c.size, c.detected_type,
      (SELECT f.path FROM file_instance f WHERE f.content_id = c.id ORDER BY f.id LIMIT 1) AS path,
      (SELECT count(*) FROM file_instance f WHERE f.content_id = c.id) AS instances,
      ${CURRENT_CATEGORY} AS category,
      ${ALERT_MATCH} AS alert,
      ${ANY_MATCH} AS matched,
      coalesce(i.thumbnail, (SELECT v.contact_sheet FROM video_data v WHERE v.content_id = c.id)) AS thumbnail,
      ${HAS_GPS} AS gps,
      ${HAS_ERROR} AS error,
      (SELECT m.category FROM hash_match m WHERE m.content_id = c.id AND m.known = 0 AND m.category IS NOT NULL ORDER BY m.distance, m.id LIMIT 1) AS list_category,
      c.sort_mtime AS mtime,
      json_extract(i.exif, '$.dateTimeOriginal') AS taken,
      ${OTHER_SCHEME} AS other_scheme,
      (SELECT count(DISTINCT l.case_uuid) FROM lab_match l WHERE l.content_id = c.id) AS other_cases,
      (SELECT json_array(coalesce(sum(f.deleted), 0), coalesce(sum(f.orphan), 0), coalesce(sum(f.content_unverified), 0))
        FROM file_instance f WHERE f.content_id = c.id) AS places`;

export function queryItems(db: Db, filter: ItemFilter, sort: ItemSort, offset: number, limit: number, cursor: PageCursor = {}): ItemRow[] {
  const keyed = KEYED[sort.key];
  if (keyed) return rowsInOrder(db, keyedPage(db, buildWhere(db, filter, true), keyed, sort.dir, offset, limit, cursor));
  const built = buildWhere(db, filter);
  const { group, id, params } = built;
  let from = built.from;
  const bounds: Record<string, unknown> = {};
  if (sort.key === 'id' && (cursor.after !== undefined || cursor.before !== undefined)) {
    // Intake order: the id itself is the key, and the driving index seeks to it.
    const forward = cursor.after !== undefined;
    const ascending = (sort.dir === 'asc') === forward;
    from = withConditions(built.base, [...built.clauses, `${id} ${ascending ? '>' : '<'} @cursorId`]);
    bounds['cursorId'] = forward ? cursor.after : cursor.before;
    const sql = `SELECT ${id} AS id ${from} ${group} ORDER BY ${id} ${ascending ? 'ASC' : 'DESC'} LIMIT @limit`;
    const ids = (db.prepare(sql).all({ ...params, ...bounds, limit }) as { id: number }[]).map((r) => r.id);
    return rowsInOrder(db, forward ? ids : ids.reverse());
  }
  // Named as the driving index names it, or SQLite sorts the whole exhibit to order by c.id.
  const pageOrder = sort.key === 'id' ? `${id} ${sort.dir.toUpperCase()}` : SORTS[sort.key][sort.dir];
  // The per-row columns are computed only for the page, after the sort and offset have chosen it.
  // CROSS JOIN fixes the join order (SQLite's rule): without it the planner may walk all of content
  // in id order to spare itself sorting 240 rows.
  const sql = `
    WITH page AS (SELECT c.id AS id ${from} ${group} ORDER BY ${pageOrder} LIMIT @limit OFFSET @offset)
    ${ROW_COLUMNS}
    FROM page CROSS JOIN content c ON c.id = page.id LEFT JOIN image_data i ON i.content_id = c.id
    ORDER BY ${SORTS[sort.key][sort.dir]}`;
  const rows = db.prepare(sql).all({ ...params, limit, offset }) as RawRow[];
  return rows.map(toItemRow);
}

/** One run of the order: rows meeting a condition, in an order an index gives. */
interface Segment {
  where: string;
  order: string;
}

/**
 * The content ids of a page in a keyed order. The order is: contents with a key by (key, id), then
 * those without by id, both reversed for 'desc'. From a cursor the page is read as runs an index
 * serves directly: the cursor's ties past its id, then the keys beyond it, then the contents
 * without a key (a row-value comparison would not seek past a million equal keys). At an offset,
 * the index counts it off; the contents without a key are counted apart only when the page reaches them.
 */
function keyedPage(db: Db, built: Built, keyed: { column: string; nullable: boolean }, dir: ItemSort['dir'], offset: number, limit: number, cursor: PageCursor): number[] {
  const col = keyed.column;
  const run = (segment: Segment, n: number, skip = 0, bound: Record<string, unknown> = {}): number[] =>
    (db.prepare(`SELECT c.id AS id ${withConditions(built.base, [...built.clauses, segment.where])} ORDER BY ${segment.order} LIMIT @n OFFSET @skip`)
      .all({ ...built.params, ...bound, n, skip }) as { id: number }[]).map((r) => r.id);
  const up = (by: string): string => `${by} ASC`;
  const down = (by: string): string => `${by} DESC`;
  const order = (key: (by: string) => string, withKey: boolean): string => (withKey ? `${key(col)}, ${key('c.id')}` : key('c.id'));

  const from = cursor.after ?? cursor.before;
  if (from !== undefined) {
    const row = db.prepare(`SELECT ${col} AS v FROM content c WHERE c.id = @id`).get({ id: from }) as { v: unknown } | undefined;
    if (row !== undefined) {
      const forward = cursor.after !== undefined;
      // Walking towards larger keys: forward in an ascending order, backward in a descending one.
      const larger = forward === (dir === 'asc');
      const step = larger ? up : down;
      const beyond = larger ? '>' : '<';
      const segments: Segment[] = [];
      if (row.v === null) {
        segments.push({ where: `${col} IS NULL AND c.id ${beyond} @cursorId`, order: order(step, false) });
        if (!forward) segments.push({ where: `${col} IS NOT NULL`, order: order(step, true) });
      } else {
        segments.push({ where: `${col} = @cursorKey AND c.id ${beyond} @cursorId`, order: order(step, false) });
        segments.push({ where: `${col} ${beyond} @cursorKey`, order: order(step, true) });
        if (forward && keyed.nullable) segments.push({ where: `${col} IS NULL`, order: order(dir === 'asc' ? up : down, false) });
      }
      const ids: number[] = [];
      for (const segment of segments) {
        if (ids.length >= limit) break;
        ids.push(...run(segment, limit - ids.length, 0, { cursorKey: row.v, cursorId: from }));
      }
      return forward ? ids : ids.reverse();
    }
  }
  const step = dir === 'asc' ? up : down;
  if (!keyed.nullable || dir === 'desc') {
    // Descending, an index read backwards already gives the contents without a key last.
    return run({ where: '1', order: order(step, true) }, limit, offset);
  }
  const withKey = run({ where: `${col} IS NOT NULL`, order: order(step, true) }, limit, offset);
  if (withKey.length === limit) return withKey;
  const keyedCount = (db.prepare(`SELECT count(*) AS n ${withConditions(built.base, [...built.clauses, `${col} IS NOT NULL`])}`).get(built.params) as { n: number }).n;
  return [...withKey, ...run({ where: `${col} IS NULL`, order: order(step, false) }, limit - withKey.length, Math.max(0, offset - keyedCount))];
}

/** The grid rows of these contents in the order given, in one query. */
function rowsInOrder(db: Db, ids: readonly number[]): ItemRow[] {
  if (ids.length === 0) return [];
  const rows = db.prepare(`
    ${ROW_COLUMNS}
    FROM json_each(@ids) j CROSS JOIN content c ON c.id = j.value LEFT JOIN image_data i ON i.content_id = c.id
    ORDER BY j.key`).all({ ids: JSON.stringify(ids), scheme: caseScheme(db) }) as RawRow[];
  return rows.map(toItemRow);
}

/** The grid rows of these contents, in the order given (unknown ids are left out). */
export function itemRows(db: Db, ids: readonly number[]): ItemRow[] {
  const stmt = db.prepare(`
    ${ROW_COLUMNS}
    FROM content c LEFT JOIN image_data i ON i.content_id = c.id WHERE c.id = @id`);
  const scheme = caseScheme(db);
  return ids.flatMap((id) => {
    const row = stmt.get({ id, scheme }) as RawRow | undefined;
    return row ? [toItemRow(row)] : [];
  });
}

function toItemRow(r: RawRow): ItemRow {
  const path = r.path ? displayPath(r.path) : '';
  return {
    id: r.id,
    sha256: r.sha256,
    md5: r.md5,
    size: r.size,
    type: r.detected_type,
    name: path.slice(path.lastIndexOf('/') + 1),
    instances: r.instances,
    category: r.category,
    matched: r.alert ? 'alert' : r.matched ? 'known' : null,
    hasThumbnail: r.thumbnail !== null,
    hasGps: r.gps === 1,
    error: r.error === 1,
    path,
    listCategory: r.list_category,
    mtime: r.mtime,
    taken: r.taken,
    otherScheme: parseOtherScheme(r.other_scheme),
    otherCases: r.other_cases,
    places: parsePlaces(r.places),
  };
}

function parsePlaces(json: string): ItemRow['places'] {
  const [deleted, orphan, contentUnverified] = JSON.parse(json) as [number, number, number];
  return { deleted, orphan, contentUnverified };
}

function parseOtherScheme(json: string | null): ItemRow['otherScheme'] {
  if (json === null) return null;
  const [category, scheme] = JSON.parse(json) as [string, string];
  return { category, scheme };
}

/** The current decision of a content when it was made in a scheme the case no longer uses, else null. */
export function otherSchemeDecision(db: Db, contentId: number): ItemRow['otherScheme'] {
  const row = db.prepare(`SELECT ${OTHER_SCHEME} AS other FROM content c WHERE c.id = @id`).get({ id: contentId, scheme: caseScheme(db) }) as
    { other: string | null } | undefined;
  return parseOtherScheme(row?.other ?? null);
}
