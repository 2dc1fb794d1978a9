import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OpenCase } from '../catalog/case.js';
import { appendAudit } from '../audit/log.js';
import { signAuditHead } from '../audit/signing.js';
import { KestrelError, describeError } from '../util/result.js';
import { TOOL_VERSION } from '../util/version.js';
import { CatalogWriter } from './catalogWriter.js';
import { ReaderPool } from './readerPool.js';
import { claimingReaders } from './pictureClaims.js';
import { extensionMismatch } from './sniff.js';
import { walkSource, type WalkEntry } from './walk.js';
import { LISTING_METHOD } from '../fsnoatime/listFolder.js';
import { IMAGE_ALGORITHMS } from '../image/analyse.js';
import { ANALYSABLE_IMAGE_TYPES } from '../image/formats.js';
import { saveThumbnail } from '../image/store.js';
import { catalogueImage, imageMaterializer, openImage, recordProvenance, type OpenedImage } from './imageIntake.js';
import { expandArchives, type ArchiveLimits, type ArchiveRunSummary } from './archiveIntake.js';
import { folderArchiveMaterializer } from './folderArchive.js';
import { analyseVideos } from './videos.js';
import { VIDEO_ALGORITHMS } from '../video/analyse.js';

export interface IntakeOptions {
  exhibit: string;
  description?: string;
  examiner?: string;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (p: IntakeProgress) => void;
  /** Disk images: the file system type to force (a name TSK knows: ntfs, fat, ext4, hfs, apfs, iso9660...). */
  fsType?: string;
  /** Disk images: catalogue each allocated file's slack (its last cluster past the content) as an entry of its own. */
  fileSlack?: boolean;
  /** Disk images: the Sleuth Kit helper's per-request timeout and extra environment. */
  tsk?: { timeoutMs?: number; env?: NodeJS.ProcessEnv };
  /** Limits on expanding archives found in the evidence (defaults: DEFAULT_ARCHIVE_LIMITS). */
  archiveLimits?: Partial<ArchiveLimits>;
}

export interface IntakeProgress {
  phase: 'listing' | 'reading' | 'done';
  entries: number;
  filesTotal: number;
  filesDone: number;
  bytesTotal: number;
  bytesDone: number;
  errors: number;
  elapsedMs: number;
  filesPerSec: number;
  bytesPerSec: number;
  etaMs: number | null;
}

export interface IntakeSummary {
  exhibit: string;
  source: string;
  run: number;
  resumed: boolean;
  entries: number;
  files: number;
  directories: number;
  symlinks: number;
  otherEntries: number;
  bytes: number;
  errors: number;
  typeMismatches: number;
  uniqueContent: number;
  /** Pictures of this exhibit with perceptual data, and how many of those failed to decode. */
  imagesAnalysed: number;
  imageDecodeErrors: number;
  /** Videos of this exhibit with a video analysis, and how many of those could not be decoded. */
  videosAnalysed: number;
  videoDecodeErrors: number;
  filesReadThisRun: number;
  bytesReadThisRun: number;
  durationMs: number;
  mbPerSec: number;
  filesPerSec: number;
  /** Archives expanded (this run) and what the catalogue holds of them. */
  archives: { expandedThisRun: number; members: number; encrypted: number; limited: number; failed: number };
  /** For a disk image: its container, verification and what the file systems hold besides live files. */
  image?: ImageSummary;
}

export interface ImageSummary {
  format: string;
  segments: number;
  verification: string | null;
  verificationMessage: string | null;
  volumes: string[];
  deleted: number;
  orphans: number;
  altStreams: number;
  contentUnverified: number;
}

const ALGORITHMS = ['md5', 'sha1', 'sha256'] as const;
const LIST_BATCH = 2000;
const PAGE = 1024;
const MAX_IN_FLIGHT = 64;
const PROGRESS_EVERY_MS = 250;

/**
 * Catalogues every entry below SOURCE into the case, read-only. Idempotent and resumable: it lists
 * the source (recording entries not yet recorded), then reads every file still pending. Killed at any
 * moment, the same call completes the work with the same catalogue as an uninterrupted run, because
 * each batch of rows lands in one transaction and a file is pending until its digests are stored.
 */
