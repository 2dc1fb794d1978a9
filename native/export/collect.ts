import { mergeCarried, type Carried } from '../matching/carried.js';
import type { Db } from '../catalog/sqlite.js';
import type { CaseInfo } from '../catalog/case.js';
import { findCategory, isSchemeId, type SchemeId } from '../catalog/schemes.js';
import { readAudit, type AuditEntry } from '../audit/log.js';
import { SIGNED_ACTION } from '../audit/signing.js';
import { compareText } from './manifest.js';
import { entryFlags, flagColumns, type FlagColumns } from '../catalog/entryFlags.js';
import { exhibitProvenance, type ExhibitProvenance } from '../disk/provenance.js';
import { caseHitsByContent, type CaseHit } from '../lab/caseHits.js';
import { readVideoData, readVideoMatches, type VideoData, type VideoMatchData } from './videoFindings.js';

export type { VideoData, VideoMatchData } from './videoFindings.js';

/**
 * Everything a case package says, read from the catalogue in one read transaction so that every
 * file of the package describes the same state of the case. Rows are ordered by stable keys
 * (hashes, labels, paths, sequence numbers), never by insertion order alone, so that the same case
 * always gives the same package.
 */
export interface PackageData {
  info: CaseInfo;
  /** The audit log up to the state exported (see `auditThrough`). */
  audit: AuditEntry[];
  exhibits: ExhibitData[];
  counts: Counts;
  hashLists: HashListUse[];
  methods: Method[];
  findings: Finding[];
}

export interface ExhibitData {
  id: number;
  label: string;
  description: string | null;
  sourcePath: string;
  createdAt: string;
  runs: IntakeRunData[];
  entries: number;
  files: number;
  findings: number;
  /** A disk image: format, segments, E01 verification and metadata, volumes (null for a folder). */
  image: ExhibitProvenance | null;
}

export interface IntakeRunData {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  toolVersion: string;
  performer: string;
}

export interface Counts {
  exhibits: number;
  entries: number;
  files: number;
  uniqueContents: number;
  findings: number;
  findingInstances: number;
  byCategory: CategoryCount[];
}

export interface CategoryCount {
  scheme: SchemeId | null;
  code: string | null;
  label: string;
  findings: number;
}

/** A version of a hash list the case was matched against (as recorded in the case, not the library). */
export interface HashListUse {
  name: string;
  version: string;
  format: string;
  /** SHA-256 of the list file as imported. */
  sha256: string;
  /** A known-file list (NSRL): its matches mark files to ignore. */
  known: boolean;
  scheme: string | null;
  pdqThreshold: number;
  blockhashThreshold: number;
  firstMatchedAt: string;
  matchedAt: string;
  toolVersion: string;
  matchedContents: number;
  /** Who ran the last match against it, from the audit log. */
  matchedBy: string;
}

/** One method applied to the evidence, as the report and the CASE/UCO provenance state it. */
export interface Method {
  step: 'intake' | 'image analysis' | 'video analysis' | 'matching' | 'categorisation';
  algorithm: string;
  version: string;
  parameters: Record<string, string>;
}

export interface Finding {
  contentId: number;
  sha256: string;
  sha1: string;
  md5: string;
  size: number;
  detectedType: string;
  image: ImageData | null;
  /** A video's probe and frame hashing (null for anything that is not an analysed video). */
  video: VideoData | null;
  instances: Instance[];
  matches: MatchData[];
  /** vPDQ matches against listed videos (whole or partial, shares of frames, time ranges). */
  videoMatches: VideoMatchData[];
  /** Other cases of the lab library holding it: intelligence, never a decision, never a list hit. */
  caseHits: CaseHit[];
  decision: DecisionData | null;
  category: FindingCategory | null;
  notes: { text: string; examiner: string; createdAt: string }[];
  tags: string[];
  /** What the lists that hold this very file (exact hash matches) say beyond its category. */
  carried: Carried;
}

