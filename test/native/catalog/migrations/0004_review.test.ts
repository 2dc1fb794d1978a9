import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { review } from '../../../../native/catalog/migrations/0004_review.js';

describe('migration 0004 review', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m4-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function fillVersion3(): void {
    expect(migrate(db, caseMigrations, 'case catalogue', file, review.version - 1)).toBe(review.version - 1);
    db.prepare(`INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version)
      VALUES (1, 'u-1', 'OP-7', 'Examiner A', '2026-01-01T00:00:00.000Z', '0.1.0')`).run();
    db.prepare(`INSERT INTO exhibit (id, label, source_path, created_at) VALUES (1, 'EX-1', '/evidence', '2026-01-01T00:00:00.000Z')`).run();
    db.prepare(`INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version)
      VALUES (1, 1, '/evidence', '2026-01-01T00:00:00.000Z', 'complete', '0.1.0')`).run();
    const content = db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, ?, ?)');
    content.run(1, 'a'.repeat(64), 'b'.repeat(40), 'c'.repeat(32), 1234, 'image/jpeg');
    content.run(2, 'd'.repeat(64), 'e'.repeat(40), 'f'.repeat(32), 99, 'text/plain');
    const inst = db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, content_id, error)
      VALUES (1, 1, ?, ?, 'file', ?, ?, ?)`);
    inst.run(Buffer.from('a.jpg'), 'a.jpg', 'done', 1, null);
    inst.run(Buffer.from('b.txt'), 'b.txt', 'done', 2, null);
    inst.run(Buffer.from('bad.bin'), 'bad.bin', 'error', null, 'EACCES: permission denied');
    db.prepare(`INSERT INTO image_data (content_id, width, height, pdq, pdq_quality, exif, algorithms, processed_at)
      VALUES (1, 10, 10, ?, 90, ?, '{}', '2026-01-01T00:00:00.000Z')`).run('0'.repeat(64), JSON.stringify({ gps: { latitude: 1, longitude: 2 } }));
  }

  it('migrates a version-3 catalogue with rows in it, keeping them, and adds the review tables', () => {
    fillVersion3();
    const before = db.prepare('SELECT * FROM file_instance ORDER BY id').all();
    expect(migrate(db, caseMigrations, 'case catalogue', file, review.version)).toBe(review.version);
    expect(schemaVersion(db)).toBe(review.version);
    expect(db.prepare('SELECT * FROM file_instance ORDER BY id').all()).toEqual(before);
    expect(db.prepare("SELECT value FROM case_setting WHERE key = 'categoryScheme'").get()).toEqual({ value: '"vic-us"' });

    const decide = db.prepare(`INSERT INTO category_decision (content_id, scheme, category, examiner, decided_at) VALUES (?, ?, ?, 'A', 'now')`);
    const first = Number(decide.run(1, 'vic-us', '1').lastInsertRowid);
    const second = Number(decide.run(1, 'vic-us', '2').lastInsertRowid);
    db.prepare('UPDATE category_decision SET superseded_by = ? WHERE id = ?').run(second, first);
    expect(db.prepare('SELECT id FROM category_decision WHERE content_id = 1 AND superseded_by IS NULL').all()).toEqual([{ id: second }]);

    // Categories carry their scheme, decisions and notes point at real content, settings hold JSON.
    expect(() => decide.run(1, 'made-up', '1')).toThrow(/CHECK/);
    expect(() => decide.run(999, 'vic-us', '1')).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(`INSERT INTO note (content_id, text, examiner, created_at) VALUES (999, 'x', 'A', 'now')`).run()).toThrow(/FOREIGN KEY/);
    db.prepare(`INSERT INTO tag (content_id, tag, examiner, created_at) VALUES (1, 'series-x', 'A', 'now')`).run();
    expect(() => db.prepare(`INSERT INTO tag (content_id, tag, examiner, created_at) VALUES (1, 'series-x', 'B', 'now')`).run()).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => db.prepare(`INSERT INTO case_setting (key, value) VALUES ('x', 'not json')`).run()).toThrow(/CHECK/);
  });

  it('gives the review grid indexes it can use for the GPS and error filters', () => {
    fillVersion3();
    migrate(db, caseMigrations, 'case catalogue', file, review.version);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan("SELECT g.content_id FROM image_data g WHERE json_extract(g.exif, '$.gps') IS NOT NULL")).toMatch(/image_data_gps/);
    expect(plan('SELECT fe.content_id FROM file_instance fe WHERE fe.error IS NOT NULL')).toMatch(/file_instance_error/);
    expect(db.prepare("SELECT content_id FROM image_data WHERE json_extract(exif, '$.gps') IS NOT NULL").all()).toEqual([{ content_id: 1 }]);
  });
});
