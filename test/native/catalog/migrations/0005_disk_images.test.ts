import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { diskImages } from '../../../../native/catalog/migrations/0005_disk_images.js';

describe('migration 0005 disk images', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m5-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a previous-version catalogue with rows, keeping them as folder entries, and takes image rows', () => {
    expect(migrate(db, caseMigrations, 'case catalogue', file, diskImages.version - 1)).toBe(diskImages.version - 1);
    db.prepare(`INSERT INTO exhibit (id, label, source_path, created_at) VALUES (1, 'EX-1', '/evidence', '2026-01-01T00:00:00.000Z')`).run();
    db.prepare(`INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version)
      VALUES (1, 1, '/evidence', '2026-01-01T00:00:00.000Z', 'complete', '0.1.0')`).run();
    db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (1, ?, ?, ?, 3, ?)').run('a'.repeat(64), 'b'.repeat(40), 'c'.repeat(32), 'text/plain');
    db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, content_id)
      VALUES (1, 1, ?, 'a.txt', 'file', 'done', 1)`).run(Buffer.from('a.txt'));
    const before = db.prepare('SELECT * FROM file_instance').all() as Array<Record<string, unknown>>;

    expect(migrate(db, caseMigrations, 'case catalogue', file, diskImages.version)).toBe(diskImages.version);
    expect(schemaVersion(db)).toBe(diskImages.version);
    const after = db.prepare('SELECT * FROM file_instance').all() as Array<Record<string, unknown>>;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ ...before[0], address: null, fs_type: null, deleted: 0, meta_reallocated: 0, orphan: 0, alt_stream: 0, content_unverified: 0 });
    expect(db.prepare('SELECT source_kind, verification FROM exhibit').get()).toEqual({ source_kind: 'folder', verification: null });

    db.prepare(`INSERT INTO exhibit (id, label, source_path, created_at, source_kind, image_format, verification)
      VALUES (2, 'EX-2', '/e/img.E01', 'now', 'image', 'ewf', 'mismatch')`).run();
    expect(() => db.prepare(`UPDATE exhibit SET verification = 'probably fine' WHERE id = 2`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE exhibit SET source_kind = 'cloud' WHERE id = 2`).run()).toThrow(/CHECK/);
    db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, address, deleted, content_unverified)
      VALUES (2, 1, ?, 'volume (fat16, offset 0)/_rag1.dat', 'file', 'pending', '{"volume":0,"inum":4}', 1, 1)`).run(Buffer.from('volume (fat16, offset 0)/_rag1.dat'));
    expect(db.prepare('SELECT count(*) FROM file_instance WHERE deleted = 1').pluck().get()).toBe(1);
  });
});
