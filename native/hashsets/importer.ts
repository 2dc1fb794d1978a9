import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { appendSqliteLibraryAudit } from '../lab/sqliteStore.js';
import { isSchemeId, type SchemeId } from '../catalog/schemes.js';
import { KestrelError, describeError } from '../util/result.js';
import { TOOL_VERSION } from '../util/version.js';
import { RunBuilder, sqliteBlockSink } from './blocks.js';
import { detectFormat, openReader, printable, type ListReader, type ListRecord } from './readers.js';
import { rejectReportPath, writeRejectReport, type Reject } from './rejectReport.js';
import { importVpdqList } from './vpdqImport.js';
import { listHashLists, type Algorithm, type HashLibrary, type HashListInfo, type ListFormat } from './library.js';

export interface ImportOptions {
  format?: ListFormat;
  name?: string;
  /** The scheme of the list's category codes, when the file cannot tell it (VICS 1.x, ICSE-like lists). */
  scheme?: SchemeId;
  /** Marks a list of known files (ignorable, never alerts); NSRL lists are known lists always. */
  known?: boolean;
  /** Import the good records of a list that has bad ones, and write a report of the bad ones. */
  skipInvalid?: boolean;
  /** Import a file whose exact bytes (SHA-256) the library already holds, as a further version. */
  again?: boolean;
  /** Who imports, for the library's audit log (default: the user name). */
  actor?: string;
}

/** An earlier import of the very same bytes. */
export interface ImportedCopy {
  name: string;
  version: number;
  uid: string;
  importedAt: string;
  sha256: string;
}

/** The audit action of a file imported again on purpose (`again`) though the library held its bytes. */
export const IMPORT_AGAIN_AUDIT_ACTION = 'hashset.import.again';

export type { Reject } from './rejectReport.js';

export interface ImportResult {
  list: HashListInfo;
  rejects: Reject[];
  /** The earlier import of the same bytes, when `again` imported them once more. */
  duplicateOf: ImportedCopy | null;
}

export const REJECT_REPORT_LIMIT = 1_000_000;

/** What an import of one list file will be, decided before anything is written (the same on both engines). */
export interface ImportPlan {
  path: string;
  size: number;
  format: Exclude<ListFormat, 'vpdq'>;
  scheme: SchemeId | null;
  known: boolean;
  name: string;
}

/** The plan for a list file, or the path of a vPDQ file or folder (imported by importVpdqList). */
export function planImport(file: string, options: ImportOptions): ImportPlan | { vpdq: string } {
  const path = resolve(file);
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw new KestrelError(`${path}: cannot read: ${describeError(err)}`, 'E_READ');
  }
  if (options.format === 'vpdq' || (st.isDirectory() && options.format === undefined)) return { vpdq: path };
  if (!st.isFile()) throw new KestrelError(`${path}: not a file`, 'E_READ');
  const format = options.format ?? detectFormat(path);
  if (format === 'vpdq') return { vpdq: path };
  if (options.scheme !== undefined && !isSchemeId(options.scheme)) throw new KestrelError(`unknown category scheme ${String(options.scheme)}`);
  return {
    path, size: st.size, format, scheme: options.scheme ?? null,
    known: format === 'nsrl' || format === 'nsrl-legacy' ? true : options.known ?? false,
    name: options.name?.trim() || basename(path, extname(path)),
  };
}

export function badRecordError(path: string, at: string, reason: string): KestrelError {
  return new KestrelError(`${path}: ${at}: ${printable(reason)}; nothing was imported (use --skip-invalid to import the valid records)`, 'E_BAD_RECORD');
}

export function emptyListError(path: string, rejected: number, rejects: readonly Reject[]): KestrelError {
  return new KestrelError(`${path}: no valid records${rejected ? ` (${rejected} rejected, first at ${rejects[0]?.at}: ${rejects[0]?.reason})` : ''}; nothing was imported`, 'E_EMPTY_LIST');
}

export function alreadyImportedError(path: string, earlier: { name: string; version: number; imported_at: string }, sha256: string): KestrelError {
  return new KestrelError(`${path}: already imported as ${printable(earlier.name)} version ${earlier.version} on ${earlier.imported_at} ` +
    `(same SHA-256 ${sha256}); nothing was imported (use --again to import it as a further version)`, 'E_ALREADY_IMPORTED');
}

/**
 * Imports one list file as a new version of the named list, in one transaction: a failure or an
 * interrupted process leaves the library exactly as it was. By default a list with any bad record
 * imports nothing, and the error names the first bad record's line or record number and the cause.
 */