export async function runIntake(c: OpenCase, sourceArg: string, opts: IntakeOptions): Promise<IntakeSummary> {
  const source = resolve(sourceArg);
  const sourceIsFolder = checkSource(source);
  const started = Date.now();
  const image = sourceIsFolder ? null : await openImage(source, opts);
  if (image) {
    try {
      return await runImageIntake(c, source, image, opts, started);
    } finally {
      await image.client.close();
    }
  }
  let run: { exhibitId: number; runId: number; resumed: boolean };
  try {
    run = startRun(c, source, opts);
  } catch (err) {
    throw translateStorageError(err, c.dir);
  }
  const { exhibitId, runId, resumed } = run;
  const writer = new CatalogWriter(c.db, exhibitId, runId);
  const progress = new ProgressClock(started, opts.onProgress);
  const sourceBytes = Buffer.from(source);
  const isSourceRoot = (e: WalkEntry) => e.abs.equals(sourceBytes);

  try {
    await listSource(sourceBytes, writer, isSourceRoot, progress, opts.signal);
    const locate = (rel: Buffer) => (sourceIsFolder ? Buffer.concat([sourceBytes, Buffer.from('/'), rel]) : sourceBytes);
    const read = await readPending(c, exhibitId, locate, writer, progress, opts);
    await analyseMissingImages(c, exhibitId, locate, writer, opts);
    await analyseVideos(c, exhibitId, locate, { exhibit: opts.exhibit, examiner: opts.examiner, signal: opts.signal });
    const archives = await expandArchives(c, exhibitId, writer, folderArchiveMaterializer(c.db, locate), opts);
    return finishRun(c, exhibitId, runId, source, opts.exhibit, resumed, started, read, progress, archives);
  } catch (err) {
    throw endRunOnError(c, runId, opts, err);
  }
}

/** A run that fails is marked interrupted when the examiner cancelled it; the error is returned for throwing. */
function endRunOnError(c: OpenCase, runId: number, opts: IntakeOptions, err: unknown): unknown {
  if (opts.signal?.aborted) {
    c.db.transaction(() => {
      c.db.prepare("UPDATE intake_run SET status = 'interrupted' WHERE id = ?").run(runId);
      appendAudit(c.db, 'intake.interrupted', { exhibit: opts.exhibit, run: runId }, opts.examiner);
    })();
  }
  return translateStorageError(err, c.dir);
}

/**
 * The same run for a disk image: provenance first (segments hashed, E01 verified), then every
 * volume listed and every file read through the Sleuth Kit helper. Resumable like a folder intake:
 * entries and reads land in transactions, and a re-run lists the same addresses again.
 */
async function runImageIntake(c: OpenCase, source: string, image: OpenedImage, opts: IntakeOptions, started: number): Promise<IntakeSummary> {
  let run: { exhibitId: number; runId: number; resumed: boolean };
  try {
    run = startRun(c, source, opts, { tsk: image.tskVersion, format: image.image.format, fsType: opts.fsType ?? 'auto' });
  } catch (err) {
    throw translateStorageError(err, c.dir);
  }
  const { exhibitId, runId, resumed } = run;
  const writer = new CatalogWriter(c.db, exhibitId, runId);
  const progress = new ProgressClock(started, opts.onProgress);
  try {
    await recordProvenance(c, exhibitId, image, opts);
    const read = await catalogueImage(c, exhibitId, writer, image, opts, (change) => progress.tick(change), (f, b) => progress.setTotals(f, b));
    progress.tick({}, true);
    const archives = await expandArchives(c, exhibitId, writer, imageMaterializer(c, image), opts);
    return finishRun(c, exhibitId, runId, source, opts.exhibit, resumed, started, read, progress, archives);
  } catch (err) {
    throw endRunOnError(c, runId, opts, err);
  }
}

