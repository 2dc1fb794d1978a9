import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { archives } from '../../../../native/catalog/migrations/0008_archives.js';

describe('migration 0008 archives', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m8-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps earlier rows as top-level entries and links members to their archive', () => {
    expect(migrate(db, caseMigrations, 'case catalogue', file, archives.version - 1)).toBe(archives.version - 1);
    db.prepare(`INSERT INTO exhibit (id, label, source_path, created_at, source_kind) VALUES (1, 'EX-1', '/e/disk.E01', 'now', 'image')`).run();
    db.prepare(`INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version) VALUES (1, 1, '/e', 'now', 'complete', '0.1.0')`).run();
    db.prepare(`INSERT INTO file_instance (id, exhibit_id, intake_run_id, path, path_text, entry_type, read_state, deleted)
      VALUES (1, 1, 1, ?, 'volume (ntfs, offset 0)/file9.boo', 'file', 'done', 1)`).run(Buffer.from('volume (ntfs, offset 0)/file9.boo'));
    const before = db.prepare('SELECT * FROM file_instance').get() as Record<string, unknown>;
    expect(migrate(db, caseMigrations, 'case catalogue', file, archives.version)).toBe(archives.version);
    expect(schemaVersion(db)).toBe(archives.version);
    expect(db.prepare('SELECT * FROM file_instance').get()).toEqual({ ...before, archive_parent: null, archive_depth: 0, encrypted: 0, archive_state: null, archive_detail: null });
    db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, archive_parent, archive_depth, encrypted)
      VALUES (1, 1, ?, 'volume (ntfs, offset 0)/file9.boo!/file9.jpg', 'file', 'pending', 1, 1, 1)`).run(Buffer.from('volume (ntfs, offset 0)/file9.boo!/file9.jpg'));
    expect(() => db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, archive_parent)
      VALUES (1, 1, x'00', 'x', 'file', 'done', 999)`).run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(`UPDATE file_instance SET archive_state = 'half done' WHERE id = 1`).run()).toThrow(/CHECK/);
  });
});
