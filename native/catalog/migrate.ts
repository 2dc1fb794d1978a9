import type { Db } from './sqlite.js';
import { KestrelError } from '../util/result.js';

export interface Migration {
  /** 1, 2, 3 … in order, never renumbered: a released number is a promise about a schema. */
  readonly version: number;
  readonly name: string;
  /**
   * Rebuilds a table other tables reference (SQLite cannot alter a CHECK constraint in place): the
   * step runs with foreign keys off, as SQLite's table-rebuild procedure requires (dropping the old
   * table with them on would cascade-delete the children), and the keys are checked before commit.
   */
  readonly rebuildsTables?: boolean;
  up(db: Db): void;
}

/** The schema version a database is at; 0 for a new, empty file. */
export function schemaVersion(db: Db): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migration (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const row = db.prepare('SELECT max(version) AS v FROM schema_migration').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Brings a database to the newest schema this build knows (or to `target`, which the migration
 * tests use), each step in its own transaction so that a failure leaves the database at the last
 * good version. A database from a newer build is refused, not touched. The log of applied
 * migrations stays in the database, so an examiner can see when a case changed format.
 */
export function migrate(
  db: Db,
  migrations: readonly Migration[],
  what: string,
  file: string,
  target?: number,
): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order at ${m.name}: expected version ${i + 1}`);
  });
  const current = schemaVersion(db);
  const newest = migrations.length;
  if (current > newest) {
    throw new KestrelError(
      `${file}: ${what} has schema version ${current}, newer than this Kestrel understands (${newest}); use a newer Kestrel`,
      'E_SCHEMA_NEWER',
    );
  }
  const record = db.prepare('INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.version <= current || (target !== undefined && m.version > target)) continue;
    if (m.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        m.up(db);
        if (m.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${m.name} left ${broken.length} row(s) with a broken foreign key`);
        }
        record.run(m.version, m.name, new Date().toISOString());
      })();
    } finally {
      if (m.rebuildsTables) db.pragma('foreign_keys = ON');
    }
  }
  return schemaVersion(db);
}