/** Whether the source is a folder (else one file: a disk image, a device); a missing one is refused. */
function checkSource(source: string): boolean {
  try {
    return statSync(source).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KestrelError(`${source}: no such file or folder`, 'E_SOURCE');
    throw new KestrelError(`${source}: cannot read the source: ${describeError(err)}`, 'E_SOURCE');
  }
}

function startRun(
  c: OpenCase, source: string, opts: IntakeOptions, image?: { tsk: string; format: string; fsType: string },
): { exhibitId: number; runId: number; resumed: boolean } {
  return c.db.transaction(() => {
    const existing = c.db.prepare('SELECT id, source_path FROM exhibit WHERE label = ?').get(opts.exhibit) as
      | { id: number; source_path: string }
      | undefined;
    let exhibitId: number;
    if (existing) {
      if (existing.source_path !== source) {
        throw new KestrelError(
          `exhibit ${opts.exhibit} was taken in from ${existing.source_path}, not ${source}; use another exhibit ID`,
          'E_EXHIBIT_SOURCE',
        );
      }
      exhibitId = existing.id;
    } else {
      const now = new Date().toISOString();
      exhibitId = Number(
        c.db.prepare('INSERT INTO exhibit (label, description, source_path, created_at) VALUES (?, ?, ?, ?)')
          .run(opts.exhibit, opts.description ?? null, source, now).lastInsertRowid,
      );
      appendAudit(c.db, 'exhibit.add', { exhibit: opts.exhibit, description: opts.description ?? null, source }, opts.examiner);
    }
    const interrupted = c.db
      .prepare("UPDATE intake_run SET status = 'interrupted' WHERE exhibit_id = ? AND status = 'running'")
      .run(exhibitId).changes;
    const earlier = c.db.prepare('SELECT count(*) FROM intake_run WHERE exhibit_id = ?').pluck().get(exhibitId) as number;
    const runId = Number(
      c.db.prepare(
        "INSERT INTO intake_run (exhibit_id, source_path, started_at, status, tool_version) VALUES (?, ?, ?, 'running', ?)",
      ).run(exhibitId, source, new Date().toISOString(), TOOL_VERSION).lastInsertRowid,
    );
    appendAudit(c.db, 'intake.start', {
      exhibit: opts.exhibit,
      source,
      run: runId,
      resumed: earlier > 0,
      interruptedRuns: interrupted,
      algorithms: [...ALGORITHMS],
      imageAlgorithms: IMAGE_ALGORITHMS,
      videoAlgorithms: VIDEO_ALGORITHMS,
      ...(image
        ? { readMode: 'disk image opened read-only by libtsk in a supervised helper process', listing: `The Sleuth Kit ${image.tsk} (kestrel-tsk)`, imageFormat: image.format, fsType: image.fsType, fileSlack: opts.fileSlack === true }
        : { readMode: 'read-only, O_NOFOLLOW, O_NOATIME where permitted', listing: LISTING_METHOD }),
      toolVersion: TOOL_VERSION,
    }, opts.examiner);
    return { exhibitId, runId, resumed: earlier > 0 };
  })();
}

/**
 * Lists the source in batches, handing the event loop back between batches: in the UI's server the
 * same loop answers the examiner's requests (and a cancel) while a large source is listed.
 */
