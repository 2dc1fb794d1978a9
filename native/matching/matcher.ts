import type { Db } from '../catalog/sqlite.js';
import type { OpenCase } from '../catalog/case.js';
import { carriedJson } from './carried.js';
import { backfillCarried } from './carriedBackfill.js';
import { appendAudit } from '../audit/log.js';
import { signAuditHead } from '../audit/signing.js';
import { KestrelError } from '../util/result.js';
import { TOOL_VERSION } from '../util/version.js';
import { lookupExact, loadPerceptual } from '../hashsets/blocks.js';
import { listHashLists, type Algorithm, type HashLibrary, type HashListInfo } from '../hashsets/library.js';
import { searchHamming } from './perceptualSearch.js';
import { groupNearDuplicates, GROUPING_RULE, type NearDuplicateGroup, type NearPair } from './nearDuplicateGroups.js';
import { MAX_RADIUS } from './mih.js';
import { storeVideoMatches, VIDEO_MATCHING, videoListMatches, type NewVideoMatch } from './videoMatcher.js';
import { PDQ_EXTRAS_ALGORITHM } from '../hashing/pdq/extraHashes.js';

export const DEFAULT_PDQ_THRESHOLD = 31;
/** bmvbhash (16x16) of a re-encoded or resized copy stays within a few bits; unrelated pictures are near 128. */
export const DEFAULT_BLOCKHASH_THRESHOLD = 10;
/**
 * Extra hashes (border-trimmed, crops) add ways for two unrelated pictures to come near, so they
 * match at a tighter distance than the plain hash: on bench/accuracy (Debian wallpapers and their
 * ImageMagick variants) the closest unrelated pair through an extra was 26 bits, so 25 is the
 * largest distance with no false match there.
 */
export const DEFAULT_PDQ_EXTRA_THRESHOLD = 25;
/** PDQ hashes below this quality come from flat or tiny pictures and match too much to be evidence. */
export const PDQ_MIN_QUALITY = 50;
const ALGORITHM_VERSIONS = { pdq: 'PDQ 256-bit, dihedral-aware', blockhash: 'blockhash bmvbhash bits=16' };

export interface MatchOptions {
  pdqThreshold?: number;
  blockhashThreshold?: number;
  /** Largest distance for a match through an extra PDQ hash (border-trimmed or a crop). */
  pdqExtraThreshold?: number;
  threads?: number;
  examiner?: string;
}

export interface MatchSummary {
  lists: number;
  listsMatched: number;
  listsUpToDate: number;
  contentsChecked: number;
  newMatches: number;
  matches: number;
  exactMatches: number;
  perceptualMatches: number;
  /** PDQ matches made through an extra hash (the plain hash was not within its threshold). */
  extraHashMatches: number;
  knownMatches: number;
  alertMatches: number;
  matchedContents: number;
  pdqSkippedLowQuality: number;
  nearDuplicateGroups: number;
  nearDuplicateMembers: number;
  /** Seized videos matched to listed videos by vPDQ (whole and partial). */
  videoMatches: number;
  videoWholeMatches: number;
  videoPartialMatches: number;
  pdqThreshold: number;
  blockhashThreshold: number;
  pdqExtraThreshold: number;
  seconds: number;
}

interface UseRow { id: number; list_uid: string; pdq_threshold: number; blockhash_threshold: number; pdq_extra_threshold: number | null; content_watermark: number }

interface NewMatch {
  contentId: number; list: HashListInfo; entryId: number; entryHash: string; algorithm: Algorithm;
  distance: number; threshold: number; dihedral: number | null;
  /** The extra hash of the content the match was made through; null for the plain hash. */
  via: string | null;
}

interface Job { list: HashListInfo; exactFrom: number; perceptualFrom: number; use: UseRow | undefined }

function checkThreshold(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_RADIUS) {
    throw new KestrelError(`${name} must be a whole number from 0 to ${MAX_RADIUS} (got ${value})`, 'E_USAGE');
  }
}

/**
 * Matches a case against every list in the library. For each list version the case records what was
 * matched, with which thresholds and up to which content; a later run matches only new lists, and old
 * lists only against new content (all content again, for the perceptual hashes, when a threshold
 * changed). Results, list provenance and near-duplicate groups land in one transaction with their
 * audit entries.
 */
