import { userInfo } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { insideFolder } from '../util/insideFolder.js';
import { derivedUsage } from '../catalog/derivedUsage.js';
import { openLabStore } from '../lab/open.js';
import { contributesAtExport, rememberContributeAtExport } from '../lab/exportOptIn.js';
import { hashListsIn, importedCopyIn, importListInto, openListLibrary, shareListFrom } from '../lab/lists.js';
import { libraryLinks } from '../lab/links.js';
import { crossMatchCase } from '../lab/crossMatch.js';
import { previewFile, readOriginalAnywhere, viewSource, type OriginalImage } from '../review/original.js';
import { EvidenceReaders } from '../review/evidenceReaders.js';
import { VideoOriginals, type VideoOriginal } from '../review/videoOriginal.js';
import { videoDetail } from '../review/videoDetail.js';
import { compareItems, compareMatches } from '../review/compare.js';
import { changeScheme, schemeChangeImpact } from '../review/schemeChange.js';
import { caseHitsOf } from '../lab/caseHits.js';
import { contributeCase } from '../lab/contribute.js';
import { addLabel, labelsOf, removeLabel } from '../lab/labels.js';
import type { Channel } from './channels.js';
import type { ItemFilter, ParsedRequest } from './schemas.js';
import type {
  AppInfo, CaseCounts, ExportPackageResult, CaseSummary, ExhibitInfo, GroupDetail, GroupSummary, IntakeProgress, ItemDetail, MatchEvidence, ProfileInfo, Responses, Settings,
} from './types.js';
import { initCase, openCase, CATALOGUE_FILE, type OpenCase } from '../catalog/case.js';
import { SCHEMES, type SchemeId } from '../catalog/schemes.js';
import { appendAudit, readAudit, verifyChain, type AuditEntry } from '../audit/log.js';
import { runIntake, type IntakeProgress as EngineProgress } from '../intake/intake.js';
import { caseScheme, categorise, currentCategory, decisionHistory, sha256Of, undoDecisions } from '../review/decisions.js';
import { historyState, redoLastAction, undoLastAction } from '../review/history.js';
import { contentsOutside, countItems, itemRows, otherSchemeDecision, queryItems } from '../review/items.js';
import { caseShareItems, filterShareItems, writeShare } from '../hashsets/shareExport.js';
import { matchCase } from '../matching/matcher.js';
import { exportCase } from '../export/exportCase.js';
import { MIN_PASSPHRASE_LENGTH } from '../export/media.js';
import { verifyPackage } from '../export/verify.js';
import { currentLists } from '../export/currentLists.js';
import { displayPath } from '../util/pathBytes.js';
import { treeChildren } from '../review/evidenceTree.js';
import { exhibitProvenance } from '../disk/provenance.js';
import { entryFlags, type FlagColumns } from '../catalog/entryFlags.js';
import { KestrelError, describeError } from '../util/result.js';
import { TOOL_VERSION } from '../util/version.js';
import { listKeys, setProfileKey } from '../examiners/keys.js';
import { createProfile, listProfiles, profileNamed, updateProfile, useProfile, type ExaminerProfile } from '../examiners/profiles.js';

export type Handlers = { [C in Channel]: (request: ParsedRequest<C>) => Responses[C] | Promise<Responses[C]> };

export interface ServiceOptions {
  /** Folder of the hash-list library shared by all cases. */
  libraryDir: string;
  /** Opened at start when it holds a case; otherwise offered to the UI as the place to create one. */
  caseDir?: string;
  /** Start as this examiner: the profile of that name, made if there is none yet. Otherwise the UI asks. */
  examiner?: string;
  /** Folder of the examiner profiles (default: the per-user data folder, or KESTREL_PROFILES). */
  profilesDir?: string;
}

export interface KestrelService {
  handlers: Handlers;
  /** The file a thumbnail of this content can be read from: inside the open case's folder or not at all. */
  thumbnailFile(contentId: number): string | null;
  /** The viewer's stored preview of this content, inside the open case's folder, or null. */
  previewFile(contentId: number): string | null;
  /** The original picture, read read-only from the evidence (a folder, or a disk image through the Sleuth Kit) and checked against its SHA-256, or null. */
  originalImage(contentId: number): Promise<OriginalImage | null>;
  /** A video original opened read-only from the evidence and checked against its SHA-256 (the caller streams ranges from fd and closes it), or null. */
  originalVideo(contentId: number): VideoOriginal | null;
  close(): Promise<void>;
}