export interface ImageData {
  width: number | null;
  height: number | null;
  pdq: string | null;
  pdqQuality: number | null;
  blockhash: string | null;
  algorithms: string;
}

export interface Instance {
  id: number;
  exhibitLabel: string;
  exhibitSource: string;
  intakeRunId: number;
  path: Buffer;
  pathText: string;
  size: number | null;
  mtime: string | null;
  ctime: string | null;
  atime: string | null;
  birthtime: string | null;
  extension: string | null;
  /** Where a disk image or an archive put it: deleted, orphan, alternate stream, in archive... (empty for live folder files). */
  flags: string[];
  /** Inode or MFT entry-sequence in its file system (disk images), as the catalogue keeps it. */
  inode: string | null;
  /** The file system it was read from (disk images). */
  fsType: string | null;
}

export interface MatchData {
  list: string;
  listVersion: string | null;
  /** The list's entry: its MediaID, label or record number. */
  entry: string;
  entryHash: string;
  algorithm: string;
  distance: number;
  threshold: number;
  variant: string | null;
  scheme: SchemeId | null;
  category: string | null;
  matchedAt: string | null;
}

export interface DecisionData {
  scheme: SchemeId;
  category: string;
  examiner: string;
  decidedAt: string;
}

export interface FindingCategory {
  scheme: SchemeId;
  code: string;
  label: string;
  /** 'examiner': a current category decision; 'hash list': the lists that matched agree on it. */
  source: 'examiner' | 'hash list';
}

/** Audit actions that record an export: they do not change the case, so a package stops before them. */
export const EXPORT_ACTION = 'export.package';
/** Recorded when a package recorded as exported could not be given its name after all (see exportCase). */
export const EXPORT_FAILED_ACTION = 'export.failed';

export function collectPackageData(db: Db, info: CaseInfo): PackageData {
  return db.transaction(() => {
    const audit = auditThroughLastChange(readAudit(db));
    const exhibits = readExhibits(db);
    const findings = readFindings(db, audit);
    const perExhibit = new Map<string, number>();
    for (const f of findings) {
      for (const label of new Set(f.instances.map((i) => i.exhibitLabel))) perExhibit.set(label, (perExhibit.get(label) ?? 0) + 1);
    }
    for (const e of exhibits) e.findings = perExhibit.get(e.label) ?? 0;
    return {
      info,
      audit,
      exhibits,
      counts: readCounts(db, exhibits, findings),
      hashLists: readHashListUses(db, audit),
      methods: readMethods(db, audit),
      findings,
    };
  })();
}

/**
 * The audit log of the state being exported: every entry up to the last one that is not itself the
 * record of an earlier export. A prefix of a hash chain verifies on its own, and leaving out trailing
 * export records is what lets two exports of an unchanged case give the same bytes.
 */
export function auditThroughLastChange(entries: AuditEntry[]): AuditEntry[] {
  let end = entries.length;
  const recordsAnExport = (e: AuditEntry) => e.action === EXPORT_ACTION || e.action === EXPORT_FAILED_ACTION || (e.action === SIGNED_ACTION && e.details['reason'] === 'exported');
  while (end > 0 && recordsAnExport(entries[end - 1]!)) end -= 1;
  return entries.slice(0, end);
}

