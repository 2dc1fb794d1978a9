import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { OpenCase } from '../catalog/case.js';
import { appendAudit } from '../audit/log.js';
import { displayPath } from '../util/pathBytes.js';
import { ArchiveClient } from '../archive/archiveClient.js';
import { nameMembers, tryOpenStored, type NamedMember } from '../archive/memberNames.js';
import { HelperFailure, HelperGaveUp } from '../helpers/supervisor.js';
import type { CatalogWriter, ReadOutcome } from './catalogWriter.js';
import { ReaderPool } from './readerPool.js';
import { extensionMismatch, extensionOf } from './sniff.js';
import { saveThumbnail } from '../image/store.js';

/**
 * Archives found (by magic bytes) among an exhibit's files are expanded as children of their
 * archive, recursively: `…/file9.boo!/file9.jpg`. Each archive is listed first by the archive
 * helper process; the limits below are checked against that listing before a byte is extracted,
 * and a limit hit is recorded on the archive (and in the audit log) instead of expanding it.
 * Members are extracted into a temporary folder inside the case folder, hashed and analysed like
 * any file, and the folder is removed before the next archive: nothing lands outside the case.
 * Zip and tar members keep the names their archive stores, as bytes (archive/memberNames.ts).
 */
export interface ArchiveLimits {
  /** Nesting: 1 expands archives found in the evidence, not archives inside them. */
  maxDepth: number;
  maxEntries: number;
  /** Sum of the member sizes one archive may expand to (also what its temporary folder may hold). */
  maxTotalBytes: number;
  /** Expanded size over archive size: a zip bomb's is in the thousands. */
  maxRatio: number;
  /** Memory the archive reader may take (an archive whose header asks for more is refused by it). */
  maxMemoryMb: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxDepth: 5, maxEntries: 100_000, maxTotalBytes: 8 * 1024 ** 3, maxRatio: 600, maxMemoryMb: 1024 };

export const ARCHIVE_TYPES = [
  'application/zip', 'application/x-7z-compressed', 'application/x-rar-compressed', 'application/vnd.rar',
  'application/x-tar', 'application/gzip', 'application/x-bzip2', 'application/x-xz',
];

interface ArchiveRow { id: number; path: Buffer; path_text: string; size: number | null; archive_depth: number }

export interface Materialized { path: string; cleanup: () => void }

export interface ArchiveRunSummary { expanded: number; encrypted: number; limited: number; failed: number; members: number }

