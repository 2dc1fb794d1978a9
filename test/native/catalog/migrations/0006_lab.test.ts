import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { lab } from '../../../../native/catalog/migrations/0006_lab.js';

describe('migration 0006 lab', () => {
  let dir: string;
  let file: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m6-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a version-5 catalogue with decisions in it, keeping them, and adds labels and lab hits', () => {
    expect(migrate(db, caseMigrations, 'case catalogue', file, lab.version - 1)).toBe(lab.version - 1);
    db.prepare(`INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version) VALUES (1, 'u', 'C', 'A', 'now', '0.1.0')`).run();
    db.prepare(`INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (1, ?, ?, ?, 5, 'image/jpeg')`).run('a'.repeat(64), 'b'.repeat(40), 'c'.repeat(32));
    db.prepare(`INSERT INTO category_decision (content_id, scheme, category, examiner, decided_at) VALUES (1, 'vic-us', '1', 'A', 'now')`).run();
    const before = db.prepare('SELECT * FROM category_decision').all();
    expect(migrate(db, caseMigrations, 'case catalogue', file, lab.version)).toBe(lab.version);
    expect(schemaVersion(db)).toBe(lab.version);
    expect(db.prepare('SELECT * FROM category_decision').all()).toEqual(before);

    const label = db.prepare(`INSERT INTO item_label (content_id, kind, label, examiner, created_at) VALUES (?, ?, ?, 'A', 'now')`);
    label.run(1, 'series', 'Harbour');
    expect(() => label.run(1, 'series', 'Harbour')).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => label.run(1, 'suspect', 'X')).toThrow(/CHECK/);
    expect(() => label.run(999, 'victim', 'V-1')).toThrow(/FOREIGN KEY/);
    const hit = db.prepare(`INSERT INTO lab_match (content_id, library_item, case_uuid, case_number, exhibit, category, scheme, examiner, decided_at,
      contributed_at, series, victims, algorithm, distance, threshold, dihedral, library_version, matched_at)
      VALUES (1, ?, 'u2', '2025-0412', 'EX-03', ?, ?, 'J', 'now', 'now', '[]', '[]', ?, 0, 0, NULL, 3, 'now')`);
    hit.run(7, '1', 'vic-us', 'sha256');
    expect(() => hit.run(8, '1', null, 'sha256')).toThrow(/CHECK/);
    expect(() => hit.run(9, null, null, 'md5')).toThrow(/CHECK/);
    expect(db.prepare('SELECT case_number, category FROM lab_match').all()).toEqual([{ case_number: '2025-0412', category: '1' }]);
  });
});
