import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { openSqlite, type Db } from '../catalog/sqlite.js';
import { migrate } from '../catalog/migrate.js';
import { libraryMigrations } from './migrations/index.js';
import { KestrelError, describeError } from '../util/result.js';
import type { SchemeId } from '../catalog/schemes.js';

export const LIBRARY_FILE = 'library.sqlite';
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export type Algorithm = 'md5' | 'sha1' | 'sha256' | 'pdq' | 'blockhash';
export const HASH_LENGTH: Readonly<Record<Algorithm, number>> = { md5: 16, sha1: 20, sha256: 32, pdq: 32, blockhash: 32 };

export type ListFormat = 'vics' | 'icse' | 'nsrl' | 'nsrl-legacy' | 'text' | 'pdq' | 'vpdq';
export const LIST_FORMATS: readonly ListFormat[] = ['vics', 'icse', 'nsrl', 'nsrl-legacy', 'text', 'pdq', 'vpdq'];

export interface HashLibrary {
  dir: string;
  file: string;
  db: Db;
  close(): void;
}

export interface HashListInfo {
  id: number;
  uid: string;
  name: string;
  version: number;
  format: ListFormat;
  formatVersion: string | null;
  scheme: SchemeId | null;
  known: boolean;
  sourceFile: string;
  fileSha256: string;
  fileSize: number;
  importedAt: string;
  recordsRead: number;
  recordsImported: number;
  recordsRejected: number;
  rejectReport: string | null;
  firstEntry: number;
  entryCount: number;
  toolVersion: string;
  /** Hashes held per algorithm; vpdq counts frame hashes (a vPDQ list's entries are videos). */
  hashes: Partial<Record<Algorithm | 'vpdq', number>>;
}

/**
 * Where the library lives: --library DIR, else KESTREL_LIBRARY, else the user's data folder
 * (XDG_DATA_HOME on Linux, %APPDATA% on Windows), so every case on the workstation shares it.
 */
export function libraryDir(explicit?: string): string {
  // A postgres:// library (lab mode) holds the contributed cases; imported lists stay in the folder.
  if (explicit && !POSTGRES_URL.test(explicit)) return resolve(explicit);
  const env = process.env['KESTREL_LIBRARY'];
  if (env && !POSTGRES_URL.test(env)) return resolve(env);
  if (process.platform === 'win32' && process.env['APPDATA']) return join(process.env['APPDATA'], 'Kestrel', 'library');
  const xdg = process.env['XDG_DATA_HOME'];
  return join(xdg ? xdg : join(homedir(), '.local', 'share'), 'kestrel', 'library');
}

export function openLibrary(explicit?: string, options: { readonly?: boolean } = {}): HashLibrary {
  const dir = libraryDir(explicit);
  const file = join(dir, LIBRARY_FILE);
  let db: Db;
  try {
    if (!options.readonly) mkdirSync(dir, { recursive: true });
    db = openSqlite(file, { readonly: options.readonly ?? false, mustExist: options.readonly ?? false });
  } catch (err) {
    throw new KestrelError(`${file}: cannot open the hash library: ${describeError(err)}`, 'E_LIBRARY');
  }
  try {
    if (!options.readonly) migrate(db, libraryMigrations, 'hash library', file);
  } catch (err) {
    db.close();
    throw err;
  }
  return { dir, file, db, close: () => db.close() };
}

/** A hash_list row as either engine returns it (PostgreSQL gives BIGINT columns as strings). */
export interface ListRow {
  id: number | string; uid: string; name: string; version: number; format: ListFormat; format_version: string | null;
  scheme: SchemeId | null; known: number; source_file: string; file_sha256: string; file_size: number | string;
  imported_at: string; records_read: number | string; records_imported: number | string; records_rejected: number | string;
  reject_report: string | null; first_entry: number | string; entry_count: number | string; tool_version: string;
}

export interface HashCountRow { list_id: number | string; algorithm: Algorithm | 'vpdq'; n: number | string }

/** hash_block counts per list and algorithm, and video_hash frame counts as 'vpdq' (the same SQL on both engines). */
export const HASH_COUNTS_SQL = `SELECT list_id, algorithm, sum(count) AS n FROM hash_block GROUP BY list_id, algorithm
  UNION ALL SELECT list_id, 'vpdq' AS algorithm, sum(frame_count) AS n FROM video_hash GROUP BY list_id`;

export function toHashListInfo(r: ListRow, counts: readonly HashCountRow[]): HashListInfo {
  const id = Number(r.id);
  const hashes: Partial<Record<Algorithm | 'vpdq', number>> = {};
  for (const c of counts) if (Number(c.list_id) === id) hashes[c.algorithm] = Number(c.n);
  return {
    id, uid: r.uid, name: r.name, version: Number(r.version), format: r.format, formatVersion: r.format_version,
    scheme: r.scheme, known: Number(r.known) === 1, sourceFile: r.source_file, fileSha256: r.file_sha256, fileSize: Number(r.file_size),
    importedAt: r.imported_at, recordsRead: Number(r.records_read), recordsImported: Number(r.records_imported),
    recordsRejected: Number(r.records_rejected), rejectReport: r.reject_report, firstEntry: Number(r.first_entry),
    entryCount: Number(r.entry_count), toolVersion: r.tool_version, hashes,
  };
}

export function listHashLists(lib: HashLibrary): HashListInfo[] {
  const rows = lib.db.prepare('SELECT * FROM hash_list ORDER BY name, version').all() as ListRow[];
  const counts = lib.db.prepare(HASH_COUNTS_SQL).all() as HashCountRow[];
  return rows.map((r) => toHashListInfo(r, counts));
}

/** Which list versions a `hashset remove` names: every version of a name, one version, or one uid. */
export function listsToRemove(all: readonly HashListInfo[], where: string, which: { name?: string; version?: number; uid?: string }): HashListInfo[] {
  const doomed = all.filter((l) =>
    (which.uid !== undefined ? l.uid === which.uid : l.name === which.name) &&
    (which.version === undefined || l.version === which.version));
  if (doomed.length === 0) {
    const what = which.uid ?? `${which.name}${which.version !== undefined ? ` version ${which.version}` : ''}`;
    throw new KestrelError(`${where}: no hash list ${what} in the library`, 'E_NO_LIST');
  }
  return doomed;
}

/**
 * Removes list versions by name (every version, or one) or by uid. Cases keep their matches: they
 * recorded the list's name, version and SHA-256 when they were matched.
 */
export function removeHashLists(lib: HashLibrary, which: { name?: string; version?: number; uid?: string }): HashListInfo[] {
  const doomed = listsToRemove(listHashLists(lib), lib.file, which);
  const delEntries = lib.db.prepare('DELETE FROM entry WHERE id >= ? AND id < ?');
  const delList = lib.db.prepare('DELETE FROM hash_list WHERE id = ?');
  lib.db.transaction(() => {
    for (const l of doomed) {
      delEntries.run(l.firstEntry, l.firstEntry + l.entryCount);
      delList.run(l.id);
    }
  })();
  return doomed;
}