function readExhibits(db: Db): ExhibitData[] {
  const rows = db.prepare('SELECT id, label, description, source_path, created_at FROM exhibit ORDER BY label').all() as
    { id: number; label: string; description: string | null; source_path: string; created_at: string }[];
  const runStmt = db.prepare('SELECT id, started_at, finished_at, status, tool_version FROM intake_run WHERE exhibit_id = ? ORDER BY id');
  const countStmt = db.prepare(
    "SELECT count(*) AS entries, sum(CASE WHEN entry_type = 'file' THEN 1 ELSE 0 END) AS files FROM file_instance WHERE exhibit_id = ?",
  );
  const performers = intakePerformers(db);
  return rows.map((r) => {
    const runs = runStmt.all(r.id) as { id: number; started_at: string; finished_at: string | null; status: string; tool_version: string }[];
    const c = countStmt.get(r.id) as { entries: number; files: number | null };
    return {
      id: r.id,
      label: r.label,
      description: r.description,
      sourcePath: r.source_path,
      createdAt: r.created_at,
      runs: runs.map((x) => ({
        id: x.id, startedAt: x.started_at, finishedAt: x.finished_at, status: x.status, toolVersion: x.tool_version,
        performer: performers.get(x.id) ?? 'kestrel',
      })),
      entries: c.entries,
      files: c.files ?? 0,
      findings: 0,
      image: exhibitProvenance(db, r.id),
    };
  });
}

/** Who started each intake run, from its `intake.start` audit entry. */
function intakePerformers(db: Db): Map<number, string> {
  const out = new Map<number, string>();
  const rows = db.prepare("SELECT actor, details FROM audit_log WHERE action = 'intake.start' ORDER BY seq").all() as { actor: string; details: string }[];
  for (const r of rows) {
    const run = (JSON.parse(r.details) as { run?: unknown }).run;
    if (typeof run === 'number') out.set(run, r.actor);
  }
  return out;
}

function readFindings(db: Db, audit: AuditEntry[]): Finding[] {
  const matchesByContent = readMatches(db);
  const videoMatches = readVideoMatches(db, audit);
  const videos = readVideoData(db);
  const carried = readCarried(db);
  const decisions = readDecisions(db);
  const caseHits = caseHitsByContent(db);
  const ids = new Set<number>([...matchesByContent.keys(), ...videoMatches.keys(), ...decisions.keys(), ...caseHits.keys()]);
  if (ids.size === 0) return [];
  const contentStmt = db.prepare('SELECT id, sha256, sha1, md5, size, detected_type FROM content WHERE id = ?');
  const instanceStmt = db.prepare(
    `SELECT f.id, e.label, e.source_path, f.intake_run_id, f.path, f.path_text, f.size, f.mtime, f.ctime, f.atime, f.birthtime, f.extension,
            f.inode, f.fs_type, e.source_kind, ${flagColumns('f')}
       FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id
      WHERE f.content_id = ? ORDER BY e.label, f.path`,
  );
  const imageStmt = db.prepare('SELECT width, height, pdq, pdq_quality, blockhash, algorithms FROM image_data WHERE content_id = ?');
  const noteStmt = db.prepare('SELECT text, examiner, created_at FROM note WHERE content_id = ? ORDER BY created_at, id');
  const tagStmt = db.prepare('SELECT tag FROM tag WHERE content_id = ? ORDER BY tag');
  const findings: Finding[] = [];
  for (const id of ids) {
    const c = contentStmt.get(id) as { id: number; sha256: string; sha1: string; md5: string; size: number; detected_type: string };
    const img = imageStmt.get(id) as
      | { width: number | null; height: number | null; pdq: string | null; pdq_quality: number | null; blockhash: string | null; algorithms: string }
      | undefined;
    const instances = (instanceStmt.all(id) as (FlagColumns & {
      id: number; label: string; source_path: string; intake_run_id: number; path: Buffer; path_text: string; size: number | null;
      mtime: string | null; ctime: string | null; atime: string | null; birthtime: string | null; extension: string | null;
      inode: string | null; fs_type: string | null; source_kind: string;
    })[]).map((r) => ({
      id: r.id, exhibitLabel: r.label, exhibitSource: r.source_path, intakeRunId: r.intake_run_id, path: r.path, pathText: r.path_text,
      size: r.size, mtime: r.mtime, ctime: r.ctime, atime: r.atime, birthtime: r.birthtime, extension: r.extension,
      inode: r.source_kind === 'image' ? r.inode : null,
      fsType: r.source_kind === 'image' ? r.fs_type : null,
      flags: entryFlags(r),
    }));
    const matches = matchesByContent.get(id) ?? [];
    const videoHits = videoMatches.get(id) ?? [];
    const decision = decisions.get(id) ?? null;
    findings.push({
      contentId: c.id,
      sha256: c.sha256,
      sha1: c.sha1,
      md5: c.md5,
      size: c.size,
      detectedType: c.detected_type,
      image: img ? { width: img.width, height: img.height, pdq: img.pdq, pdqQuality: img.pdq_quality, blockhash: img.blockhash, algorithms: img.algorithms } : null,
      video: videos.get(id) ?? null,
      instances,
      matches,
      videoMatches: videoHits,
      caseHits: caseHits.get(id) ?? [],
      decision,
      category: findingCategory(decision, [...matches, ...videoHits]),
      carried: carried.get(id) ?? {},
      notes: (noteStmt.all(id) as { text: string; examiner: string; created_at: string }[]).map((n) => ({ text: n.text, examiner: n.examiner, createdAt: n.created_at })),
      tags: (tagStmt.all(id) as { tag: string }[]).map((t) => t.tag),
    });
  }
  findings.sort((a, b) => compareText(a.sha256, b.sha256));
  return findings;
}