export async function matchCase(c: OpenCase, lib: HashLibrary, options: MatchOptions = {}): Promise<MatchSummary> {
  const started = performance.now();
  const pdqThreshold = options.pdqThreshold ?? DEFAULT_PDQ_THRESHOLD;
  const blockhashThreshold = options.blockhashThreshold ?? DEFAULT_BLOCKHASH_THRESHOLD;
  const pdqExtraThreshold = options.pdqExtraThreshold ?? Math.min(DEFAULT_PDQ_EXTRA_THRESHOLD, pdqThreshold);
  checkThreshold('--pdq-threshold', pdqThreshold);
  checkThreshold('--blockhash-threshold', blockhashThreshold);
  checkThreshold('--pdq-extra-threshold', pdqExtraThreshold);
  const db = c.db;
  const actor = options.examiner ?? 'kestrel';
  const lists = listHashLists(lib);
  backfillCarried(db, lib, actor);
  const uses = new Map((db.prepare('SELECT * FROM hashlist_use').all() as UseRow[]).map((u) => [u.list_uid, u]));
  const maxContent = (db.prepare('SELECT coalesce(max(id), 0) AS m FROM content').get() as { m: number }).m;

  const jobs: Job[] = [];
  for (const list of lists) {
    const use = uses.get(list.uid);
    const thresholdsChanged = use !== undefined &&
      (use.pdq_threshold !== pdqThreshold || use.blockhash_threshold !== blockhashThreshold || use.pdq_extra_threshold !== pdqExtraThreshold);
    const exactFrom = use ? use.content_watermark : 0;
    const perceptualFrom = use && !thresholdsChanged ? use.content_watermark : 0;
    if (exactFrom >= maxContent && perceptualFrom >= maxContent) continue;
    jobs.push({ list, exactFrom, perceptualFrom, use });
  }

  const found: NewMatch[] = [];
  const videos: NewVideoMatch[] = [];
  // Lists needing the same content range are searched together: one pass over the case hashes.
  const byExact = groupBy(jobs, (j) => j.exactFrom);
  for (const [from, group] of byExact) found.push(...exactMatches(db, lib, group.map((j) => j.list), from));
  const byPerceptual = groupBy(jobs, (j) => j.perceptualFrom);
  for (const [from, group] of byPerceptual) {
    const ls = group.map((j) => j.list);
    const plain = await perceptualMatches(db, lib, ls, from, 'pdq', pdqThreshold, options.threads);
    found.push(...plain, ...await extraMatches(db, lib, ls, from, pdqExtraThreshold, plain, options.threads));
    found.push(...await perceptualMatches(db, lib, ls, from, 'blockhash', blockhashThreshold, options.threads));
    videos.push(...await videoListMatches(db, lib, ls, from, options.threads));
  }
  const skips = lowQuality(db);
  const groups = await nearDuplicates(db, pdqThreshold, pdqExtraThreshold, maxContent, options.threads);

  const entryStmt = lib.db.prepare('SELECT record_no, category, media_id, label, details FROM entry WHERE id = ?');
  const now = new Date().toISOString();
  let newMatches = 0;
  db.transaction(() => {
    const insertUse = db.prepare(
      `INSERT INTO hashlist_use (list_uid, list_name, list_version, list_format, list_format_version, list_sha256, known, scheme,
         pdq_threshold, blockhash_threshold, pdq_extra_threshold, content_watermark, first_matched_at, matched_at, tool_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const updateUse = db.prepare(
      'UPDATE hashlist_use SET pdq_threshold = ?, blockhash_threshold = ?, pdq_extra_threshold = ?, content_watermark = ?, matched_at = ?, tool_version = ? WHERE id = ?');
    const dropPerceptual = db.prepare("DELETE FROM hash_match WHERE use_id = ? AND algorithm IN ('pdq', 'blockhash')");
    const dropVideo = db.prepare('DELETE FROM video_match WHERE use_id = ?');
    const insertMatch = db.prepare(
      `INSERT OR IGNORE INTO hash_match (content_id, use_id, entry_id, entry_record, entry_hash, entry_media_id, entry_label, algorithm,
         distance, threshold, dihedral, category, scheme, known, matched_at, via, entry_carried)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const useIds = new Map<string, number>();
    for (const job of jobs) {
      const l = job.list;
      let useId: number;
      if (job.use) {
        useId = job.use.id;
        if (job.perceptualFrom === 0 && job.use.content_watermark > 0) {
          dropPerceptual.run(useId);
          dropVideo.run(useId);
        }
        updateUse.run(pdqThreshold, blockhashThreshold, pdqExtraThreshold, maxContent, now, TOOL_VERSION, useId);
      } else {
        useId = Number(insertUse.run(l.uid, l.name, l.version, l.format, l.formatVersion, l.fileSha256, l.known ? 1 : 0, l.scheme,
          pdqThreshold, blockhashThreshold, pdqExtraThreshold, maxContent, now, now, TOOL_VERSION).lastInsertRowid);
      }
      useIds.set(l.uid, useId);
    }
    const perList = new Map<string, Record<string, number>>();
    for (const m of found) {
      const e = entryStmt.get(m.entryId) as { record_no: number; category: string | null; media_id: string | null; label: string | null; details: string | null } | undefined;
      if (!e) throw new Error(`library entry ${m.entryId} of ${m.list.name} missing`);
      const r = insertMatch.run(m.contentId, useIds.get(m.list.uid)!, m.entryId, e.record_no, m.entryHash, e.media_id, e.label, m.algorithm,
        m.distance, m.threshold, m.dihedral, e.category, e.category === null ? null : m.list.scheme, m.list.known ? 1 : 0, now, m.via, carriedJson(e.details));
      if (r.changes > 0) {
        newMatches++;
        const counts = perList.get(m.list.uid) ?? {};
        counts[m.algorithm] = (counts[m.algorithm] ?? 0) + 1;
        if (m.via !== null) counts['pdqThroughExtraHash'] = (counts['pdqThroughExtraHash'] ?? 0) + 1;
        perList.set(m.list.uid, counts);
      }
    }
    for (const [uid, n] of storeVideoMatches(db, lib, videos, useIds, now, actor)) {
      newMatches += n;
      const counts = perList.get(uid) ?? {};
      counts['vpdq'] = n;
      perList.set(uid, counts);
    }
    for (const job of jobs) {
      const l = job.list;
      appendAudit(db, 'match.list', {
        list: { uid: l.uid, name: l.name, version: l.version, format: l.format, formatVersion: l.formatVersion, sha256: l.fileSha256, known: l.known, scheme: l.scheme },
        exactFromContent: job.exactFrom, perceptualFromContent: job.perceptualFrom, toContent: maxContent,
        algorithms: { md5: 'exact', sha1: 'exact', sha256: 'exact', ...ALGORITHM_VERSIONS, pdqExtras: PDQ_EXTRAS_ALGORITHM, vpdq: `vPDQ ${VIDEO_MATCHING.version}, ${VIDEO_MATCHING.rule}` },
        thresholds: { pdq: pdqThreshold, blockhash: blockhashThreshold, pdqExtra: pdqExtraThreshold, pdqMinQuality: PDQ_MIN_QUALITY, vpdq: VIDEO_MATCHING.thresholds },
        newMatches: perList.get(l.uid) ?? {},
      }, actor);
    }
    const insertSkip = db.prepare('INSERT OR IGNORE INTO perceptual_skip (content_id, algorithm, reason, quality, recorded_at) VALUES (?, ?, ?, ?, ?)');
    let newSkips = 0;
    for (const s of skips) {
      newSkips += insertSkip.run(s.contentId, 'pdq', `PDQ quality ${s.quality} is below ${PDQ_MIN_QUALITY}; not matched perceptually`, s.quality, now).changes;
    }
    if (newSkips > 0) appendAudit(db, 'match.pdq-skip', { contents: newSkips, minQuality: PDQ_MIN_QUALITY }, actor);
    if (groups) {
      db.prepare('DELETE FROM near_duplicate_member').run();
      db.prepare('DELETE FROM near_duplicate_group').run();
      const insertGroup = db.prepare("INSERT INTO near_duplicate_group (algorithm, threshold, extra_threshold, created_at, representative, rule) VALUES ('pdq', ?, ?, ?, ?, ?)");
      const insertMember = db.prepare('INSERT INTO near_duplicate_member (content_id, group_id, nearest_distance, representative_distance) VALUES (?, ?, ?, ?)');
      for (const g of groups) {
        const gid = Number(insertGroup.run(pdqThreshold, pdqExtraThreshold, now, g.representative, GROUPING_RULE).lastInsertRowid);
        for (const [contentId, m] of g.members) insertMember.run(contentId, gid, m.nearest, m.toRepresentative);
      }
      db.prepare(`INSERT INTO near_duplicate_state (id, threshold, extra_threshold, content_watermark, updated_at) VALUES (1, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET threshold = excluded.threshold, extra_threshold = excluded.extra_threshold,
          content_watermark = excluded.content_watermark, updated_at = excluded.updated_at`)
        .run(pdqThreshold, pdqExtraThreshold, maxContent, now);
      appendAudit(db, 'match.near-duplicates', { algorithm: 'pdq', threshold: pdqThreshold, extraHashThreshold: pdqExtraThreshold, rule: GROUPING_RULE, groups: groups.length, members: groups.reduce((s, g) => s + g.members.size, 0) }, actor);
    }
  })();

  const totals = db.prepare(
    `SELECT count(*) AS matches,
            sum(algorithm IN ('md5', 'sha1', 'sha256')) AS exact,
            sum(algorithm IN ('pdq', 'blockhash')) AS perceptual,
            sum(via IS NOT NULL) AS viaExtra,
            sum(known) AS known,
            count(DISTINCT content_id) AS contents
     FROM hash_match`).get() as { matches: number; exact: number | null; perceptual: number | null; viaExtra: number | null; known: number | null; contents: number };
  const nd = db.prepare('SELECT (SELECT count(*) FROM near_duplicate_group) AS g, (SELECT count(*) FROM near_duplicate_member) AS m').get() as { g: number; m: number };
  const skipped = (db.prepare("SELECT count(*) AS n FROM perceptual_skip WHERE algorithm = 'pdq'").get() as { n: number }).n;
  const v = db.prepare("SELECT count(*) AS n, coalesce(sum(kind = 'whole'), 0) AS whole FROM video_match").get() as { n: number; whole: number };
  const summary: MatchSummary = {
    lists: lists.length,
    listsMatched: jobs.length,
    listsUpToDate: lists.length - jobs.length,
    contentsChecked: maxContent,
    newMatches,
    matches: totals.matches,
    exactMatches: totals.exact ?? 0,
    perceptualMatches: totals.perceptual ?? 0,
    extraHashMatches: totals.viaExtra ?? 0,
    knownMatches: totals.known ?? 0,
    alertMatches: totals.matches - (totals.known ?? 0),
    matchedContents: totals.contents,
    pdqSkippedLowQuality: skipped,
    nearDuplicateGroups: nd.g,
    nearDuplicateMembers: nd.m,
    videoMatches: v.n,
    videoWholeMatches: v.whole,
    videoPartialMatches: v.n - v.whole,
    pdqThreshold,
    blockhashThreshold,
    pdqExtraThreshold,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
  db.transaction(() => {
    appendAudit(db, 'match.run', { ...summary, seconds: undefined, toolVersion: TOOL_VERSION }, actor);
    signAuditHead(db, 'match');
  })();
  return summary;
}

function groupBy<T>(items: readonly T[], key: (t: T) => number): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const it of items) {
    const k = key(it);
    const g = m.get(k);
    if (g) g.push(it); else m.set(k, [it]);
  }
  return m;
}

