import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

/**
 * The one place that opens SQLite connections (case catalogues and the hash library alike).
 * Under Electron the Node build of better-sqlite3 has the wrong ABI, so we load the build made for
 * Electron from its own folder (see scripts/build-electron-sqlite.mjs).
 */
export function openSqlite(file: string, options: { readonly?: boolean; mustExist?: boolean } = {}): Db {
  const db = new Database(file, {
    readonly: options.readonly ?? false,
    fileMustExist: options.mustExist ?? false,
    ...electronBinding(),
  });
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // NORMAL is durable in WAL mode against a process crash (kill -9); only a power loss may drop
  // the last commits, which an intake re-run restores.
  db.pragma('synchronous = NORMAL');
  return db;
}

function electronBinding(): { nativeBinding?: string } {
  if (!process.versions['electron']) return {};
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const binding = join(root, 'native-electron', 'better_sqlite3.node');
  return existsSync(binding) ? { nativeBinding: binding } : {};
}