export async function expandArchives(
  c: OpenCase,
  exhibitId: number,
  writer: CatalogWriter,
  materialize: (row: { id: number; path: Buffer; size: number | null }, tmp: string) => Promise<Materialized>,
  opts: { exhibit: string; examiner?: string; workers?: number; signal?: AbortSignal; archiveLimits?: Partial<ArchiveLimits> },
): Promise<ArchiveRunSummary> {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...opts.archiveLimits };
  const types = JSON.stringify(ARCHIVE_TYPES);
  const pendingArchives = c.db.prepare(`
    SELECT f.id, f.path, f.path_text, f.size, f.archive_depth FROM file_instance f JOIN content ct ON ct.id = f.content_id
    WHERE f.exhibit_id = ? AND f.archive_parent IS NULL AND f.archive_state IS NULL AND f.read_state = 'done'
      AND ct.detected_type IN (SELECT value FROM json_each(?)) ORDER BY f.id`);
  const top = pendingArchives.all(exhibitId, types) as ArchiveRow[];
  const summary: ArchiveRunSummary = { expanded: 0, encrypted: 0, limited: 0, failed: 0, members: 0 };
  if (top.length === 0) return summary;

  // Temporary folders of an earlier, killed run are removed before anything else.
  const tmpRoot = join(c.dir, 'tmp', 'archives');
  rmSync(tmpRoot, { recursive: true, force: true });
  mkdirSync(tmpRoot, { recursive: true });
  const client = new ArchiveClient({
    memoryMb: limits.maxMemoryMb,
    onIncident: (i) => appendAudit(c.db, 'intake.helper-incident', { exhibit: opts.exhibit, path: i.request, helper: i.helper, kind: i.kind, detail: i.detail, stderr: i.stderrTail }),
  });
  const pool = new ReaderPool(opts.workers);
  const setState = c.db.prepare('UPDATE file_instance SET archive_state = ?, archive_detail = ?, encrypted = ? WHERE id = ?');
  const childrenArchives = c.db.prepare(`
    SELECT f.id, f.path, f.path_text, f.size, f.archive_depth FROM file_instance f JOIN content ct ON ct.id = f.content_id
    WHERE f.archive_parent = ? AND f.archive_state IS NULL AND f.read_state = 'done'
      AND ct.detected_type IN (SELECT value FROM json_each(?)) ORDER BY f.id`);
  const pendingChildren = c.db.prepare(`SELECT id, path, path_text, extension FROM file_instance
    WHERE archive_parent = ? AND read_state = 'pending' ORDER BY id`);
  const insertChild = c.db.prepare(`
    INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, size, mtime, extension, read_state,
      error, error_code, archive_parent, archive_depth, encrypted, deleted, orphan, content_unverified)
    SELECT exhibit_id, intake_run_id, @path, @pathText, @type, @size, @mtime, @extension, @readState, @error, @errorCode, id,
      archive_depth + 1, @encrypted, deleted, orphan, content_unverified FROM file_instance WHERE id = @parent
    ON CONFLICT (exhibit_id, path) DO NOTHING`);

  const finish = (row: ArchiveRow, state: 'expanded' | 'encrypted' | 'limit' | 'error', detail: Record<string, unknown>, encrypted = false) => {
    c.db.transaction(() => {
      setState.run(state, JSON.stringify(detail), encrypted ? 1 : 0, row.id);
      if (state !== 'expanded') appendAudit(c.db, `intake.archive-${state}`, { exhibit: opts.exhibit, path: row.path_text, ...detail }, opts.examiner);
    })();
    if (state === 'expanded') summary.expanded += 1;
    else if (state === 'encrypted') summary.encrypted += 1;
    else if (state === 'limit') summary.limited += 1;
    else summary.failed += 1;
  };

  const expand = async (row: ArchiveRow, file: string, depth: number): Promise<void> => {
    opts.signal?.throwIfAborted();
    if (depth > limits.maxDepth) {
      finish(row, 'limit', { limit: 'depth', depth, maxDepth: limits.maxDepth });
      return;
    }
    let listing;
    try {
      listing = await client.list(file, row.path_text);
    } catch (err) {
      if (err instanceof HelperGaveUp) throw err;
      finish(row, 'error', { message: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (listing.encryptedHeaders) {
      finish(row, 'encrypted', { message: 'names and content encrypted; no password was tried', type: listing.type }, true);
      return;
    }
    if (listing.type === null) {
      finish(row, 'error', { message: listing.errors.join('; ') || 'not an archive the reader knows' });
      return;
    }
    const opened = await tryOpenStored(file, listing.type);
    const stored = opened !== null && 'note' in opened ? null : opened;
    const named = opened !== null && 'note' in opened ? { ...nameMembers(null, listing.members), namesNote: opened.note } : nameMembers(stored, listing.members);
    const members = named.members;
    const bytes = members.reduce((n, m) => n + (m.isDir ? 0 : m.size ?? 0), 0);
    const archiveSize = row.size ?? statSync(file).size;
    const ratio = archiveSize > 0 ? bytes / archiveSize : 0;
    const numbers = {
      type: listing.type, members: members.length, bytes, archiveSize, ratio: Math.round(ratio * 10) / 10,
      names: named.names, ...(named.namesNote ? { namesNote: named.namesNote } : {}),
    };
    const hit = members.length > limits.maxEntries ? { limit: 'entries', maxEntries: limits.maxEntries }
      : bytes > limits.maxTotalBytes ? { limit: 'total bytes', maxTotalBytes: limits.maxTotalBytes }
      : ratio > limits.maxRatio ? { limit: 'expansion ratio', maxRatio: limits.maxRatio }
      : null;
    if (hit) {
      await stored?.close();
      finish(row, 'limit', { ...hit, ...numbers });
      return;
    }
    const encryptedMembers = members.filter((m) => m.encrypted).length;
    c.db.transaction(() => {
      for (const m of members) insertChild.run(childRow(row, m));
    })();
    summary.members += members.length;
    const places = diskPlaces(members);
    const out = mkdtempSync(join(tmpRoot, 'x-'));
    const copies = mkdtempSync(join(tmpRoot, 's-'));
    try {
      const pending = pendingChildren.all(row.id) as Array<{ id: number; path: Buffer; path_text: string; extension: string | null }>;
      let extractErrors: string[] = [];
      if (pending.length > 0) {
        try {
          extractErrors = (await client.extract(file, out, row.path_text)).errors;
        } catch (err) {
          if (err instanceof HelperGaveUp) throw err;
          extractErrors = [err instanceof HelperFailure ? err.message : String(err)];
        }
      }
      /** Where a member lies on disk, or why it is not there. */
      const locate = async (path: Buffer): Promise<{ file: string } | { message: string }> => {
        const place = places.get(path.subarray(row.path.length + 2).toString('latin1'));
        if (place?.sharedWith) return { message: `member not read: 7-Zip writes it and ${place.sharedWith} other member(s) to one name` };
        if (place && place.diskPath === null && stored) {
          const copy = join(copies, String(place.index));
          try {
            if (!existsSync(copy)) await stored.extract(place.index, copy);
            return { file: copy };
          } catch (err) {
            return { message: `member not extracted: ${err instanceof Error ? err.message : String(err)}` };
          }
        }
        const onDisk = place?.diskPath ? resolve(out, place.diskPath) : '';
        if (!onDisk.startsWith(out + sep) || !existsSync(onDisk)) return { message: `member not extracted${extractErrors.length ? `: ${extractErrors.join('; ')}` : ''}` };
        return { file: onDisk };
      };
      // Members copied out by their place in the archive are copied one at a time (each holds a buffer), before the reads.
      const located = new Map<number, { file: string } | { message: string }>();
      for (const p of pending) located.set(p.id, await locate(p.path));
      const outcomes: ReadOutcome[] = [];
      await Promise.all(pending.map(async (p) => {
        const where = located.get(p.id)!;
        if ('message' in where) {
          outcomes.push({ ok: false, instanceId: p.id, pathText: p.path_text, code: 'EARCHIVE', message: where.message });
          return;
        }
        const onDisk = where.file;
        const res = await pool.read({ id: p.id, path: new Uint8Array(Buffer.from(onDisk)), listedSize: 0, listedMtime: '' });
        outcomes.push(res.ok
          ? {
            ok: true, instanceId: p.id, pathText: p.path_text, md5: res.md5, sha1: res.sha1, sha256: res.sha256, size: res.size, mime: res.mime,
            typeMismatch: extensionMismatch(p.extension ?? '', res), changedDuringIntake: false, image: res.image,
            thumbnail: res.image ? saveThumbnail(c.dir, res.sha256, res.image) : null,
          }
          : { ok: false, instanceId: p.id, pathText: p.path_text, code: res.code, message: res.message });
      }));
      writer.recordReads(outcomes);
      for (const child of childrenArchives.all(row.id, types) as ArchiveRow[]) {
        const where = await locate(child.path);
        if ('message' in where) {
          finish(child, 'error', { message: where.message });
          continue;
        }
        await expand(child, where.file, depth + 1);
      }
      // 7-Zip's words when the reader's memory cap refused what the archive's header asked for.
      if (extractErrors.some((e) => /can't allocate required memory/i.test(e))) {
        finish(row, 'limit', { limit: 'memory', maxMemoryMb: limits.maxMemoryMb, ...numbers, encryptedMembers, extractErrors });
      } else {
        finish(row, 'expanded', { ...numbers, encryptedMembers, extractErrors });
      }
    } finally {
      await stored?.close();
      rmSync(out, { recursive: true, force: true });
      rmSync(copies, { recursive: true, force: true });
    }
  };

  try {
    for (const row of top) {
      let m: Materialized;
      try {
        m = await materialize(row, tmpRoot);
      } catch (err) {
        finish(row, 'error', { message: `cannot read the archive: ${err instanceof Error ? err.message : String(err)}` });
        continue;
      }
      try {
        await expand(row, m.path, 1);
      } finally {
        m.cleanup();
      }
    }
  } finally {
    await pool.close();
    await client.close();
    rmSync(tmpRoot, { recursive: true, force: true });
  }
  return summary;
}

/**
 * Where each member (by its stored name's bytes) lies in the extraction folder. 7-Zip turns names
 * it cannot decode into other characters, so two members with different stored names can land on
 * one file; those are not read rather than given each other's content.
 */
function diskPlaces(members: NamedMember[]): Map<string, { diskPath: string | null; index: number; sharedWith: number }> {
  const byDisk = new Map<string, number>();
  for (const m of members) if (!m.isDir && m.diskPath !== null) byDisk.set(m.diskPath, (byDisk.get(m.diskPath) ?? 0) + 1);
  return new Map(members.map((m) => [m.name.toString('latin1'), {
    diskPath: m.diskPath, index: m.index, sharedWith: m.isDir || m.diskPath === null ? 0 : byDisk.get(m.diskPath)! - 1,
  }]));
}

function childRow(parent: ArchiveRow, m: NamedMember): Record<string, unknown> {
  const path = Buffer.concat([parent.path, Buffer.from('!/'), m.name]);
  const isFile = !m.isDir;
  return {
    parent: parent.id,
    path,
    pathText: displayPath(path),
    type: m.isDir ? 'directory' : 'file',
    size: m.size,
    mtime: m.mtime ? isoFrom7z(m.mtime) : null,
    extension: isFile ? extensionOf(path) : null,
    readState: isFile && !m.encrypted ? 'pending' : 'done',
    error: m.encrypted ? 'encrypted member; no password was tried' : null,
    errorCode: m.encrypted ? 'EENCRYPTED' : null,
    encrypted: m.encrypted ? 1 : 0,
  };
}

/** 7-Zip prints `2026-11-27 14:13:42.5889715` (the helper runs with TZ=UTC). */
function isoFrom7z(t: string): string | null {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?$/.exec(t);
  return m ? `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(9, '0').slice(0, 9)}Z` : null;
}