/**
 * The examiner's decision wins. Without one, the category the matching lists gave is shown only when
 * they all agree on one category in one scheme; lists that disagree leave the content uncategorised
 * for the examiner to decide, rather than Kestrel picking one.
 */
function findingCategory(decision: DecisionData | null, matches: { scheme: SchemeId | null; category: string | null }[]): FindingCategory | null {
  if (decision) return { scheme: decision.scheme, code: decision.category, label: categoryLabel(decision.scheme, decision.category), source: 'examiner' };
  const given = new Set(matches.filter((m) => m.scheme && m.category !== null).map((m) => `${m.scheme}\u0000${m.category}`));
  if (given.size !== 1) return null;
  const [scheme, code] = [...given][0]!.split('\u0000') as [SchemeId, string];
  return { scheme, code, label: categoryLabel(scheme, code), source: 'hash list' };
}

export function categoryLabel(scheme: SchemeId, code: string): string {
  return findCategory(scheme, code)?.label ?? code;
}

/** Current decisions: for each content, its latest decision not superseded. */
function readDecisions(db: Db): Map<number, DecisionData> {
  const out = new Map<number, DecisionData>();
  const rows = db.prepare(
    `SELECT content_id, scheme, category, examiner, decided_at FROM category_decision
      WHERE superseded_by IS NULL ORDER BY content_id, decided_at, id`,
  ).all() as { content_id: number; scheme: string; category: string; examiner: string; decided_at: string }[];
  for (const r of rows) {
    if (!isSchemeId(r.scheme)) continue;
    out.set(r.content_id, { scheme: r.scheme, category: r.category, examiner: r.examiner, decidedAt: r.decided_at });
  }
  return out;
}

/** Each content's carried list data, merged over its exact matches on lists other than known-file lists. */
function readCarried(db: Db): Map<number, Carried> {
  const rows = db.prepare(
    `SELECT content_id, entry_carried FROM hash_match
      WHERE entry_carried IS NOT NULL AND known = 0 AND algorithm IN ('md5', 'sha1', 'sha256')
      ORDER BY content_id, use_id, entry_record, id`,
  ).all() as { content_id: number; entry_carried: string }[];
  const byContent = new Map<number, Carried[]>();
  for (const r of rows) {
    const list = byContent.get(r.content_id) ?? [];
    list.push(JSON.parse(r.entry_carried) as Carried);
    byContent.set(r.content_id, list);
  }
  return new Map([...byContent].map(([id, all]) => [id, mergeCarried(all)]));
}

/**
 * The tool's matches against known-material lists. Matches on known-file lists (NSRL) mark files to
 * ignore, never findings, so they are left out.
 */