const CONTENT_BY_HASH = {
  md5: 'SELECT id, md5 AS h FROM content WHERE id > ? ORDER BY md5',
  sha1: 'SELECT id, sha1 AS h FROM content WHERE id > ? ORDER BY sha1',
  sha256: 'SELECT id, sha256 AS h FROM content WHERE id > ? ORDER BY sha256',
} as const;

function exactMatches(db: Db, lib: HashLibrary, lists: readonly HashListInfo[], from: number): NewMatch[] {
  const out: NewMatch[] = [];
  const byId = new Map(lists.map((l) => [l.id, l]));
  const ids = new Set(byId.keys());
  for (const algorithm of ['md5', 'sha1', 'sha256'] as const) {
    const rows = db.prepare(CONTENT_BY_HASH[algorithm]).all(from) as { id: number; h: string }[];
    const queries: Buffer[] = [];
    const owners: number[][] = [];
    let lastHex: string | null = null;
    for (const r of rows) {
      const hex = r.h.toLowerCase();
      if (hex === lastHex) { owners[owners.length - 1]!.push(r.id); continue; }
      lastHex = hex;
      queries.push(Buffer.from(hex, 'hex'));
      owners.push([r.id]);
    }
    for (const hit of lookupExact(lib.db, algorithm, queries, ids)) {
      const list = byId.get(hit.listId)!;
      for (const contentId of owners[hit.query]!) {
        out.push({ contentId, list, entryId: list.firstEntry + hit.position, entryHash: queries[hit.query]!.toString('hex'),
          algorithm, distance: 0, threshold: 0, dihedral: null, via: null });
      }
    }
  }
  return out;
}

