import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { sortKeys } from '../../../../native/catalog/migrations/0014_sort_keys.js';

describe('migration 0014 indexed sort keys', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m14-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const keys = (id: number) =>
    db.prepare('SELECT sort_path, sort_name, sort_mtime, sort_taken, sort_distance FROM content WHERE id = ?').get(id) as Record<string, unknown>;

  /** A version-13 catalogue as intake and match leave it: two copies of one picture, a file with no EXIF, a file never matched, an unread file. */
  function fillPrevious(): void {
    expect(migrate(db, caseMigrations, 'case catalogue', file, sortKeys.version - 1)).toBe(sortKeys.version - 1);
    db.prepare(`INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version)
      VALUES (1, 'u-1', 'OP-7', 'Examiner A', '2026-01-01T00:00:00.000Z', '0.1.0')`).run();
    db.prepare("INSERT INTO exhibit (id, label, source_path, created_at) VALUES (1, 'EX-1', '/evidence', 'now')").run();
    db.prepare("INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version) VALUES (1, 1, '/evidence', 'now', 'complete', '0.1.0')").run();
    const content = db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, 10, ?)');
    for (const id of [1, 2, 3]) content.run(id, String(id).repeat(64), String(id).repeat(40), String(id).repeat(32), 'image/jpeg');
    const inst = db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, content_id, mtime)
      VALUES (1, 1, ?, ?, 'file', ?, ?, ?)`);
    for (const [path, state, contentId, mtime] of [
      ['/DCIM/b/copy.jpg', 'done', 1, '2025-02-02T00:00:00.000000000Z'],
      ['/DCIM/a/original.jpg', 'done', 1, '2025-01-01T00:00:00.000000000Z'],
      ['/Downloads/plain.jpg', 'done', 2, null],
      ['/Downloads/third.jpg', 'done', 3, '2025-03-03T00:00:00.000000000Z'],
      ['/Downloads/unread.jpg', 'error', null, null],
    ] as const) inst.run(Buffer.from(path), path, state, contentId, mtime);
    const image = db.prepare(`INSERT INTO image_data (content_id, width, height, pdq, pdq_quality, exif, algorithms, processed_at)
      VALUES (?, 10, 10, ?, 90, ?, '{}', 'now')`);
    image.run(1, '0'.repeat(64), JSON.stringify({ dateTimeOriginal: '2024:05:06 07:08:09', make: 'Canon' }));
    image.run(2, '1'.repeat(64), null);
    db.prepare(`INSERT INTO hashlist_use (id, list_uid, list_name, list_version, list_format, list_sha256, known, scheme, pdq_threshold,
      blockhash_threshold, content_watermark, first_matched_at, matched_at, tool_version)
      VALUES (1, 'uid-1', 'vic', 1, 'vics', ?, 0, 'vic-us', 31, 10, 1, 'now', 'now', '0.1.0')`).run('d'.repeat(64));
    const match = db.prepare(`INSERT INTO hash_match (content_id, use_id, entry_id, entry_record, entry_hash, algorithm, distance, threshold, known, matched_at)
      VALUES (?, 1, ?, 1, 'x', ?, ?, 31, 0, 'now')`);
    match.run(1, 1, 'pdq', 12);
    match.run(1, 2, 'pdq', 4);
    match.run(2, 3, 'md5', 0);
  }

  it('fills each content\'s keys from a version-13 catalogue, keeping its rows, and indexes them', () => {
    fillPrevious();
    const before = db.prepare('SELECT id, sha256, sha1, md5, size, detected_type FROM content ORDER BY id').all();
    expect(migrate(db, caseMigrations, 'case catalogue', file, sortKeys.version)).toBe(sortKeys.version);
    expect(schemaVersion(db)).toBe(sortKeys.version);
    expect(db.prepare('SELECT id, sha256, sha1, md5, size, detected_type FROM content ORDER BY id').all()).toEqual(before);
    expect(keys(1)).toEqual({ sort_path: '/DCIM/b/copy.jpg', sort_name: 'copy.jpg', sort_mtime: '2025-02-02T00:00:00.000000000Z', sort_taken: '2024:05:06 07:08:09', sort_distance: 4 });
    expect(keys(2)).toEqual({ sort_path: '/Downloads/plain.jpg', sort_name: 'plain.jpg', sort_mtime: null, sort_taken: null, sort_distance: 0 });
    expect(keys(3)).toEqual({ sort_path: '/Downloads/third.jpg', sort_name: 'third.jpg', sort_mtime: '2025-03-03T00:00:00.000000000Z', sort_taken: null, sort_distance: null });
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'content' AND name LIKE 'content_sort_%' ORDER BY name").pluck().all();
    expect(indexes).toEqual(['content_sort_distance', 'content_sort_mtime', 'content_sort_name', 'content_sort_path', 'content_sort_taken']);
  });

  it('keeps the keys true as intake, matching and re-matching write afterwards', () => {
    fillPrevious();
    migrate(db, caseMigrations, 'case catalogue', file, sortKeys.version);
    // Intake: a file listed, then read and found to hold a new content.
    db.prepare("INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (4, ?, ?, ?, 1, 'image/png')").run('4'.repeat(64), '4'.repeat(40), '4'.repeat(32));
    const listed = db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, mtime)
      VALUES (1, 1, ?, ?, 'file', 'pending', '2025-04-04T00:00:00.000000000Z')`).run(Buffer.from('/new/x.png'), '/new/x.png').lastInsertRowid;
    expect(keys(4)).toMatchObject({ sort_path: null });
    db.prepare("UPDATE file_instance SET content_id = 4, read_state = 'done' WHERE id = ?").run(listed);
    expect(keys(4)).toMatchObject({ sort_path: '/new/x.png', sort_name: 'x.png', sort_mtime: '2025-04-04T00:00:00.000000000Z' });
    db.prepare(`INSERT INTO image_data (content_id, width, height, pdq, pdq_quality, exif, algorithms, processed_at)
      VALUES (4, 1, 1, ?, 90, '{"dateTimeOriginal":"2023:01:01 00:00:00"}', '{}', 'now')`).run('2'.repeat(64));
    expect(keys(4)).toMatchObject({ sort_taken: '2023:01:01 00:00:00', sort_distance: null });
    // A later copy of content 1 leaves its first file as it was.
    db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, content_id)
      VALUES (1, 1, ?, ?, 'file', 'done', 1)`).run(Buffer.from('/a.jpg'), '/a.jpg');
    expect(keys(1)).toMatchObject({ sort_path: '/DCIM/b/copy.jpg' });
    // Matching: a nearer match lowers the distance, a further one does not; re-matching a list drops its matches.
    const match = db.prepare(`INSERT INTO hash_match (content_id, use_id, entry_id, entry_record, entry_hash, algorithm, distance, threshold, known, matched_at)
      VALUES (?, 1, ?, 1, 'x', 'pdq', ?, 31, 0, 'now')`);
    match.run(4, 10, 20);
    match.run(4, 11, 7);
    match.run(4, 12, 9);
    expect(keys(4)).toMatchObject({ sort_distance: 7 });
    db.prepare('DELETE FROM hash_match WHERE content_id = 4 AND distance = 7').run();
    expect(keys(4)).toMatchObject({ sort_distance: 9 });
    db.prepare("DELETE FROM hash_match WHERE use_id = 1 AND algorithm IN ('pdq', 'blockhash')").run();
    expect([keys(1)['sort_distance'], keys(2)['sort_distance'], keys(4)['sort_distance']]).toEqual([null, 0, null]);
  });
});