function readMatches(db: Db): Map<number, MatchData[]> {
  const out = new Map<number, MatchData[]>();
  const rows = db.prepare(
    `SELECT m.content_id, u.list_name, u.list_version, m.entry_hash, m.entry_media_id, m.entry_label, m.entry_record,
            m.algorithm, m.distance, m.threshold, m.dihedral, m.scheme, m.category, m.matched_at,
            m.via, x.kind AS via_kind, x.region_left, x.region_top, x.region_width, x.region_height
       FROM hash_match m JOIN hashlist_use u ON u.id = m.use_id
       LEFT JOIN pdq_extra x ON x.content_id = m.content_id AND x.name = m.via
      WHERE m.known = 0
      ORDER BY m.content_id, u.list_name, u.list_version, m.algorithm, m.entry_record, m.id`,
  ).all() as {
    content_id: number; list_name: string; list_version: number; entry_hash: string; entry_media_id: string | null; entry_label: string | null;
    entry_record: number; algorithm: string; distance: number; threshold: number; dihedral: number | null; scheme: string | null;
    category: string | null; matched_at: string; via: string | null; via_kind: string | null;
    region_left: number; region_top: number; region_width: number; region_height: number;
  }[];
  for (const r of rows) {
    const entry = r.entry_media_id !== null ? `MediaID ${r.entry_media_id}` : r.entry_label !== null ? r.entry_label : `record ${r.entry_record}`;
    const list = out.get(r.content_id) ?? [];
    list.push({
      list: r.list_name,
      listVersion: String(r.list_version),
      entry,
      entryHash: r.entry_hash,
      algorithm: r.algorithm,
      distance: r.distance,
      threshold: r.threshold,
      // A match through an extra hash says which part of the picture met the entry: the plain PDQ did not.
      variant: r.via !== null
        ? `through extra PDQ hash ${r.via} (${r.via_kind ?? 'unknown'}: ${r.region_width}x${r.region_height} at ${r.region_left},${r.region_top})`
        : r.dihedral === null ? null : `dihedral ${r.dihedral}`,
      scheme: r.scheme !== null && isSchemeId(r.scheme) ? r.scheme : null,
      category: r.category,
      matchedAt: r.matched_at,
    });
    out.set(r.content_id, list);
  }
  return out;
}

function readCounts(db: Db, exhibits: ExhibitData[], findings: Finding[]): Counts {
  const entries = exhibits.reduce((n, e) => n + e.entries, 0);
  const files = exhibits.reduce((n, e) => n + e.files, 0);
  const uniqueContents = db.prepare('SELECT count(*) FROM content').pluck().get() as number;
  const byKey = new Map<string, CategoryCount>();
  for (const f of findings) {
    const key = f.category ? `${f.category.scheme}\u0000${f.category.code}` : '';
    const entry = byKey.get(key) ?? {
      scheme: f.category?.scheme ?? null,
      code: f.category?.code ?? null,
      label: f.category ? f.category.label : 'Not categorised',
      findings: 0,
    };
    entry.findings += 1;
    byKey.set(key, entry);
  }
  return {
    exhibits: exhibits.length,
    entries,
    files,
    uniqueContents,
    findings: findings.length,
    findingInstances: findings.reduce((n, f) => n + f.instances.length, 0),
    byCategory: [...byKey.values()].sort(compareCategoryCounts),
  };
}

function compareCategoryCounts(a: CategoryCount, b: CategoryCount): number {
  if (a.scheme === null) return b.scheme === null ? 0 : 1;
  if (b.scheme === null) return -1;
  return a.scheme.localeCompare(b.scheme) || (a.code ?? '').localeCompare(b.code ?? '', 'en', { numeric: true });
}

