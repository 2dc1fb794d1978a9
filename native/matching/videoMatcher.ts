import type { Db } from '../catalog/sqlite.js';
import { appendAudit } from '../audit/log.js';
import type { HashLibrary, HashListInfo } from '../hashsets/library.js';
import { loadListedVideos } from '../hashsets/videoHashes.js';
import { VPDQ_ALGORITHM, type VpdqFeature } from '../video/vpdq.js';
import { matchVideos, VPDQ_MATCH_RULE, type RecordedVideoMatchShares, type VideoFeatures, type VideoMatch } from '../video/vpdqMatch.js';


/** What the audit log and every video_match row record about how videos were compared. */
export const VIDEO_MATCHING = {
  algorithm: VPDQ_MATCH_RULE.algorithm,
  version: VPDQ_ALGORITHM.version,
  rule: VPDQ_MATCH_RULE.reference,
  thresholds: { distance: VPDQ_MATCH_RULE.distance, quality: VPDQ_MATCH_RULE.quality, matchPercent: VPDQ_MATCH_RULE.matchPercent },
} as const;

export interface NewVideoMatch { contentId: number; list: HashListInfo; entryId: number; variant: 0 | 1; match: VideoMatch }

/**
 * The case's videos (from content `from` on) against the listed videos of the given vPDQ lists, by
 * vPDQ's rule, in one multi-index search per frame variant. A video whose black bars were cut away
 * is compared in both forms; the better match of the two is kept for each listed video (a whole
 * match before a partial one, then the larger shares of matching frames).
 */
export async function videoListMatches(db: Db, lib: HashLibrary, lists: readonly HashListInfo[], from: number,
  threads: number | undefined): Promise<NewVideoMatch[]> {
  const withVideos = lists.filter((l) => (l.hashes.vpdq ?? 0) > 0);
  if (withVideos.length === 0) return [];
  const listed = loadListedVideos(lib.db, withVideos.map((l) => l.id));
  const listOf = new Map(listed.map((v) => [v.entryId, withVideos.find((l) => l.id === v.listId)!]));
  const compared: VideoFeatures[] = listed.map((v) => ({ key: v.entryId, features: v.features }));
  const best = new Map<string, NewVideoMatch>();
  for (const variant of [0, 1] as const) {
    const queries = caseVideos(db, variant, from);
    if (queries.length === 0) continue;
    for (const match of await matchVideos(queries, compared, VPDQ_MATCH_RULE, threads === undefined ? {} : { threads })) {
      const key = `${match.query}:${match.compared}`;
      const prev = best.get(key);
      if (prev && !better(match, prev.match)) continue;
      best.set(key, { contentId: match.query, list: listOf.get(match.compared)!, entryId: match.compared, variant, match });
    }
  }
  return [...best.values()];
}

function better(a: VideoMatch, b: VideoMatch): boolean {
  if ((a.kind === 'whole') !== (b.kind === 'whole')) return a.kind === 'whole';
  return a.queryMatchPercent + a.comparedMatchPercent > b.queryMatchPercent + b.comparedMatchPercent;
}

function caseVideos(db: Db, variant: 0 | 1, from: number): VideoFeatures[] {
  const rows = db.prepare(
    'SELECT content_id, frame, quality, pdq, timestamp FROM video_frame WHERE variant = ? AND content_id > ? ORDER BY content_id, frame',
  ).all(variant, from) as { content_id: number; frame: number; quality: number; pdq: string; timestamp: number }[];
  const out: VideoFeatures[] = [];
  let current: { key: number; features: VpdqFeature[] } | undefined;
  for (const r of rows) {
    if (current?.key !== r.content_id) out.push((current = { key: r.content_id, features: [] }));
    current.features.push({ frame: r.frame, quality: r.quality, hash: r.pdq, timestamp: r.timestamp });
  }
  return out;
}

/**
 * Writes new video matches (inside the caller's transaction) and one audit entry per list with
 * each match's evidence: which seized video, which listed video, the shares, ranges and distance.
 */
