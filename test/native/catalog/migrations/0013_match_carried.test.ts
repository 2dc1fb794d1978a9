import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { matchCarried } from '../../../../native/catalog/migrations/0013_match_carried.js';

describe('migration 0013 list data carried on matches', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m13-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function fillPrevious(): void {
    expect(migrate(db, caseMigrations, 'case catalogue', file, matchCarried.version - 1)).toBe(matchCarried.version - 1);
    db.prepare(`INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version)
      VALUES (1, 'u-1', 'OP-7', 'Examiner A', '2026-01-01T00:00:00.000Z', '0.1.0')`).run();
    db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (1, ?, ?, ?, 10, ?)').run('a'.repeat(64), 'b'.repeat(40), 'c'.repeat(32), 'image/jpeg');
    db.prepare(`INSERT INTO hashlist_use (id, list_uid, list_name, list_version, list_format, list_sha256, known, scheme, pdq_threshold,
      blockhash_threshold, content_watermark, first_matched_at, matched_at, tool_version)
      VALUES (1, 'uid-1', 'vic', 1, 'vics', ?, 0, 'vic-us', 31, 10, 1, 'now', 'now', '0.1.0')`).run('d'.repeat(64));
    db.prepare(`INSERT INTO hash_match (content_id, use_id, entry_id, entry_record, entry_hash, entry_media_id, entry_label, algorithm,
      distance, threshold, category, scheme, known, matched_at) VALUES (1, 1, 7, 3, ?, '42', 'S-1', 'md5', 0, 0, '1', 'vic-us', 0, 'now')`).run('c'.repeat(32));
  }

  it('migrates a version-12 catalogue with a match in it, keeping it, and takes carried data as JSON only', () => {
    fillPrevious();
    const before = db.prepare('SELECT * FROM hash_match').all() as Record<string, unknown>[];
    expect(migrate(db, caseMigrations, 'case catalogue', file, matchCarried.version)).toBe(matchCarried.version);
    expect(schemaVersion(db)).toBe(matchCarried.version);
    expect(db.prepare('SELECT * FROM hash_match').all()).toEqual(before.map((r) => ({ ...r, entry_carried: null })));
    db.prepare('UPDATE hash_match SET entry_carried = ? WHERE id = 1').run('{"series":"S-1"}');
    expect(db.prepare('SELECT entry_carried FROM hash_match').pluck().get()).toBe('{"series":"S-1"}');
    expect(() => db.prepare('UPDATE hash_match SET entry_carried = ? WHERE id = 1').run('{not json')).toThrow(/CHECK/);
  });
});