interface Job {
  progress: IntakeProgress;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * The review API over the engine, one session: at most one open case and one running intake.
 * Both transports (Electron IPC and the loopback bridge) call these same handlers after parsing
 * the arguments with the schemas in schemas.ts.
 */
export function createService(options: ServiceOptions): KestrelService {
  let open: OpenCase | null = null;
  let profile: ExaminerProfile | null = null;
  let suggestedCaseDir: string | null = null;
  const jobs = new Map<number, Job>();
  let nextJob = 1;
  // Helpers reading originals from the open case's disk images and archives: closed with the case.
  let containerReaders = new EvidenceReaders();
  const videoOriginals = new VideoOriginals();

  const requireCase = (): OpenCase => {
    if (!open) throw new KestrelError('no case is open', 'E_NO_CASE_OPEN');
    return open;
  };
  const actor = (): string => profile?.name ?? requireCase().info.examiner;
  /** The case's audit log says who is working from now on, with the profile and key that identify them. */
  const recordExaminer = (c: OpenCase, p: ExaminerProfile): void => {
    c.db.transaction(() => appendAudit(c.db, 'review.examiner', { examiner: p.name, profile: p.id, keyFingerprint: p.keyFingerprint }, p.name))();
  };
  const work = (p: ExaminerProfile): void => {
    profile = p;
    setProfileKey(p.keyFingerprint ?? undefined);
    if (open) recordExaminer(open, p);
  };
  if (options.examiner !== undefined) work(useProfile(profileNamed(options.examiner, options.profilesDir).id, options.profilesDir));
  if (options.caseDir !== undefined) {
    const dir = resolve(options.caseDir);
    if (existsSync(join(dir, CATALOGUE_FILE))) {
      open = openCase(dir);
      if (profile) recordExaminer(open, profile);
    } else suggestedCaseDir = dir;
  }

  const runningJob = (): Job | undefined => [...jobs.values()].find((j) => j.progress.state === 'running');

  const switchCase = (next: OpenCase): CaseSummary => {
    if (runningJob()) {
      next.close();
      throw new KestrelError('an intake is running; wait for it to finish before opening another case', 'E_BUSY');
    }
    open?.close();
    void containerReaders.close();
    containerReaders = new EvidenceReaders();
    open = next;
    suggestedCaseDir = null;
    if (profile) recordExaminer(next, profile);
    jobs.clear();
    return summary(next);
  };

  const appInfo = (): AppInfo => ({
    version: TOOL_VERSION,
    case: open ? summary(open) : null,
    suggestedCaseDir,
    libraryDir: options.libraryDir,
    examiner: open ? actor() : profile?.name ?? null,
    profile: profile ? profileInfo(profile) : null,
    minPassphraseLength: MIN_PASSPHRASE_LENGTH,
  });

  const handlers: Handlers = {
    appInfo,
    openCase: ({ dir }) => switchCase(openCase(dir)),
    createCase: ({ dir, caseNumber, examiner: lead, description, scheme }) => {
      const who = lead ?? profile?.name;
      if (!who) throw new KestrelError('a case needs its lead examiner: choose an examiner profile first', 'E_NO_PROFILE');
      const c = initCase(dir, { caseNumber, examiner: who, ...(description ? { description } : {}) });
      c.db.transaction(() => {
        writeSetting(c, 'categoryScheme', scheme);
        appendAudit(c.db, 'review.settings', { categoryScheme: scheme }, who);
      })();
      return switchCase(c);
    },
    caseCounts: () => caseCounts(requireCase()),
    getSettings: () => settings(requireCase()),
    setSettings: (req) => {
      const c = requireCase();
      c.db.transaction(() => {
        if (req.categoryScheme !== undefined) changeScheme(c.db, req.categoryScheme, actor(), req.confirmDecisionsInOtherSchemes);
        if (req.contributeAtExport !== undefined) rememberContributeAtExport(c, req.contributeAtExport, actor());
        appendAudit(c.db, 'review.settings', { ...req }, actor());
      })();
      return settings(c);
    },
    listProfiles: () => ({
      profiles: listProfiles(options.profilesDir).map(profileInfo),
      keys: listKeys().map((k) => ({ examiner: k.examiner, fingerprint: k.fingerprint, createdAt: k.createdAt })),
    }),
    createProfile: ({ name, keyFingerprint, wellbeing }) => {
      const made = createProfile({
        name, ...(keyFingerprint !== undefined ? { keyFingerprint } : {}), ...(wellbeing ? { wellbeing } : {}),
        ...(options.profilesDir ? { dir: options.profilesDir } : {}),
      });
      work(useProfile(made.id, options.profilesDir));
      return appInfo();
    },
    chooseProfile: ({ profileId }) => {
      work(useProfile(profileId, options.profilesDir));
      return appInfo();
    },
    updateProfile: ({ wellbeing, keyFingerprint }) => {
      if (!profile) throw new KestrelError('no examiner profile is working: choose one first', 'E_NO_PROFILE');
      const before = profile;
      const after = updateProfile(before.id, { ...(wellbeing ? { wellbeing } : {}), ...(keyFingerprint !== undefined ? { keyFingerprint } : {}) }, options.profilesDir);
      if (after.keyFingerprint !== before.keyFingerprint) work(after);
      else profile = after;
      return appInfo();
    },
    listExhibits: () => listExhibits(requireCase()),
    listFileErrors: ({ exhibitId, offset, limit }) => {
      const c = requireCase();
      const where = exhibitId === undefined ? 'f.error IS NOT NULL' : 'f.error IS NOT NULL AND f.exhibit_id = @exhibitId';
      const params = { exhibitId, offset, limit };
      const total = (c.db.prepare(`SELECT count(*) AS n FROM file_instance f WHERE ${where}`).get(params) as { n: number }).n;
      const rows = c.db.prepare(
        `SELECT e.label, f.path, f.error, f.error_code FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id
         WHERE ${where} ORDER BY f.id LIMIT @limit OFFSET @offset`,
      ).all(params) as { label: string; path: Buffer; error: string; error_code: string | null }[];
      return { total, rows: rows.map((r) => ({ exhibitLabel: r.label, path: displayPath(r.path), error: r.error, errorCode: r.error_code })) };
    },
    startIntake: ({ label, source, description }) => {
      const c = requireCase();
      if (runningJob()) throw new KestrelError('an intake is already running in this case', 'E_BUSY');
      const jobId = nextJob++;
      const abort = new AbortController();
      const progress: IntakeProgress = {
        jobId, label, source: resolve(source), state: 'running', filesDone: 0, filesTotal: null, bytesDone: 0,
        bytesTotal: null, filesPerSecond: 0, etaSeconds: null, errors: 0, recentErrors: [], message: null, resumed: null,
        startedAt: new Date().toISOString(), finishedAt: null,
      };
      const onProgress = (p: EngineProgress): void => {
        progress.filesDone = p.filesDone;
        progress.filesTotal = p.phase === 'listing' ? null : p.filesTotal;
        progress.bytesDone = p.bytesDone;
        progress.bytesTotal = p.phase === 'listing' ? null : p.bytesTotal;
        progress.filesPerSecond = p.filesPerSec;
        progress.etaSeconds = p.etaMs === null ? null : Math.round(p.etaMs / 1000);
        progress.errors = p.errors;
        progress.message = p.phase === 'listing' ? `listing: ${p.entries} entries found` : null;
      };
      const done = runIntake(c, source, {
        exhibit: label, examiner: actor(), signal: abort.signal, onProgress,
        ...(description ? { description } : {}),
      }).then(
        (s) => {
          progress.state = 'complete';
          progress.filesDone = s.files;
          progress.filesTotal = s.files;
          progress.bytesDone = s.bytes;
          progress.bytesTotal = s.bytes;
          progress.errors = s.errors;
          progress.etaSeconds = 0;
          progress.resumed = s.resumed;
          progress.message = `${s.resumed ? 'resumed an interrupted intake: ' : ''}${s.files} files, ${s.uniqueContent} unique, ${s.errors} errors`;
          progress.recentErrors = recentErrors(c, label);
        },
        (err: unknown) => {
          if (abort.signal.aborted) {
            // What the catalogue holds now, not the last progress tick (there may have been none): what a resume starts from.
            Object.assign(progress, exhibitReadState(c, label));
            progress.state = 'interrupted';
            progress.etaSeconds = null;
            progress.message = 'cancelled; start the same intake again (same exhibit ID and source) to resume where it stopped';
          } else {
            progress.state = 'failed';
            progress.message = describeError(err);
          }
          progress.recentErrors = recentErrors(c, label);
        },
      ).finally(() => { progress.finishedAt = new Date().toISOString(); });
      jobs.set(jobId, { progress, abort, done });
      return { ...progress };
    },
    intakeStatus: ({ jobId }) => {
      const job = jobs.get(jobId);
      if (!job) throw new KestrelError(`intake job ${jobId}: no such job in this session`, 'E_NO_JOB');
      if (job.progress.state === 'running' && open) job.progress.recentErrors = recentErrors(open, job.progress.label);
      return { ...job.progress };
    },
    cancelIntake: async ({ jobId }) => {
      const job = jobs.get(jobId);
      if (!job) throw new KestrelError(`intake job ${jobId}: no such job in this session`, 'E_NO_JOB');
      // A job that finished before the request arrived is left as it is; its state says so.
      if (job.progress.state === 'running') {
        job.abort.abort();
        await job.done;
      }
      return { ...job.progress };
    },
    facets: () => {
      const c = requireCase();
      return {
        fileTypes: c.db.prepare('SELECT detected_type AS type, count(*) AS count FROM content GROUP BY detected_type ORDER BY count DESC').all() as { type: string; count: number }[],
        exhibits: c.db.prepare('SELECT id, label FROM exhibit ORDER BY label').all() as { id: number; label: string }[],
        hashLists: (c.db.prepare('SELECT id, list_name, list_version, known FROM hashlist_use ORDER BY list_name, list_version').all() as
          { id: number; list_name: string; list_version: number; known: number }[])
          .map((u) => ({ id: u.id, name: u.list_name, version: u.list_version, known: u.known === 1 })),
        tags: (c.db.prepare('SELECT DISTINCT tag FROM tag ORDER BY tag').all() as { tag: string }[]).map((r) => r.tag),
      };
    },
    queryItems: ({ filter, sort, offset, limit, after, before }) => {
      const c = requireCase();
      return { offset, rows: queryItems(c.db, filter, sort, offset, limit, { after, before }) };
    },
    countItems: ({ filter }) => ({ total: countItems(requireCase().db, filter) }),
    getItem: ({ contentId }) => itemDetail(requireCase(), contentId),
    categorise: ({ contentIds, expectSha256, inView, category, via }) => {
      const c = requireCase();
      if (inView) refuseOutsideView(c, inView, contentIds);
      const out = categorise(c.db, contentIds, category, actor(), via, expectSha256);
      return { decisionIds: out.decisionIds, actionId: out.actionId, scheme: caseScheme(c.db), category };
    },
    undoDecisions: ({ decisionIds }) => undoDecisions(requireCase().db, decisionIds, actor()),
    undoLast: () => {
      const c = requireCase();
      const who = actor();
      return { ...undoLastAction(c.db, who), history: historyState(c.db, who) };
    },
    redoLast: () => {
      const c = requireCase();
      const who = actor();
      return { ...redoLastAction(c.db, who), history: historyState(c.db, who) };
    },
    addNote: ({ contentId, text }) => {
      const c = requireCase();
      const who = actor();
      return c.db.transaction(() => {
        const sha256 = sha256Of(c.db, contentId);
        const createdAt = new Date().toISOString();
        const id = Number(c.db.prepare('INSERT INTO note (content_id, text, examiner, created_at) VALUES (?, ?, ?, ?)').run(contentId, text, who, createdAt).lastInsertRowid);
        appendAudit(c.db, 'review.note', { content: contentId, sha256, note: id, text }, who);
        return { id, text, examiner: who, createdAt };
      })();
    },
    addTag: ({ contentIds, tag }) => changeTags(requireCase(), contentIds, tag, 'add', actor()),
    removeTag: ({ contentIds, tag }) => changeTags(requireCase(), contentIds, tag, 'remove', actor()),
    addLabel: ({ contentIds, kind, label }) => ({ changed: addLabel(requireCase().db, [...new Set(contentIds)], kind, label, actor()) }),
    removeLabel: ({ contentIds, kind, label }) => ({ changed: removeLabel(requireCase().db, [...new Set(contentIds)], kind, label, actor()) }),
    listGroups: ({ offset, limit, sort }) => {
      const c = requireCase();
      const total = count(c, 'SELECT count(*) AS n FROM near_duplicate_group');
      const ids = c.db.prepare(`SELECT g.id FROM near_duplicate_group g ORDER BY ${GROUP_ORDER[sort ?? 'id']} LIMIT ? OFFSET ?`).all(limit, offset) as { id: number }[];
      const scheme = caseScheme(c.db);
      return { total, groups: ids.map((g) => groupSummary(c, g.id, scheme)) };
    },
    getGroup: ({ groupId }) => {
      const c = requireCase();
      const summary = groupSummary(c, groupId, caseScheme(c.db));
      const members = c.db.prepare(
        'SELECT content_id, nearest_distance, representative_distance FROM near_duplicate_member WHERE group_id = ? ORDER BY representative_distance, content_id',
      ).all(groupId) as { content_id: number; nearest_distance: number; representative_distance: number | null }[];
      const byId = new Map(members.map((m) => [m.content_id, m]));
      const detail: GroupDetail = {
        ...summary,
        members: itemRows(c.db, members.map((m) => m.content_id)).map((r) => ({
          ...r, distance: byId.get(r.id)?.representative_distance ?? null, nearest: byId.get(r.id)?.nearest_distance ?? 0,
        })),
      };
      return detail;
    },
    listHashLists: async () => (await hashListsIn(options.libraryDir)).lists,
    importHashList: async ({ file, format, name, scheme, known, again }) => {
      const r = await importListInto(options.libraryDir, file, {
        ...(format !== undefined ? { format } : {}), ...(name !== undefined ? { name } : {}),
        ...(scheme !== undefined ? { scheme } : {}), ...(known !== undefined ? { known } : {}), ...(again ? { again } : {}),
        actor: profile?.name ?? open?.info.examiner ?? userInfo().username,
      });
      return { list: r.list, rejected: r.rejects.length, duplicateOf: r.duplicateOf };
    },
    findImportedCopy: ({ file }) => importedCopyIn(options.libraryDir, file),
    exportHashset: ({ out, format, list, listVersion, scheme, categories, booleans }) => {
      const filter = { ...(scheme !== undefined ? { scheme } : {}), ...(categories?.length ? { categories } : {}) };
      const opts = { format, ...filter, ...(booleans !== undefined ? { booleans } : {}) };
      if (list !== undefined) {
        // A list can be shared with no case open: then the session's user name is who did it.
        const who = profile?.name ?? open?.info.examiner ?? userInfo().username;
        return shareListFrom(options.libraryDir, out, list, listVersion, (items) => filterShareItems(items, filter), opts, who);
      }
      const c = requireCase();
      return writeShare(out, filterShareItems(caseShareItems(c), filter), { ...opts, examiner: actor() }, { kind: 'case', c, source: 'case findings' });
    },
    runMatch: async () => {
      const c = requireCase();
      if (runningJob()) throw new KestrelError('an intake is running; match when it has finished', 'E_BUSY');
      const lib = await openListLibrary(options.libraryDir);
      try {
        const summary = await matchCase(c, lib, { examiner: actor() });
        // the other cases of the lab library too, as kestrel match does
        const store = await openLabStore(options.libraryDir);
        try {
          await crossMatchCase(c, store, { examiner: actor() });
        } finally {
          await store.close();
        }
        return summary;
      } finally {
        lib.close();
      }
    },
    listAudit: ({ offset, limit }) => {
      const entries: AuditEntry[] = readAudit(requireCase().db);
      return { total: entries.length, entries: entries.slice(offset, offset + limit), verdict: verifyChain(entries) };
    },
    exportPackage: async ({ out, media, passphrase, zip, contributeToLibrary }) => {
      const c = requireCase();
      if (runningJob()) throw new KestrelError('an intake is running; export when it has finished', 'E_BUSY');
      // The passphrase goes to the encryption and nowhere else: not into the result, the log or the session.
      const r = await exportCase(c, out, {
        media, zip, examiner: actor(), currentLists: currentLists(options.libraryDir), ...(passphrase !== undefined ? { passphrase } : {}),
      });
      return {
        dir: r.dir, zip: r.zip, media, packageHash: r.packageHash, manifestSha256: r.manifestSha256, findings: r.findings,
        files: r.files.length + 1, auditSeq: r.auditSeq, unmatchedExhibits: r.unmatchedExhibits ?? [],
        contributed: (contributeToLibrary ?? contributesAtExport(c)) ? await contributeAfterExport(c, options.libraryDir, actor()) : null,
      };
    },
    verifyPackage: ({ path, manifestSha256 }) => verifyPackage(path, manifestSha256),
    viewSource: ({ contentId }) => viewSource(requireCase(), containerReaders, contentId),
    derivedUsage: () => derivedUsage(requireCase().dir),
    compareItems: ({ a, b }) => compareItems(requireCase(), a, b),
    compareMatches: ({ contentId }) => compareMatches(requireCase(), contentId),
    schemeChangeImpact: ({ scheme }) => schemeChangeImpact(requireCase().db, scheme),
    libraryLinks: async () => {
      const store = await openLabStore(options.libraryDir);
      try {
        return await libraryLinks(store);
      } finally {
        await store.close();
      }
    },
    evidenceTree: ({ exhibitId, parent }) => treeChildren(requireCase().db, exhibitId, parent),
  };

  const thumbnailFile = (contentId: number): string | null => {
    if (!open) return null;
    const row = open.db.prepare('SELECT thumbnail FROM image_data WHERE content_id = ?').get(contentId) as { thumbnail: string | null } | undefined;
    // A video's tile is its contact sheet (keyframes over its length), veiled like any picture.
    const file = row?.thumbnail ?? contactSheet(open.db, contentId);
    if (!file) return null;
    return insideFolder(open.dir, file);
  };

  return {
    handlers,
    thumbnailFile,
    previewFile: (contentId) => (open ? previewFile(open, contentId) : null),
    originalImage: async (contentId) => {
      if (!open) return null;
      const r = await readOriginalAnywhere(open, containerReaders, contentId);
      return 'bytes' in r ? r : null;
    },
    originalVideo: (contentId) => {
      if (!open) return null;
      const r = videoOriginals.open(open, contentId);
      return 'fd' in r ? r : null;
    },
    close: async () => {
      for (const job of jobs.values()) job.abort.abort();
      await Promise.allSettled([...jobs.values()].map((j) => j.done));
      await containerReaders.close();
      open?.close();
      open = null;
    },
  };
}

export { insideFolder };

function writeSetting(c: OpenCase, key: string, value: unknown): void {
  c.db.prepare('INSERT INTO case_setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    .run(key, JSON.stringify(value));
}

function settings(c: OpenCase): Settings {
  return { categoryScheme: caseScheme(c.db), contributeAtExport: contributesAtExport(c) };
}

function profileInfo(p: ExaminerProfile): ProfileInfo {
  return { id: p.id, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt, keyFingerprint: p.keyFingerprint, wellbeing: p.wellbeing };
}

function count(c: OpenCase, sql: string, ...params: unknown[]): number {
  return (c.db.prepare(sql).get(...params) as { n: number }).n;
}

function summary(c: OpenCase): CaseSummary {
  const scheme: SchemeId = caseScheme(c.db);
  return {
    dir: c.dir,
    caseUuid: c.info.caseUuid,
    caseNumber: c.info.caseNumber,
    examiner: c.info.examiner,
    description: c.info.description,
    createdAt: c.info.createdAt,
    scheme,
    schemeName: SCHEMES[scheme].name,
    categories: [...SCHEMES[scheme].categories],
  };
}

function caseCounts(c: OpenCase): CaseCounts {
  return {
    contents: count(c, 'SELECT count(*) AS n FROM content'),
    files: count(c, "SELECT count(*) AS n FROM file_instance WHERE entry_type = 'file'"),
    exhibits: count(c, 'SELECT count(*) AS n FROM exhibit'),
    matched: count(c, 'SELECT count(DISTINCT content_id) AS n FROM hash_match'),
    categorised: count(c, 'SELECT count(DISTINCT content_id) AS n FROM category_decision WHERE superseded_by IS NULL AND scheme = ?', caseScheme(c.db)),
    errors: count(c, 'SELECT count(*) AS n FROM file_instance WHERE error IS NOT NULL'),
  };
}

function listExhibits(c: OpenCase): ExhibitInfo[] {
  const exhibits = c.db.prepare(`
    SELECT e.id, e.label, e.description, e.source_path, e.created_at,
      (SELECT count(*) FROM file_instance f WHERE f.exhibit_id = e.id AND f.entry_type = 'file') AS files,
      (SELECT count(DISTINCT f.content_id) FROM file_instance f WHERE f.exhibit_id = e.id) AS contents,
      (SELECT count(*) FROM file_instance f WHERE f.exhibit_id = e.id AND f.error IS NOT NULL) AS errors
    FROM exhibit e ORDER BY e.id`).all() as {
    id: number; label: string; description: string | null; source_path: string; created_at: string; files: number; contents: number; errors: number;
  }[];
  const runs = c.db.prepare('SELECT id, source_path, started_at, finished_at, status FROM intake_run WHERE exhibit_id = ? ORDER BY id');
  return exhibits.map((e) => ({
    id: e.id, label: e.label, description: e.description, sourcePath: e.source_path, createdAt: e.created_at,
    files: e.files, contents: e.contents, errors: e.errors, image: exhibitProvenance(c.db, e.id),
    runs: (runs.all(e.id) as { id: number; source_path: string; started_at: string; finished_at: string | null; status: string }[])
      .map((r) => ({ id: r.id, sourcePath: r.source_path, startedAt: r.started_at, finishedAt: r.finished_at, status: r.status })),
  }));
}

function exhibitReadState(c: OpenCase, label: string): Pick<IntakeProgress, 'filesDone' | 'filesTotal' | 'bytesDone' | 'bytesTotal' | 'errors'> {
  const r = c.db.prepare(
    `SELECT count(*) AS files, coalesce(sum(f.read_state != 'pending'), 0) AS done, coalesce(sum(f.size), 0) AS bytes,
       coalesce(sum(CASE WHEN f.read_state != 'pending' THEN f.size ELSE 0 END), 0) AS bytesDone, coalesce(sum(f.read_state = 'error'), 0) AS errors
     FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id WHERE e.label = ? AND f.entry_type = 'file'`,
  ).get(label) as { files: number; done: number; bytes: number; bytesDone: number; errors: number };
  return { filesDone: r.done, filesTotal: r.files, bytesDone: r.bytesDone, bytesTotal: r.bytes, errors: r.errors };
}

function recentErrors(c: OpenCase, label: string): { path: string; error: string }[] {
  const rows = c.db.prepare(
    `SELECT f.path, f.error FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id
     WHERE e.label = ? AND f.error IS NOT NULL ORDER BY f.id DESC LIMIT 20`,
  ).all(label) as { path: Buffer; error: string }[];
  return rows.map((r) => ({ path: displayPath(r.path), error: r.error }));
}

/** A key never changes items the examiner cannot see: a selection partly filtered out of view is refused whole. */
function refuseOutsideView(c: OpenCase, filter: ItemFilter, contentIds: readonly number[]): void {
  const outside = contentsOutside(c.db, filter, contentIds);
  if (outside.length > 0) {
    throw new KestrelError(
      `${outside.length} of the ${contentIds.length} selected items are not shown by the current filters (content ${outside.slice(0, 5).join(', ')}${outside.length > 5 ? ', …' : ''}); nothing was categorised`,
      'E_NOT_IN_VIEW',
    );
  }
}

function changeTags(c: OpenCase, contentIds: readonly number[], tag: string, how: 'add' | 'remove', who: string): { changed: number } {
  const add = c.db.prepare('INSERT OR IGNORE INTO tag (content_id, tag, examiner, created_at) VALUES (?, ?, ?, ?)');
  const remove = c.db.prepare('DELETE FROM tag WHERE content_id = ? AND tag = ?');
  return c.db.transaction(() => {
    const now = new Date().toISOString();
    const items: { content: number; sha256: string }[] = [];
    for (const id of new Set(contentIds)) {
      const sha256 = sha256Of(c.db, id);
      const changes = how === 'add' ? add.run(id, tag, who, now).changes : remove.run(id, tag).changes;
      if (changes > 0) items.push({ content: id, sha256 });
    }
    if (items.length > 0) appendAudit(c.db, how === 'add' ? 'review.tag' : 'review.untag', { tag, items }, who);
    return { changed: items.length };
  })();
}

function itemDetail(c: OpenCase, contentId: number): ItemDetail {
  const row = c.db.prepare('SELECT * FROM content WHERE id = ?').get(contentId) as
    | { id: number; sha256: string; sha1: string; md5: string; size: number; detected_type: string }
    | undefined;
  if (!row) throw new KestrelError(`content ${contentId}: no such item in this case`, 'E_NO_CONTENT');
  const img = c.db.prepare('SELECT * FROM image_data WHERE content_id = ?').get(contentId) as
    | { width: number | null; height: number | null; pdq: string | null; pdq_quality: number | null; blockhash: string | null;
        exif: string | null; orientation: number | null; thumbnail: string | null; decode_error: string | null; algorithms: string | null }
    | undefined;
  const instances = c.db.prepare(
    `SELECT f.*, e.label FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id WHERE f.content_id = ? ORDER BY f.id`,
  ).all(contentId) as (FlagColumns & {
    id: number; label: string; path: Buffer; size: number | null; mtime: string | null; ctime: string | null; atime: string | null;
    birthtime: string | null; extension: string | null; type_mismatch: number; error: string | null; inode: string | null;
    fs_type: string | null; address: string | null;
  })[];
  const notes = c.db.prepare('SELECT id, text, examiner, created_at FROM note WHERE content_id = ? ORDER BY id').all(contentId) as
    { id: number; text: string; examiner: string; created_at: string }[];
  const tags = c.db.prepare('SELECT tag FROM tag WHERE content_id = ? ORDER BY tag').all(contentId) as { tag: string }[];
  let exif: Record<string, unknown> | null = null;
  if (img?.exif) {
    try {
      exif = JSON.parse(img.exif) as Record<string, unknown>;
    } catch {
      exif = { unparseable: img.exif };
    }
  }
  return {
    id: row.id, md5: row.md5, sha1: row.sha1, sha256: row.sha256, size: row.size, type: row.detected_type,
    image: img ? {
      width: img.width, height: img.height, pdq: img.pdq, pdqQuality: img.pdq_quality, blockhash: img.blockhash,
      orientation: img.orientation, decodeError: img.decode_error, algorithms: img.algorithms,
    } : null,
    exif,
    hasThumbnail: Boolean(img?.thumbnail) || Boolean(contactSheet(c.db, contentId)),
    instances: instances.map((f) => ({
      id: f.id, exhibitLabel: f.label, path: displayPath(f.path), size: f.size, mtime: f.mtime, ctime: f.ctime, atime: f.atime,
      birthtime: f.birthtime, extension: f.extension, typeMismatch: f.type_mismatch === 1, error: f.error,
      flags: entryFlags(f), fsAddress: f.address !== null ? f.inode : null, fsType: f.fs_type,
    })),
    matches: matchEvidence(c, contentId),
    caseHits: caseHitsOf(c.db, contentId),
    labels: labelsOf(c.db, contentId),
    decisions: decisionHistory(c.db, contentId),
    category: currentCategory(c.db, contentId),
    notes: notes.map((n) => ({ id: n.id, text: n.text, examiner: n.examiner, createdAt: n.created_at })),
    tags: tags.map((t) => t.tag),
    groupId: (c.db.prepare('SELECT group_id FROM near_duplicate_member WHERE content_id = ?').get(contentId) as { group_id: number } | undefined)?.group_id ?? null,
    otherSchemeDecision: otherSchemeDecision(c.db, contentId),
    video: videoDetail(c.db, contentId),
  };
}

function matchEvidence(c: OpenCase, contentId: number): MatchEvidence[] {
  const rows = c.db.prepare(
    `SELECT u.list_name, u.list_version, u.list_sha256, m.entry_record, m.entry_hash, m.entry_media_id, m.entry_label,
       m.algorithm, m.distance, m.threshold, m.dihedral, m.category, m.scheme, m.known, m.matched_at,
       m.via, x.kind AS via_kind, x.region_left, x.region_top, x.region_width, x.region_height, x.pdq AS via_pdq
     FROM hash_match m JOIN hashlist_use u ON u.id = m.use_id
     LEFT JOIN pdq_extra x ON x.content_id = m.content_id AND x.name = m.via
     WHERE m.content_id = ? ORDER BY m.known, m.distance, u.list_name`,
  ).all(contentId) as {
    list_name: string; list_version: number; list_sha256: string; entry_record: number; entry_hash: string; entry_media_id: string | null;
    entry_label: string | null; algorithm: string; distance: number; threshold: number; dihedral: number | null; category: string | null;
    scheme: string | null; known: number; matched_at: string; via: string | null; via_kind: string | null;
    region_left: number; region_top: number; region_width: number; region_height: number; via_pdq: string | null;
  }[];
  return rows.map((r) => ({
    list: r.list_name, listVersion: r.list_version, listSha256: r.list_sha256, entryRecord: r.entry_record, entryHash: r.entry_hash,
    entryMediaId: r.entry_media_id, entryLabel: r.entry_label, algorithm: r.algorithm, distance: r.distance, threshold: r.threshold,
    dihedral: r.dihedral, category: r.category, scheme: r.scheme, known: r.known === 1, matchedAt: r.matched_at,
    via: r.via === null ? null : {
      hash: r.via, kind: r.via_kind ?? 'unknown', pdq: r.via_pdq ?? '',
      region: { left: r.region_left, top: r.region_top, width: r.region_width, height: r.region_height },
    },
  }));
}

/** Group orders over the whole list (sizes and hits are counted per group in the index of members). */
const GROUP_ORDER = {
  id: 'g.id',
  size: '(SELECT count(*) FROM near_duplicate_member m WHERE m.group_id = g.id) DESC, g.id',
  hits: `(SELECT count(*) FROM near_duplicate_member m WHERE m.group_id = g.id
     AND EXISTS (SELECT 1 FROM hash_match h WHERE h.content_id = m.content_id AND h.known = 0)) DESC, g.id`,
} as const;

function groupSummary(c: OpenCase, groupId: number, scheme: SchemeId): GroupSummary {
  const g = c.db.prepare(
    `SELECT g.id, g.algorithm, g.threshold, g.extra_threshold, g.representative, g.rule, count(m.content_id) AS size,
       max(coalesce(m.representative_distance, m.nearest_distance)) AS max_distance,
       sum(EXISTS (SELECT 1 FROM category_decision d WHERE d.content_id = m.content_id AND d.superseded_by IS NULL AND d.scheme = @scheme)) AS categorised,
       sum(EXISTS (SELECT 1 FROM hash_match h WHERE h.content_id = m.content_id AND h.known = 0)) AS hits,
       (SELECT i.thumbnail IS NOT NULL FROM image_data i WHERE i.content_id = g.representative) AS rep_thumb
     FROM near_duplicate_group g JOIN near_duplicate_member m ON m.group_id = g.id WHERE g.id = @id GROUP BY g.id`,
  ).get({ id: groupId, scheme }) as
    { id: number; algorithm: string; threshold: number; extra_threshold: number | null; representative: number | null; rule: string | null;
      size: number; max_distance: number; categorised: number; hits: number; rep_thumb: number | null } | undefined;
  if (!g) throw new KestrelError(`near-duplicate group ${groupId}: no such group in this case`, 'E_NO_GROUP');
  return {
    id: g.id, size: g.size, categorised: g.categorised, algorithm: g.algorithm, threshold: g.threshold, extraThreshold: g.extra_threshold,
    maxDistance: g.max_distance, representative: g.representative, representativeHasThumbnail: g.rep_thumb === 1, rule: g.rule, hits: g.hits,
  };
}

function contactSheet(db: OpenCase['db'], contentId: number): string | null {
  const row = db.prepare('SELECT contact_sheet FROM video_data WHERE content_id = ?').get(contentId) as { contact_sheet: string | null } | undefined;
  return row?.contact_sheet ?? null;
}

/** After the package is written, so the package states the case as it was (library.contribute comes after export.package in the log). */
async function contributeAfterExport(c: OpenCase, libraryDir: string, examiner: string): Promise<ExportPackageResult['contributed']> {
  const store = await openLabStore(libraryDir);
  try {
    const s = await contributeCase(c, store, examiner);
    return { items: s.items, categorised: s.categorised, libraryVersion: s.libraryVersion, library: s.library };
  } finally {
    await store.close();
  }
}
