import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { pdqExtras } from '../../../../native/catalog/migrations/0012_pdq_extras.js';

describe('migration 0012 pdq extras', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m12-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function fillPrevious(): void {
    expect(migrate(db, caseMigrations, 'case catalogue', file, pdqExtras.version - 1)).toBe(pdqExtras.version - 1);
    db.prepare(`INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version)
      VALUES (1, 'u-1', 'OP-7', 'Examiner A', '2026-01-01T00:00:00.000Z', '0.1.0')`).run();
    db.prepare(`INSERT INTO exhibit (id, label, source_path, created_at) VALUES (1, 'EX-1', '/evidence', '2026-01-01T00:00:00.000Z')`).run();
    db.prepare(`INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version)
      VALUES (1, 1, '/evidence', '2026-01-01T00:00:00.000Z', 'complete', '0.1.0')`).run();
    const content = db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, ?, ?)');
    content.run(1, 'a'.repeat(64), 'b'.repeat(40), 'c'.repeat(32), 1234, 'image/jpeg');
    content.run(2, 'd'.repeat(64), 'e'.repeat(40), 'f'.repeat(32), 99, 'text/plain');
    db.prepare(`INSERT INTO image_data (content_id, width, height, pdq, pdq_quality, algorithms, processed_at)
      VALUES (1, 800, 600, ?, 100, '{}', 'now')`).run('ab'.repeat(32));
    db.prepare(`INSERT INTO hashlist_use (id, list_uid, list_name, list_version, list_format, list_sha256, known, pdq_threshold, blockhash_threshold,
      content_watermark, first_matched_at, matched_at, tool_version) VALUES (1, 'l-1', 'list', 1, 'pdq', 'ff', 0, 31, 10, 2, 'now', 'now', '0.1.0')`).run();
    db.prepare(`INSERT INTO hash_match (content_id, use_id, entry_id, entry_record, entry_hash, algorithm, distance, threshold, dihedral, known, matched_at)
      VALUES (1, 1, 7, 1, ?, 'pdq', 12, 31, 0, 0, 'now')`).run('ab'.repeat(32));
  }

  it('migrates a version-11 catalogue with matches in it: old matches are plain (via NULL), extras attach to analysed pictures', () => {
    fillPrevious();
    const matches = db.prepare('SELECT * FROM hash_match').all() as Array<Record<string, unknown>>;
    expect(migrate(db, caseMigrations, 'case catalogue', file, pdqExtras.version)).toBe(pdqExtras.version);
    expect(schemaVersion(db)).toBe(pdqExtras.version);
    expect(db.prepare('SELECT * FROM hash_match').all()).toEqual(matches.map((m) => ({ ...m, via: null })));
    expect(db.prepare('SELECT pdq_extra_threshold FROM hashlist_use').pluck().get()).toBeNull();

    const extra = db.prepare(`INSERT INTO pdq_extra (content_id, name, kind, region_left, region_top, region_width, region_height, degrees, pdq, quality)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    extra.run(1, 'trimmed', 'trimmed', 80, 60, 640, 480, 0, 'cd'.repeat(32), 90);
    extra.run(1, 'centre-90', 'crop', 40, 30, 720, 540, 0, 'ef'.repeat(32), 95);
    expect(db.prepare('SELECT count(*) FROM pdq_extra').pluck().get()).toBe(2);
    // Only an analysed picture has extras; one row per name; well-formed hash, kind and region.
    expect(() => extra.run(2, 'trimmed', 'trimmed', 0, 0, 1, 1, 0, 'cd'.repeat(32), 90)).toThrow(/FOREIGN KEY/);
    expect(() => extra.run(1, 'trimmed', 'trimmed', 0, 0, 1, 1, 0, 'cd'.repeat(32), 90)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => extra.run(1, 'centre-80', 'crop', 0, 0, 1, 1, 0, 'CD'.repeat(32), 90)).toThrow(/CHECK/);
    expect(() => extra.run(1, 'centre-80', 'zoom', 0, 0, 1, 1, 0, 'cd'.repeat(32), 90)).toThrow(/CHECK/);
    expect(() => extra.run(1, 'centre-80', 'crop', 0, 0, 0, 1, 0, 'cd'.repeat(32), 90)).toThrow(/CHECK/);
    db.prepare("UPDATE hash_match SET via = 'centre-90' WHERE id = 1").run();
    expect(db.prepare(`SELECT x.region_width FROM hash_match m JOIN pdq_extra x ON x.content_id = m.content_id AND x.name = m.via`).pluck().get()).toBe(720);
  });
});