function readHashListUses(db: Db, audit: AuditEntry[]): HashListUse[] {
  const rows = db.prepare(
    `SELECT u.list_name, u.list_version, u.list_format, u.list_format_version, u.list_sha256, u.known, u.scheme,
            u.pdq_threshold, u.blockhash_threshold, u.first_matched_at, u.matched_at, u.tool_version,
            (SELECT count(*) FROM (SELECT m.content_id FROM hash_match m WHERE m.use_id = u.id
                                   UNION SELECT v.content_id FROM video_match v WHERE v.use_id = u.id)) AS matched
       FROM hashlist_use u ORDER BY u.list_name, u.list_version, u.list_uid`,
  ).all() as {
    list_name: string; list_version: number; list_format: string; list_format_version: string | null; list_sha256: string; known: number;
    scheme: string | null; pdq_threshold: number; blockhash_threshold: number; first_matched_at: string; matched_at: string; tool_version: string; matched: number;
  }[];
  const matchedBy = new Map<string, string>();
  for (const e of audit) {
    const list = e.action === 'match.list' ? (e.details['list'] as { name?: unknown; version?: unknown } | undefined) : undefined;
    if (list) matchedBy.set(`${String(list.name)}\u0000${String(list.version)}`, e.actor);
  }
  return rows.map((r) => ({
    matchedBy: matchedBy.get(`${r.list_name}\u0000${r.list_version}`) ?? 'kestrel',
    name: r.list_name,
    version: String(r.list_version),
    format: r.list_format_version ? `${r.list_format} ${r.list_format_version}` : r.list_format,
    sha256: r.list_sha256,
    known: r.known === 1,
    scheme: r.scheme,
    pdqThreshold: r.pdq_threshold,
    blockhashThreshold: r.blockhash_threshold,
    firstMatchedAt: r.first_matched_at,
    matchedAt: r.matched_at,
    toolVersion: r.tool_version,
    matchedContents: r.matched,
  }));
}

function readMethods(db: Db, audit: AuditEntry[]): Method[] {
  const methods: Method[] = [];
  const seen = new Set<string>();
  const add = (m: Method) => {
    const key = JSON.stringify(m);
    if (!seen.has(key)) { seen.add(key); methods.push(m); }
  };
  for (const e of audit) {
    if (e.action !== 'intake.start') continue;
    const algorithms = Array.isArray(e.details['algorithms']) ? (e.details['algorithms'] as unknown[]).map(String) : [];
    const version = String(e.details['toolVersion'] ?? 'unknown');
    const readMode: Record<string, string> = typeof e.details['readMode'] === 'string' ? { readMode: e.details['readMode'] } : {};
    if (algorithms.length) {
      add({ step: 'intake', algorithm: algorithms.map((a) => a.toUpperCase().replace('SHA', 'SHA-')).join(', '), version: `Kestrel ${version}`, parameters: readMode });
    }
  }
  for (const e of audit) {
    if (e.action !== 'match.list') continue;
    const algorithms = e.details['algorithms'];
    const thresholds = e.details['thresholds'];
    if (!algorithms || typeof algorithms !== 'object' || !thresholds || typeof thresholds !== 'object') continue;
    const a = algorithms as Record<string, unknown>;
    const t = thresholds as Record<string, unknown>;
    const exact = Object.keys(a).filter((k) => a[k] === 'exact').map((k) => k.toUpperCase().replace('SHA', 'SHA-'));
    if (exact.length) add({ step: 'matching', algorithm: `${exact.join(', ')}: exact`, version: 'equal digests', parameters: {} });
    // Every match records vPDQ's rule, but only a vPDQ list holds videos to compare with.
    const list = e.details['list'] as { format?: unknown } | undefined;
    if (list?.format === 'vpdq' && a['vpdq'] !== undefined) add(vpdqMethod(String(a['vpdq']), t['vpdq']));
    for (const k of Object.keys(a).filter((x) => a[x] !== 'exact' && x !== 'vpdq').sort()) {
      // The extra PDQ hashes' threshold is recorded as pdqExtra, their definition as an object.
      const threshold = t[k === 'pdqExtras' ? 'pdqExtra' : k];
      const parameters: Record<string, string> = { 'largest Hamming distance that matches': String(threshold ?? 'not recorded') };
      if (k === 'pdq' && t['pdqMinQuality'] !== undefined) parameters['lowest PDQ quality matched'] = String(t['pdqMinQuality']);
      add({ step: 'matching', algorithm: k, version: versionText(a[k]), parameters });
    }
  }
  for (const e of audit) {
    if (e.action !== 'match.library') continue;
    add({
      step: 'matching',
      algorithm: 'other cases of the lab library: SHA-256 exact; PDQ, 8 dihedral variants',
      version: `library version ${String(e.details['libraryVersion'] ?? 'not recorded')} (${String(e.details['engine'] ?? 'unknown engine')})`,
      parameters: {
        'largest Hamming distance that matches': String(e.details['pdqThreshold'] ?? 'not recorded'),
        'lowest PDQ quality matched': String(e.details['pdqMinQuality'] ?? 'not recorded'),
      },
    });
  }
  const rows = db.prepare('SELECT DISTINCT algorithms FROM image_data ORDER BY algorithms').pluck().all() as string[];
  for (const json of rows) {
    for (const m of imageMethods(json)) add(m);
  }
  const videoRows = db.prepare('SELECT DISTINCT algorithms FROM video_data ORDER BY algorithms').pluck().all() as string[];
  for (const json of videoRows) {
    for (const m of imageMethods(json)) add({ ...m, step: 'video analysis' });
  }
  return methods;
}