export interface Queries { hashes: Uint8Array; content: Uint32Array; variant: Uint8Array; count: number }

/** The case's perceptual hashes from content `from` on; PDQ with its 8 dihedral variants, low quality left out. */
export function caseQueries(db: Db, algorithm: 'pdq' | 'blockhash', from: number, dihedral: boolean): Queries {
  const rows = (algorithm === 'pdq'
    ? db.prepare('SELECT content_id, pdq AS h, pdq_quality AS q, pdq_dihedral AS d FROM image_data WHERE pdq IS NOT NULL AND content_id > ? ORDER BY content_id').all(from)
    : db.prepare('SELECT content_id, blockhash AS h, NULL AS q, NULL AS d FROM image_data WHERE blockhash IS NOT NULL AND content_id > ? ORDER BY content_id').all(from)) as
    { content_id: number; h: string; q: number | null; d: string | null }[];
  const hexes: string[] = [];
  const content: number[] = [];
  const variant: number[] = [];
  for (const r of rows) {
    if (algorithm === 'pdq' && (r.q ?? 0) < PDQ_MIN_QUALITY) continue;
    const variants = dihedral && r.d ? parseDihedral(r.d, r.content_id) : [r.h];
    variants.forEach((h, i) => { hexes.push(h); content.push(r.content_id); variant.push(i); });
  }
  const hashes = new Uint8Array(new SharedArrayBuffer(Math.max(1, hexes.length) * 32)).subarray(0, hexes.length * 32);
  hexes.forEach((h, i) => hashes.set(Buffer.from(h, 'hex'), i * 32));
  return { hashes, content: Uint32Array.from(content), variant: Uint8Array.from(variant), count: hexes.length };
}