export function importHashList(lib: HashLibrary, file: string, options: ImportOptions = {}): ImportResult {
  const plan = planImport(file, options);
  if ('vpdq' in plan) return importVpdqList(lib, plan.vpdq, options);
  const { path, size, format, scheme, name } = plan;
  let known = plan.known;
  const db = lib.db;
  if (!options.again) refuseSameFile(db, path, size);
  const uid = randomUUID();
  const rejects: Reject[] = [];
  let reportPath: string | null = null;
  let duplicateOf: ImportedCopy | null = null;

  const reader: ListReader = openReader(path, format, { scheme });
  try {
    db.transaction(() => {
      const version = ((db.prepare('SELECT max(version) AS v FROM hash_list WHERE name = ?').get(name) as { v: number | null }).v ?? 0) + 1;
      const firstEntry = ((db.prepare('SELECT max(id) AS m FROM entry').get() as { m: number | null }).m ?? 0) + 1;
      const importedAt = new Date().toISOString();
      const listId = Number(db.prepare(
        `INSERT INTO hash_list (uid, name, version, format, scheme, known, source_file, file_sha256, file_size, imported_at,
           records_read, records_imported, records_rejected, first_entry, entry_count, tool_version)
         VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, 0, 0, 0, ?, 0, ?)`,
      ).run(uid, name, version, format, scheme, known ? 1 : 0, path, size, importedAt, firstEntry, TOOL_VERSION).lastInsertRowid);
      const entries = new EntryWriter(db);
      const sink = sqliteBlockSink(db);
      const builders = new Map<Algorithm, RunBuilder>();
      let read = 0;
      let position = 0;
      for (const item of reader.items) {
        read++;
        if (!item.ok) {
          if (!options.skipInvalid) {
            throw badRecordError(path, item.at, item.reason);
          }
          if (rejects.length < REJECT_REPORT_LIMIT) rejects.push({ at: item.at, reason: printable(item.reason) });
          continue;
        }
        const r = item.record;
        entries.add(firstEntry + position, listId, read, r);
        for (const h of r.hashes) {
          let b = builders.get(h.algorithm);
          if (!b) { b = new RunBuilder(sink, listId, h.algorithm); builders.set(h.algorithm, b); }
          b.add(h.hash, position);
        }
        position++;
      }
      entries.flush();
      for (const b of builders.values()) b.flush();
      const sha256 = reader.finish();
      // A second version with the same bytes is the examiner's choice (--again, or confirmed in the
      // UI): the library's audit log says who made it and which import it repeats.
      duplicateOf = options.again ? earlierImport(db, sha256) : null;
      if (duplicateOf) {
        appendSqliteLibraryAudit(db, IMPORT_AGAIN_AUDIT_ACTION, {
          file: path, sha256, list: { name, version, uid }, earlier: duplicateOf,
        }, options.actor ?? userInfo().username);
      }
      const rejected = read - position;
      if (position === 0) throw emptyListError(path, rejected, rejects);
      if (reader.known) known = true;
      if (rejected > 0) reportPath = rejectReportPath(lib.dir, name, version, uid);
      db.prepare(
        `UPDATE hash_list SET file_sha256 = ?, format_version = ?, scheme = ?, known = ?, records_read = ?, records_imported = ?,
           records_rejected = ?, entry_count = ?, reject_report = ? WHERE id = ?`,
      ).run(sha256, reader.formatVersion, reader.scheme === undefined ? scheme : reader.scheme, known ? 1 : 0, read, position, rejected, position, reportPath, listId);
    })();
  } finally {
    reader.close();
  }
  // The import's pages all went through the WAL, which SQLite keeps at its largest size (about as big
  // as the list's share of the library). Truncating it gives that disk back; the checkpoint that does
  // it also copies the commit into the library file and syncs it, so an import that returned survives
  // a power loss, not only a crash. A reader still on an older snapshot (past the busy timeout) only
  // leaves the WAL to be truncated by a later checkpoint.
  db.pragma('wal_checkpoint(TRUNCATE)');
  if (reportPath) writeRejectReport(reportPath, path, rejects);
  const list = listHashLists(lib).find((l) => l.uid === uid);
  if (!list) throw new Error(`imported list ${uid} not found after commit`);
  return { list, rejects, duplicateOf };
}

/**
 * The library's earlier import of exactly this file (same SHA-256, under any name or path), or null.
 * Only a file the size of one already imported is hashed, so asking costs nothing for a new list.
 */
