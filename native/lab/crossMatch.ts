import type { OpenCase } from '../catalog/case.js';
import type { Db } from '../catalog/sqlite.js';
import { appendAudit } from '../audit/log.js';
import { TOOL_VERSION } from '../util/version.js';
import { caseQueries, DEFAULT_PDQ_THRESHOLD, PDQ_MIN_QUALITY } from '../matching/matcher.js';
import { searchHamming } from '../matching/perceptualSearch.js';
import { MAX_RADIUS } from '../matching/mih.js';
import { KestrelError } from '../util/result.js';
import type { LabItem, LabStore, PdqSet } from './store.js';

export interface CrossMatchOptions {
  pdqThreshold?: number;
  threads?: number;
  examiner?: string;
}

export interface CrossMatchSummary {
  engine: 'sqlite' | 'postgres';
  /** The library folder, or its connection string without the password. */
  library: string;
  libraryVersion: number;
  casesInLibrary: number;
  caseMatches: number;
  exactCaseMatches: number;
  perceptualCaseMatches: number;
  contentsSeenElsewhere: number;
  otherCases: number;
  pdqThreshold: number;
  seconds: number;
}

interface Hit { contentId: number; item: number; algorithm: 'sha256' | 'pdq'; distance: number; threshold: number; dihedral: number | null }

/**
 * The PDQ index of the library, kept while the library's version stays the same: a serve session
 * matching case after case loads it once. Keyed by engine and location, so two libraries never mix.
 */
const pdqCache = new Map<string, PdqSet>();

async function pdqSetOf(store: LabStore): Promise<PdqSet> {
  const key = `${store.engine}:${store.location}`;
  const cached = pdqCache.get(key);
  if (cached && cached.version === await store.version()) return cached;
  const set = await store.pdqSet(PDQ_MIN_QUALITY);
  pdqCache.set(key, set);
  return set;
}

/**
 * Matches a case against every other case in the lab library: exact on SHA-256 (a contributed item
 * carries all three digests of the same bytes, so MD5 and SHA-1 would find the same items) and
 * perceptual on PDQ, the case's 8 dihedral variants against the library's hashes, in process.
 * A case never matches its own contribution. The hits replace the case's previous lab hits in one
 * transaction with an audit entry naming the library version, so a withdrawn case's hits are gone
 * after the next run and the log shows when they went.
 */
export async function crossMatchCase(c: OpenCase, store: LabStore, options: CrossMatchOptions = {}): Promise<CrossMatchSummary> {
  const started = performance.now();
  const threshold = options.pdqThreshold ?? DEFAULT_PDQ_THRESHOLD;
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > MAX_RADIUS) {
    throw new KestrelError(`--pdq-threshold must be a whole number from 0 to ${MAX_RADIUS} (got ${threshold})`, 'E_USAGE');
  }
  const db = c.db;
  const self = c.info.caseUuid;
  const version = await store.version();
  const hits: Hit[] = [];

  const contents = db.prepare('SELECT id, sha256 FROM content ORDER BY sha256').all() as { id: number; sha256: string }[];
  const contentBySha = new Map(contents.map((r) => [r.sha256, r.id]));
  const items = new Map<number, LabItem>();
  for (const it of await store.itemsBySha256(contents.map((r) => Buffer.from(r.sha256, 'hex')))) {
    if (it.caseUuid === self) continue;
    items.set(it.id, it);
    hits.push({ contentId: contentBySha.get(it.sha256)!, item: it.id, algorithm: 'sha256', distance: 0, threshold: 0, dihedral: null });
  }

  const q = caseQueries(db, 'pdq', 0, true);
  if (q.count > 0) {
    const set = await pdqSetOf(store);
    if (set.itemIds.length > 0) {
      const pairs = await searchHamming(set.hashes, q.hashes, threshold, options.threads === undefined ? {} : { threads: options.threads });
      // The same library item found exactly is not reported again as a near-duplicate at distance 0.
      const exact = new Set(hits.map((h) => `${h.contentId}:${h.item}`));
      const best = new Map<string, Hit>();
      for (let i = 0; i < pairs.count; i++) {
        const li = pairs.list[i]!;
        if (set.caseUuids.get(set.caseIds[li]!) === self) continue;
        const qi = pairs.query[i]!;
        const contentId = q.content[qi]!;
        const item = set.itemIds[li]!;
        const d = pairs.distance[i]!;
        const key = `${contentId}:${item}`;
        if (exact.has(key)) continue;
        const prev = best.get(key);
        if (prev && prev.distance <= d) continue;
        best.set(key, { contentId, item, algorithm: 'pdq', distance: d, threshold, dihedral: q.variant[qi]! });
      }
      const missing = [...new Set([...best.values()].map((h) => h.item))].filter((id) => !items.has(id));
      for (const it of await store.itemsByIds(missing)) items.set(it.id, it);
      hits.push(...best.values());
    }
  }
  const cases = await store.cases();
  const summary = writeHits(db, hits, items, version, options.examiner ?? 'kestrel', {
    engine: store.engine, library: store.location, libraryVersion: version, casesInLibrary: cases.filter((k) => k.withdrawnAt === null).length, pdqThreshold: threshold,
  });
  return { ...summary, seconds: Math.round((performance.now() - started) / 10) / 100 };
}

