import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { fileSlack } from '../../../../native/catalog/migrations/0016_file_slack.js';

describe('migration 0016 file slack entries', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m16-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function fillPrevious(): void {
    expect(migrate(db, caseMigrations, 'case catalogue', file, fileSlack.version - 1)).toBe(fileSlack.version - 1);
    db.prepare(`INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version)
      VALUES (1, 'u-1', 'OP-7', 'Examiner A', '2026-01-01T00:00:00.000Z', '0.1.0')`).run();
    db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (1, ?, ?, ?, 10, ?)').run('a'.repeat(64), 'b'.repeat(40), 'c'.repeat(32), 'image/jpeg');
    db.prepare(`INSERT INTO exhibit (id, label, source_path, created_at) VALUES (1, 'EX-1', '/evidence/disk.img', 'now')`).run();
    db.prepare(`INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version) VALUES (1, 1, '/evidence/disk.img', 'now', 'complete', '0.1.0')`).run();
    db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, size, read_state, content_id, deleted)
      VALUES (1, 1, ?, 'a.jpg', 'file', 10, 'done', 1, 1)`).run(Buffer.from('a.jpg'));
  }

  it('migrates a version-15 catalogue with an entry in it, keeping it, and flags no entry as slack', () => {
    fillPrevious();
    const before = db.prepare('SELECT * FROM file_instance').all() as Record<string, unknown>[];
    expect(migrate(db, caseMigrations, 'case catalogue', file, fileSlack.version)).toBe(fileSlack.version);
    expect(schemaVersion(db)).toBe(fileSlack.version);
    expect(db.prepare('SELECT * FROM file_instance').all()).toEqual(before.map((r) => ({ ...r, slack: 0 })));
    expect(() => db.prepare('UPDATE file_instance SET slack = 2').run()).toThrow(/CHECK/);
  });
});