export function storeVideoMatches(db: Db, lib: HashLibrary, found: readonly NewVideoMatch[], useIds: ReadonlyMap<string, number>,
  now: string, actor: string): Map<string, number> {
  const entryStmt = lib.db.prepare('SELECT record_no, category, label FROM entry WHERE id = ?');
  const shaStmt = db.prepare('SELECT sha256 FROM content WHERE id = ?');
  const insert = db.prepare(
    `INSERT OR IGNORE INTO video_match (content_id, use_id, entry_id, entry_record, entry_label, variant, kind, query_match_percent,
       compared_match_percent, query_coverage_percent, compared_coverage_percent, query_ranges, compared_ranges, query_frames, min_distance, distance_threshold, quality_threshold,
       match_percent_threshold, category, scheme, known, matched_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const perList = new Map<string, { list: HashListInfo; evidence: unknown[] }>();
  const t = VIDEO_MATCHING.thresholds;
  for (const f of found) {
    const e = entryStmt.get(f.entryId) as { record_no: number; category: string | null; label: string | null } | undefined;
    if (!e) throw new Error(`library entry ${f.entryId} of ${f.list.name} missing`);
    const m = f.match;
    const r = insert.run(f.contentId, useIds.get(f.list.uid)!, f.entryId, e.record_no, e.label, f.variant, m.kind, m.queryMatchPercent,
      m.comparedMatchPercent, m.queryCoveragePercent, m.comparedCoveragePercent, JSON.stringify(m.queryRanges), JSON.stringify(m.comparedRanges), JSON.stringify(m.queryFrames), m.minDistance,
      t.distance, t.quality, t.matchPercent, e.category, e.category === null ? null : f.list.scheme, f.list.known ? 1 : 0, now);
    if (r.changes === 0) continue;
    const acc = perList.get(f.list.uid) ?? { list: f.list, evidence: [] };
    acc.evidence.push({
      sha256: (shaStmt.get(f.contentId) as { sha256: string }).sha256, entry: f.entryId, label: e.label, kind: m.kind, variant: f.variant,
      queryMatchPercent: m.queryMatchPercent, comparedMatchPercent: m.comparedMatchPercent,
      queryCoveragePercent: m.queryCoveragePercent, comparedCoveragePercent: m.comparedCoveragePercent, queryRanges: m.queryRanges,
      comparedRanges: m.comparedRanges, minDistance: m.minDistance,
    });
    perList.set(f.list.uid, acc);
  }
  const counts = new Map<string, number>();
  for (const { list, evidence } of perList.values()) {
    appendAudit(db, 'match.video', {
      list: { uid: list.uid, name: list.name, version: list.version, sha256: list.fileSha256 }, ...VIDEO_MATCHING, matches: evidence,
    }, actor);
    counts.set(list.uid, evidence.length);
  }
  return counts;
}

export interface VideoMatchLine extends RecordedVideoMatchShares {
  kind: 'list';
  path: string;
  sha256: string;
  list: string;
  algorithm: 'vpdq';
  /** whole: both videos match; partial: one contains the other (containment says which). */
  match: 'whole' | 'partial';
  containment: 'query-inside-compared' | 'compared-inside-query' | null;
  /** The listed video (its hash file's name). */
  label: string | null;
  distance: number;
  threshold: number;
  category: string | null;
  scheme: string | null;
  known: boolean;
}

/** Every (file instance, video match) of the case, for --json. */
export function* videoMatchLines(db: Db): Generator<VideoMatchLine> {
  const stmt = db.prepare(
    `SELECT f.path_text AS path, c.sha256, u.list_name AS list, m.kind, m.entry_label AS label, m.query_match_percent AS qp,
            m.compared_match_percent AS cp, m.query_coverage_percent AS qc, m.compared_coverage_percent AS cc, m.query_ranges AS qr, m.compared_ranges AS cr, m.variant, m.min_distance AS distance,
            m.distance_threshold AS threshold, m.quality_threshold AS quality, m.match_percent_threshold AS percent,
            m.category, m.scheme, m.known
     FROM video_match m
     JOIN content c ON c.id = m.content_id
     JOIN hashlist_use u ON u.id = m.use_id
     JOIN file_instance f ON f.content_id = m.content_id
     ORDER BY f.path_text, u.list_name, m.entry_id`);
  type Row = { path: string; sha256: string; list: string; kind: VideoMatch['kind']; label: string | null; qp: number; cp: number; qc: number; cc: number; qr: string; cr: string;
    variant: number; distance: number; threshold: number; quality: number; percent: number; category: string | null; scheme: string | null; known: number };
  for (const r of stmt.iterate() as Iterable<Row>) {
    yield {
      kind: 'list', path: r.path, sha256: r.sha256, list: r.list, algorithm: 'vpdq', match: r.kind === 'whole' ? 'whole' : 'partial',
      containment: r.kind === 'whole' ? null : r.kind, label: r.label, queryMatchPercent: r.qp, comparedMatchPercent: r.cp,
      queryCoveragePercent: r.qc, comparedCoveragePercent: r.cc,
      queryRanges: JSON.parse(r.qr) as [number, number][], comparedRanges: JSON.parse(r.cr) as [number, number][], variant: r.variant,
      distance: r.distance, threshold: r.threshold, qualityThreshold: r.quality, matchPercentThreshold: r.percent,
      category: r.category, scheme: r.scheme, known: r.known === 1,
    };
  }
}