async function listSource(
  source: Buffer,
  writer: CatalogWriter,
  isSourceRoot: (e: WalkEntry) => boolean,
  progress: ProgressClock,
  signal: AbortSignal | undefined,
): Promise<void> {
  let batch: WalkEntry[] = [];
  let listed = 0;
  for (const entry of walkSource(source)) {
    batch.push(entry);
    listed += 1;
    if (batch.length >= LIST_BATCH) {
      signal?.throwIfAborted();
      writer.addEntries(batch, isSourceRoot);
      batch = [];
      progress.tick({ phase: 'listing', entries: listed });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  writer.addEntries(batch, isSourceRoot);
  progress.tick({ phase: 'listing', entries: listed }, true);
}

interface PendingRow { id: number; path: Buffer; path_text: string; size: number | null; mtime: string | null; extension: string | null }

async function readPending(
  c: OpenCase,
  exhibitId: number,
  locate: (rel: Buffer) => Buffer,
  writer: CatalogWriter,
  progress: ProgressClock,
  opts: IntakeOptions,
): Promise<{ files: number; bytes: number }> {
  const totals = c.db.prepare(`
    SELECT count(*) AS files, coalesce(sum(size), 0) AS bytes FROM file_instance
    WHERE exhibit_id = ? AND read_state = 'pending'`).get(exhibitId) as { files: number; bytes: number };
  const page = c.db.prepare(`
    SELECT id, path, path_text, size, mtime, extension FROM file_instance
    WHERE exhibit_id = ? AND read_state = 'pending' AND id > ? ORDER BY id LIMIT ?`);
  const { pool, flush, record } = claimingReaders(c, opts.workers, writer);
  const inFlight = new Set<Promise<void>>();
  let filesDone = 0;
  let bytesDone = 0;
  let errors = 0;
  progress.setTotals(totals.files, totals.bytes);
  try {
    let lastId = 0;
    for (;;) {
      const rows = page.all(exhibitId, lastId, PAGE) as PendingRow[];
      if (rows.length === 0) break;
      lastId = rows[rows.length - 1]!.id;
      for (const row of rows) {
        opts.signal?.throwIfAborted();
        const task = pool
          .read({ id: row.id, path: new Uint8Array(locate(row.path)), listedSize: row.size ?? 0, listedMtime: row.mtime ?? '' })
          .then((res) => {
            filesDone += 1;
            if (res.ok) {
              bytesDone += res.size;
              record({
                ok: true, instanceId: row.id, pathText: row.path_text, md5: res.md5, sha1: res.sha1, sha256: res.sha256,
                size: res.size, mime: res.mime, typeMismatch: extensionMismatch(row.extension ?? '', res),
                changedDuringIntake: res.changedDuringIntake,
                image: res.image, thumbnail: res.image ? saveThumbnail(c.dir, res.sha256, res.image) : null,
              });
            } else {
              errors += 1;
              record({ ok: false, instanceId: row.id, pathText: row.path_text, code: res.code, message: res.message });
            }
            progress.tick({ phase: 'reading', filesDone, bytesDone, errors });
          });
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
        if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      }
    }
    await Promise.all(inFlight);
  } finally {
    await Promise.allSettled(inFlight);
    flush();
    await pool.close();
  }
  return { files: filesDone, bytes: bytesDone };
}

/**
 * Pictures of this exhibit catalogued without perceptual data (by an earlier version of Kestrel,
 * before image analysis existed) are read once more and analysed, so that re-running the intake
 * completes them. A file whose bytes no longer give the catalogued SHA-256 is left as it is and
 * logged: its analysis would not be of the catalogued content.
 */
async function analyseMissingImages(
  c: OpenCase,
  exhibitId: number,
  locate: (rel: Buffer) => Buffer,
  writer: CatalogWriter,
  opts: IntakeOptions,
): Promise<void> {
  const missing = c.db.prepare(`
    SELECT c.id AS contentId, c.sha256, f.id AS instanceId, f.path, f.path_text, f.size, f.mtime
    FROM content c
    JOIN file_instance f ON f.id = (
      SELECT min(id) FROM file_instance WHERE content_id = c.id AND exhibit_id = ? AND read_state = 'done')
    WHERE c.detected_type IN (SELECT value FROM json_each(?))
      AND NOT EXISTS (SELECT 1 FROM image_data i WHERE i.content_id = c.id)
    ORDER BY c.id`).all(exhibitId, JSON.stringify(ANALYSABLE_IMAGE_TYPES)) as Array<{
    contentId: number; sha256: string; instanceId: number; path: Buffer; path_text: string; size: number | null; mtime: string | null;
  }>;
  if (missing.length === 0) return;
  const pool = new ReaderPool(opts.workers);
  try {
    await Promise.all(missing.map(async (m) => {
      const res = await pool.read({ id: m.instanceId, path: new Uint8Array(locate(m.path)), listedSize: m.size ?? 0, listedMtime: m.mtime ?? '' });
      opts.signal?.throwIfAborted();
      c.db.transaction(() => {
        if (res.ok && res.sha256 === m.sha256 && res.image) {
          writer.recordImage(m.contentId, m.path_text, res.image, saveThumbnail(c.dir, m.sha256, res.image));
        } else {
          appendAudit(c.db, 'intake.image-skipped', {
            exhibit: opts.exhibit, path: m.path_text,
            message: res.ok ? 'content differs from the catalogued SHA-256; not analysed' : res.message,
          }, opts.examiner);
        }
      })();
    }));
  } finally {
    await pool.close();
  }
}

function finishRun(
  c: OpenCase,
  exhibitId: number,
  runId: number,
  source: string,
  exhibit: string,
  resumed: boolean,
  started: number,
  read: { files: number; bytes: number },
  progress: ProgressClock,
  archives: ArchiveRunSummary,
): IntakeSummary {
  return c.db.transaction(() => {
    const counts = c.db.prepare(`
      SELECT count(*) AS entries,
        coalesce(sum(entry_type = 'file'), 0) AS files,
        coalesce(sum(entry_type = 'directory'), 0) AS directories,
        coalesce(sum(entry_type = 'symlink'), 0) AS symlinks,
        coalesce(sum(CASE WHEN entry_type = 'file' THEN size ELSE 0 END), 0) AS bytes,
        coalesce(sum(read_state = 'error'), 0) AS errors,
        coalesce(sum(type_mismatch), 0) AS typeMismatches,
        count(DISTINCT content_id) AS uniqueContent
      FROM file_instance WHERE exhibit_id = ?`).get(exhibitId) as {
      entries: number; files: number; directories: number; symlinks: number; bytes: number; errors: number;
      typeMismatches: number; uniqueContent: number;
    };
    const images = c.db.prepare(`
      SELECT count(*) AS analysed, coalesce(sum(decode_error IS NOT NULL), 0) AS failed FROM image_data
      WHERE content_id IN (SELECT content_id FROM file_instance WHERE exhibit_id = ?)`).get(exhibitId) as { analysed: number; failed: number };
    const videos = c.db.prepare(`
      SELECT count(*) AS analysed, coalesce(sum(decode_error IS NOT NULL), 0) AS failed FROM video_data
      WHERE content_id IN (SELECT content_id FROM file_instance WHERE exhibit_id = ?)`).get(exhibitId) as { analysed: number; failed: number };
    const durationMs = Date.now() - started;
    const image = imageSummary(c, exhibitId);
    const seconds = Math.max(durationMs, 1) / 1000;
    const summary: IntakeSummary = {
      exhibit,
      source,
      run: runId,
      resumed,
      entries: counts.entries,
      files: counts.files,
      directories: counts.directories,
      symlinks: counts.symlinks,
      otherEntries: counts.entries - counts.files - counts.directories - counts.symlinks,
      bytes: counts.bytes,
      errors: counts.errors,
      typeMismatches: counts.typeMismatches,
      uniqueContent: counts.uniqueContent,
      imagesAnalysed: images.analysed,
      imageDecodeErrors: images.failed,
      videosAnalysed: videos.analysed,
      videoDecodeErrors: videos.failed,
      filesReadThisRun: read.files,
      bytesReadThisRun: read.bytes,
      durationMs,
      mbPerSec: round(read.bytes / 1e6 / seconds),
      filesPerSec: round(read.files / seconds),
      ...(image ? { image } : {}),
      archives: archiveSummary(c, exhibitId, archives),
    };
    c.db.prepare("UPDATE intake_run SET status = 'complete', finished_at = ? WHERE id = ?").run(new Date().toISOString(), runId);
    appendAudit(c.db, 'intake.end', { ...summary });
    signAuditHead(c.db, 'intake');
    progress.tick({ phase: 'done' }, true);
    return summary;
  })();
}

function archiveSummary(c: OpenCase, exhibitId: number, run: ArchiveRunSummary): IntakeSummary['archives'] {
  const all = c.db.prepare(`SELECT coalesce(sum(archive_parent IS NOT NULL), 0) AS members,
    coalesce(sum(encrypted), 0) AS encrypted, coalesce(sum(archive_state = 'limit'), 0) AS limited,
    coalesce(sum(archive_state = 'error'), 0) AS failed FROM file_instance WHERE exhibit_id = ?`).get(exhibitId) as {
    members: number; encrypted: number; limited: number; failed: number;
  };
  return { expandedThisRun: run.expanded, ...all };
}

function imageSummary(c: OpenCase, exhibitId: number): ImageSummary | null {
  const ex = c.db.prepare('SELECT source_kind, image_format, image_segments, verification, verification_detail, volumes FROM exhibit WHERE id = ?').get(exhibitId) as {
    source_kind: string; image_format: string | null; image_segments: string | null; verification: string | null; verification_detail: string | null; volumes: string | null;
  };
  if (ex.source_kind !== 'image') return null;
  const flags = c.db.prepare(`SELECT coalesce(sum(deleted), 0) AS deleted, coalesce(sum(orphan), 0) AS orphans,
    coalesce(sum(alt_stream), 0) AS altStreams, coalesce(sum(content_unverified AND read_state = 'done' AND content_id IS NOT NULL), 0) AS contentUnverified
    FROM file_instance WHERE exhibit_id = ?`).get(exhibitId) as { deleted: number; orphans: number; altStreams: number; contentUnverified: number };
  const volumes = ex.volumes ? (JSON.parse(ex.volumes) as { volumes: Array<{ label: string; message: string | null }> }).volumes : [];
  return {
    format: ex.image_format ?? 'unknown',
    segments: ex.image_segments ? (JSON.parse(ex.image_segments) as unknown[]).length : 0,
    verification: ex.verification,
    verificationMessage: ex.verification_detail ? (JSON.parse(ex.verification_detail) as { message: string }).message : null,
    volumes: volumes.map((v) => (v.message ? `${v.label}: ${v.message}` : v.label)),
    ...flags,
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A full disk or a failing catalogue becomes one line that says what happened and what to do. */
function translateStorageError(err: unknown, caseDir: string): unknown {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_FULL') {
    return new KestrelError(
      `${caseDir}: disk full while writing the catalogue; every completed batch is kept — free space and run the same command to resume`,
      'E_DISK_FULL',
    );
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    return new KestrelError(`${caseDir}: catalogue write failed (${code}): ${describeError(err)}; run the same command to resume`, 'E_CATALOGUE');
  }
  return err;
}

/** Turns counters into rate and ETA, and calls back at most every PROGRESS_EVERY_MS. */
class ProgressClock {
  private state: IntakeProgress;
  private lastEmit = 0;
  private readingStarted = 0;

  constructor(private readonly started: number, private readonly listener?: (p: IntakeProgress) => void) {
    this.state = {
      phase: 'listing', entries: 0, filesTotal: 0, filesDone: 0, bytesTotal: 0, bytesDone: 0, errors: 0,
      elapsedMs: 0, filesPerSec: 0, bytesPerSec: 0, etaMs: null,
    };
  }

  setTotals(files: number, bytes: number): void {
    this.state.filesTotal = files;
    this.state.bytesTotal = bytes;
    this.readingStarted = Date.now();
  }

  tick(change: Partial<IntakeProgress>, force = false): void {
    Object.assign(this.state, change);
    const now = Date.now();
    if (!this.listener || (!force && now - this.lastEmit < PROGRESS_EVERY_MS)) return;
    this.lastEmit = now;
    const s = this.state;
    s.elapsedMs = now - this.started;
    const readingSec = this.readingStarted ? Math.max(now - this.readingStarted, 1) / 1000 : 0;
    s.filesPerSec = readingSec ? round(s.filesDone / readingSec) : 0;
    s.bytesPerSec = readingSec ? Math.round(s.bytesDone / readingSec) : 0;
    s.etaMs = s.phase === 'reading' && s.bytesPerSec > 0
      ? Math.round(((s.bytesTotal - s.bytesDone) / s.bytesPerSec) * 1000)
      : s.phase === 'done' ? 0 : null;
    this.listener({ ...s });
  }
}