export function findImportedCopy(lib: HashLibrary, file: string): ImportedCopy | null {
  const path = resolve(file);
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw new KestrelError(`${path}: cannot read: ${describeError(err)}`, 'E_READ');
  }
  if (!st.isFile() || !hasImportOfSize(lib.db, st.size)) return null;
  return earlierImport(lib.db, sha256OfFile(path));
}

function hasImportOfSize(db: HashLibrary['db'], size: number): boolean {
  return (db.prepare("SELECT count(*) AS n FROM hash_list WHERE file_size = ? AND file_sha256 != ''").get(size) as { n: number }).n > 0;
}

function earlierImport(db: HashLibrary['db'], sha256: string): ImportedCopy | null {
  const row = db.prepare('SELECT name, version, uid, imported_at FROM hash_list WHERE file_sha256 = ? ORDER BY id LIMIT 1')
    .get(sha256) as { name: string; version: number; uid: string; imported_at: string } | undefined;
  return row ? { name: row.name, version: row.version, uid: row.uid, importedAt: row.imported_at, sha256 } : null;
}

/**
 * The same bytes imported twice would be a second version of one list (an import killed after its
 * commit, before it printed anything, is typically run again). Only a file the size of one already
 * imported is hashed first, so a new list is read once.
 */
function refuseSameFile(db: HashLibrary['db'], path: string, size: number): void {
  if (!hasImportOfSize(db, size)) return;
  const earlier = earlierImport(db, sha256OfFile(path));
  if (earlier) throw alreadyImportedError(path, { name: earlier.name, version: earlier.version, imported_at: earlier.importedAt }, earlier.sha256);
}

export function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

const ENTRY_BATCH = 100;

/**
 * Entries go in by a hundred rows a statement: the per-statement cost, not SQLite's page writes,
 * is what limits a plain one-row insert on lists of millions of lines. A record with nothing but a
 * label (every line of an md5sum list) binds four values instead of nine; the columns it leaves out
 * are NULL either way.
 */
class EntryWriter {
  private readonly full: RowBatch;
  private readonly lean: RowBatch;

  constructor(db: HashLibrary['db']) {
    this.full = new RowBatch(db, ['id', 'list_id', 'record_no', 'label', 'category', 'media_id', 'size', 'quality', 'details']);
    this.lean = new RowBatch(db, ['id', 'list_id', 'record_no', 'label']);
  }

  add(id: number, listId: number, recordNo: number, r: ListRecord): void {
    if (r.category === null && r.mediaId === null && r.size === null && r.quality === null && r.details === null) {
      this.lean.add4(id, listId, recordNo, r.label);
    } else {
      this.full.add4(id, listId, recordNo, r.label);
      this.full.add5(r.category, r.mediaId, r.size, r.quality, r.details ? JSON.stringify(r.details) : null);
    }
  }

  flush(): void {
    this.full.flush();
    this.lean.flush();
  }
}

/** Rows of one column list, bound as one multi-row INSERT per ENTRY_BATCH rows. */
export class RowBatch {
  private readonly many;
  private readonly one;
  private readonly values: unknown[];
  private n = 0;

  constructor(db: HashLibrary['db'], private readonly columns: readonly string[]) {
    const row = `(${columns.map(() => '?').join(', ')})`;
    const sql = `INSERT INTO entry (${columns.join(', ')}) VALUES `;
    this.many = db.prepare(sql + Array(ENTRY_BATCH).fill(row).join(', '));
    this.one = db.prepare(sql + row);
    this.values = new Array<unknown>(columns.length * ENTRY_BATCH);
  }

  add4(a: unknown, b: unknown, c: unknown, d: unknown): void {
    const v = this.values;
    v[this.n++] = a; v[this.n++] = b; v[this.n++] = c; v[this.n++] = d;
    if (this.n === v.length) this.run();
  }

  add5(a: unknown, b: unknown, c: unknown, d: unknown, e: unknown): void {
    const v = this.values;
    v[this.n++] = a; v[this.n++] = b; v[this.n++] = c; v[this.n++] = d; v[this.n++] = e;
    if (this.n === v.length) this.run();
  }

  flush(): void {
    const w = this.columns.length;
    for (let i = 0; i < this.n; i += w) this.one.run(this.values.slice(i, i + w));
    this.n = 0;
  }

  private run(): void {
    this.many.run(this.values);
    this.n = 0;
  }
}