function writeHits(db: Db, hits: readonly Hit[], items: ReadonlyMap<number, LabItem>, version: number, actor: string,
  base: Pick<CrossMatchSummary, 'engine' | 'library' | 'libraryVersion' | 'casesInLibrary' | 'pdqThreshold'>): Omit<CrossMatchSummary, 'seconds'> {
  const now = new Date().toISOString();
  return db.transaction(() => {
    const before = (db.prepare('SELECT count(*) AS n FROM lab_match').get() as { n: number }).n;
    db.prepare('DELETE FROM lab_match').run();
    const insert = db.prepare(`INSERT OR IGNORE INTO lab_match (content_id, library_item, case_uuid, case_number, exhibit, category, scheme,
      examiner, decided_at, contributed_at, series, victims, algorithm, distance, threshold, dihedral, library_version, matched_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const h of hits) {
      const it = items.get(h.item);
      if (!it) throw new Error(`lab library item ${h.item} vanished during the match`);
      insert.run(h.contentId, h.item, it.caseUuid, it.caseNumber, it.exhibits.join(', '), it.category, it.scheme, it.decidedBy,
        it.decidedAt, it.contributedAt, JSON.stringify(it.series), JSON.stringify(it.victims), h.algorithm, h.distance, h.threshold,
        h.dihedral, version, now);
    }
    const t = db.prepare(`SELECT count(*) AS n, coalesce(sum(algorithm = 'sha256'), 0) AS exact, coalesce(sum(algorithm = 'pdq'), 0) AS pdq,
      count(DISTINCT content_id) AS contents, count(DISTINCT case_uuid) AS cases FROM lab_match`).get() as
      { n: number; exact: number; pdq: number; contents: number; cases: number };
    const summary = {
      ...base, caseMatches: t.n, exactCaseMatches: t.exact, perceptualCaseMatches: t.pdq, contentsSeenElsewhere: t.contents, otherCases: t.cases,
    };
    appendAudit(db, 'match.library', {
      ...summary, previousCaseMatches: before, pdqMinQuality: PDQ_MIN_QUALITY,
      algorithms: { sha256: 'exact', pdq: 'PDQ 256-bit, dihedral-aware' }, toolVersion: TOOL_VERSION,
      location: undefined,
    }, actor);
    return summary;
  })();
}

export interface CaseMatchLine {
  kind: 'case';
  path: string;
  sha256: string;
  case: string;
  exhibit: string;
  category: string | null;
  scheme: string | null;
  algorithm: 'sha256' | 'pdq';
  distance: number;
  threshold: number;
  examiner: string | null;
  date: string | null;
  series: string[];
  victims: string[];
}

/** Every (file instance, cross-case hit) of the case, for --json, the report and exports. */
export function* caseMatchLines(db: Db): Generator<CaseMatchLine> {
  const stmt = db.prepare(
    `SELECT f.path_text AS path, c.sha256, m.case_number, m.exhibit, m.category, m.scheme, m.algorithm, m.distance, m.threshold,
            m.examiner, m.decided_at, m.contributed_at, m.series, m.victims
     FROM lab_match m JOIN content c ON c.id = m.content_id JOIN file_instance f ON f.content_id = m.content_id
     ORDER BY f.path_text, m.case_number, m.algorithm, m.library_item`);
  for (const r of stmt.iterate() as Iterable<{ path: string; sha256: string; case_number: string; exhibit: string; category: string | null;
    scheme: string | null; algorithm: 'sha256' | 'pdq'; distance: number; threshold: number; examiner: string | null; decided_at: string | null;
    contributed_at: string; series: string; victims: string }>) {
    yield {
      kind: 'case', path: r.path, sha256: r.sha256, case: r.case_number, exhibit: r.exhibit, category: r.category, scheme: r.scheme,
      algorithm: r.algorithm, distance: r.distance, threshold: r.threshold, examiner: r.examiner, date: r.decided_at ?? r.contributed_at,
      series: JSON.parse(r.series) as string[], victims: JSON.parse(r.victims) as string[],
    };
  }
}