function parseDihedral(json: string, contentId: number): string[] {
  const v = JSON.parse(json) as unknown;
  if (!Array.isArray(v) || v.length !== 8 || !v.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) {
    throw new KestrelError(`content ${contentId}: image_data.pdq_dihedral is not 8 hex PDQ hashes`, 'E_CATALOGUE');
  }
  return v as string[];
}

async function perceptualMatches(db: Db, lib: HashLibrary, lists: readonly HashListInfo[], from: number,
  algorithm: 'pdq' | 'blockhash', threshold: number, threads: number | undefined): Promise<NewMatch[]> {
  const withHashes = lists.filter((l) => (l.hashes[algorithm] ?? 0) > 0);
  if (withHashes.length === 0) return [];
  const q = caseQueries(db, algorithm, from, algorithm === 'pdq');
  if (q.count === 0) return [];
  const set = loadPerceptual(lib.db, algorithm, withHashes.map((l) => l.id));
  const pairs = await searchHamming(set.hashes, q.hashes, threshold, threads === undefined ? {} : { threads });
  const byId = new Map(withHashes.map((l) => [l.id, l]));
  // One match per (content, entry): the closest dihedral variant.
  const best = new Map<string, NewMatch>();
  for (let i = 0; i < pairs.count; i++) {
    const qi = pairs.query[i]!;
    const li = pairs.list[i]!;
    const list = byId.get(set.listId[li]!)!;
    const entryId = list.firstEntry + set.position[li]!;
    const contentId = q.content[qi]!;
    const key = `${contentId}:${entryId}`;
    const d = pairs.distance[i]!;
    const prev = best.get(key);
    if (prev && prev.distance <= d) continue;
    best.set(key, {
      contentId, list, entryId, entryHash: Buffer.from(set.hashes.subarray(li * 32, li * 32 + 32)).toString('hex'),
      algorithm, distance: d, threshold, dihedral: algorithm === 'pdq' ? q.variant[qi]! : null, via: null,
    });
  }
  return [...best.values()];
}