/** An algorithm as the audit recorded it: a version string, or a definition with a name and a version. */
function versionText(v: unknown): string {
  if (v !== null && typeof v === 'object') {
    const d = v as { name?: unknown; version?: unknown };
    return `${String(d.name ?? 'unnamed')} ${String(d.version ?? 'not versioned')}`;
  }
  return String(v);
}

/** vPDQ matching as match.list records it: the rule's version and reference, and its three thresholds. */
function vpdqMethod(version: string, thresholds: unknown): Method {
  const t = (thresholds !== null && typeof thresholds === 'object' ? thresholds : {}) as Record<string, unknown>;
  const recorded = (v: unknown) => (v === undefined ? 'not recorded' : String(v));
  return {
    step: 'matching',
    algorithm: 'vpdq (videos: shares of matching frames on both sides)',
    version,
    parameters: {
      'largest PDQ distance between two frames that matches': recorded(t['distance']),
      'lowest frame quality compared': recorded(t['quality']),
      'share of frames (%) both sides need for a whole match': recorded(t['matchPercent']),
    },
  };
}

/** image_data.algorithms is a JSON object of named steps, each with a name and a version or library. */
function imageMethods(json: string): Method[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [{ step: 'image analysis', algorithm: json, version: 'unknown', parameters: {} }];
  }
  if (parsed === null || typeof parsed !== 'object') return [];
  return Object.keys(parsed).sort().map((key) => {
    const v = (parsed as Record<string, unknown>)[key];
    const fields = v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : { value: v };
    const { name, version, ...rest } = fields;
    // A step pinned to a library release (blockhash-core@0.1.0) has that as its version.
    const versioned = typeof version === 'string' || typeof version === 'number';
    if (!versioned && typeof rest['library'] === 'string') {
      const library = rest['library'];
      delete rest['library'];
      return { step: 'image analysis' as const, algorithm: typeof name === 'string' ? name : key, version: library, parameters: stringParams(rest) };
    }
    return {
      step: 'image analysis' as const,
      algorithm: typeof name === 'string' ? name : key,
      version: versioned ? String(version) : 'not versioned',
      parameters: stringParams(rest),
    };
  });
}

function stringParams(fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(fields).sort()) out[k] = typeof fields[k] === 'string' ? (fields[k] as string) : JSON.stringify(fields[k]);
  return out;
}