export interface ExtraQueries { hashes: Uint8Array; content: Uint32Array; name: string[]; count: number }

/** The case's extra PDQ hashes (border-trimmed, crops) from content `from` on, low quality left out. */
export function caseExtraQueries(db: Db, from: number): ExtraQueries {
  const rows = db.prepare('SELECT content_id, name, pdq FROM pdq_extra WHERE content_id > ? AND quality >= ? ORDER BY content_id, name')
    .all(from, PDQ_MIN_QUALITY) as { content_id: number; name: string; pdq: string }[];
  const hashes = new Uint8Array(new SharedArrayBuffer(Math.max(1, rows.length) * 32)).subarray(0, rows.length * 32);
  rows.forEach((r, i) => hashes.set(Buffer.from(r.pdq, 'hex'), i * 32));
  return { hashes, content: Uint32Array.from(rows, (r) => r.content_id), name: rows.map((r) => r.name), count: rows.length };
}

/**
 * PDQ matches through the case's extra hashes, for (content, entry) pairs the plain hash did not
 * match: the plain hash stays the evidence whenever it matches (every other tool can reproduce
 * it). Among extras, the closest (ties: the first by name) is recorded with its name.
 */
async function extraMatches(db: Db, lib: HashLibrary, lists: readonly HashListInfo[], from: number, threshold: number,
  plain: readonly NewMatch[], threads: number | undefined): Promise<NewMatch[]> {
  const withHashes = lists.filter((l) => (l.hashes.pdq ?? 0) > 0);
  if (withHashes.length === 0) return [];
  const q = caseExtraQueries(db, from);
  if (q.count === 0) return [];
  const set = loadPerceptual(lib.db, 'pdq', withHashes.map((l) => l.id));
  const pairs = await searchHamming(set.hashes, q.hashes, threshold, threads === undefined ? {} : { threads });
  const byId = new Map(withHashes.map((l) => [l.id, l]));
  const matchedPlainly = new Set(plain.map((m) => `${m.contentId}:${m.entryId}`));
  const best = new Map<string, NewMatch>();
  for (let i = 0; i < pairs.count; i++) {
    const qi = pairs.query[i]!;
    const li = pairs.list[i]!;
    const list = byId.get(set.listId[li]!)!;
    const entryId = list.firstEntry + set.position[li]!;
    const contentId = q.content[qi]!;
    const key = `${contentId}:${entryId}`;
    if (matchedPlainly.has(key)) continue;
    const d = pairs.distance[i]!;
    const prev = best.get(key);
    if (prev && (prev.distance < d || (prev.distance === d && prev.via! <= q.name[qi]!))) continue;
    best.set(key, {
      contentId, list, entryId, entryHash: Buffer.from(set.hashes.subarray(li * 32, li * 32 + 32)).toString('hex'),
      algorithm: 'pdq', distance: d, threshold, dihedral: null, via: q.name[qi]!,
    });
  }
  return [...best.values()];
}

function lowQuality(db: Db): { contentId: number; quality: number }[] {
  return (db.prepare('SELECT content_id, pdq_quality FROM image_data WHERE pdq IS NOT NULL AND coalesce(pdq_quality, 0) < ?').all(PDQ_MIN_QUALITY) as
    { content_id: number; pdq_quality: number | null }[]).map((r) => ({ contentId: r.content_id, quality: r.pdq_quality ?? 0 }));
}

/**
 * Groups the case's pictures whose PDQ hashes (any dihedral variant against the other's original)
 * are within the threshold, by the rule of nearDuplicateGroups.ts (never chaining), so a series is
 * categorised once. Rebuilt only when content was added or either threshold (plain, extras) changed;
 * returns null when nothing changed.
 */
async function nearDuplicates(db: Db, threshold: number, extraThreshold: number, maxContent: number, threads: number | undefined): Promise<NearDuplicateGroup[] | null> {
  const state = db.prepare('SELECT threshold, extra_threshold, content_watermark FROM near_duplicate_state WHERE id = 1').get() as
    { threshold: number; extra_threshold: number | null; content_watermark: number } | undefined;
  if (state && state.threshold === threshold && state.extra_threshold === extraThreshold && state.content_watermark >= maxContent) return null;
  const originals = caseQueries(db, 'pdq', 0, false);
  const variants = caseQueries(db, 'pdq', 0, true);
  if (originals.count === 0) return [];
  const options = threads === undefined ? {} : { threads };
  const pairs = await searchHamming(originals.hashes, variants.hashes, threshold, options);
  // A picture whose border-trimmed or cropped part is another picture of the case is its near
  // duplicate too (a screenshot with bars, a re-post cropped), at the extras' tighter distance.
  const extras = caseExtraQueries(db, 0);
  const extraPairs = extras.count > 0 ? await searchHamming(originals.hashes, extras.hashes, extraThreshold, options) : null;
  function* near(): Generator<NearPair> {
    for (let i = 0; i < pairs.count; i++) {
      yield { a: variants.content[pairs.query[i]!]!, b: originals.content[pairs.list[i]!]!, distance: pairs.distance[i]! };
    }
    for (let i = 0; i < (extraPairs?.count ?? 0); i++) {
      yield { a: extras.content[extraPairs!.query[i]!]!, b: originals.content[extraPairs!.list[i]!]!, distance: extraPairs!.distance[i]! };
    }
  }
  return groupNearDuplicates(near());
}

export interface MatchLine {
  /** A hit on an imported hash list; cross-case hits from the lab library are kind 'case' (native/lab/crossMatch.ts). */
  kind: 'list';
  path: string;
  sha256: string;
  list: string;
  algorithm: Algorithm;
  distance: number;
  threshold: number;
  category: string | null;
  scheme: string | null;
  known: boolean;
  /**
   * For a PDQ match made through an extra hash of the file's picture (the plain PDQ was not within
   * the threshold): which one, the part of the picture it covers (pixels of the upright picture)
   * and its hash; `distance` is then that hash's distance to the list entry. Null otherwise.
   */
  via: MatchVia | null;
}

export interface MatchVia {
  hash: string;
  kind: string;
  region: { left: number; top: number; width: number; height: number };
  pdq: string;
}

/** Every (file instance, match) of the case, for --json and exports. */
export function* matchLines(db: Db): Generator<MatchLine> {
  const stmt = db.prepare(
    `SELECT f.path_text AS path, c.sha256, u.list_name AS list, m.algorithm, m.distance, m.threshold, m.category, m.scheme, m.known,
            m.via, x.kind AS via_kind, x.region_left, x.region_top, x.region_width, x.region_height, x.pdq AS via_pdq
     FROM hash_match m
     JOIN content c ON c.id = m.content_id
     JOIN hashlist_use u ON u.id = m.use_id
     JOIN file_instance f ON f.content_id = m.content_id
     LEFT JOIN pdq_extra x ON x.content_id = m.content_id AND x.name = m.via
     ORDER BY f.path_text, u.list_name, m.algorithm, m.entry_id`);
  type Row = Omit<MatchLine, 'known' | 'via'> & { known: number; via: string | null; via_kind: string | null; region_left: number; region_top: number;
    region_width: number; region_height: number; via_pdq: string | null };
  for (const r of stmt.iterate() as Iterable<Row>) {
    yield { kind: 'list', path: r.path, sha256: r.sha256, list: r.list, algorithm: r.algorithm, distance: r.distance, threshold: r.threshold,
      category: r.category, scheme: r.scheme, known: r.known === 1,
      via: r.via === null ? null : {
        hash: r.via, kind: r.via_kind ?? 'unknown',
        region: { left: r.region_left, top: r.region_top, width: r.region_width, height: r.region_height }, pdq: r.via_pdq ?? '',
      } };
  }
}
