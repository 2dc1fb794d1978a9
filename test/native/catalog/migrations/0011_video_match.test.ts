import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { videoMatch } from '../../../../native/catalog/migrations/0011_video_match.js';

describe('migration 0011 video match', () => {
  let dir: string;
  let file: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m11-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a catalogue with a matched case and an analysed video, keeping them, and adds video_match', () => {
    expect(migrate(db, caseMigrations, 'case catalogue', file, videoMatch.version - 1)).toBe(videoMatch.version - 1);
    db.prepare(`INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version)
      VALUES (1, 'u-1', 'OP-7', 'Examiner A', '2026-01-01T00:00:00.000Z', '0.1.0')`).run();
    db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, ?, ?)')
      .run(1, 'a'.repeat(64), 'b'.repeat(40), 'c'.repeat(32), 1234, 'video/mp4');
    db.prepare(`INSERT INTO video_data (content_id, container, video_codec, duration_sec, frame_rate, width, height, seconds_per_hash, algorithms, processed_at)
      VALUES (1, 'mov,mp4', 'h264', 4.0, 25, 320, 240, 1, '{}', 'now')`).run();
    db.prepare(`INSERT INTO hashlist_use (id, list_uid, list_name, list_version, list_format, list_sha256, known, pdq_threshold, blockhash_threshold,
      content_watermark, first_matched_at, matched_at, tool_version) VALUES (1, 'u', 'videos', 1, 'vpdq', 'ab', 0, 31, 10, 1, 'now', 'now', '0.1.0')`).run();
    const before = [db.prepare('SELECT * FROM video_data').all(), db.prepare('SELECT * FROM hashlist_use').all()];
    expect(migrate(db, caseMigrations, 'case catalogue', file, videoMatch.version)).toBe(videoMatch.version);
    expect(schemaVersion(db)).toBe(videoMatch.version);
    expect([db.prepare('SELECT * FROM video_data').all(), db.prepare('SELECT * FROM hashlist_use').all()]).toEqual(before);

    const insert = db.prepare(`INSERT INTO video_match (content_id, use_id, entry_id, entry_record, entry_label, variant, kind, query_match_percent,
      compared_match_percent, query_coverage_percent, compared_coverage_percent, query_ranges, compared_ranges, query_frames, min_distance,
      distance_threshold, quality_threshold, match_percent_threshold, category, scheme, known, matched_at)
      VALUES (?, 1, ?, 1, 'known.txt', 0, ?, 100, 40, 100, 45, '[[0,2]]', '[[1.2,3.5]]', '[0,25,50]', 6, 31, 50, 80, ?, ?, 0, 'now')`);
    insert.run(1, 10, 'query-inside-compared', null, null);
    expect(() => insert.run(1, 10, 'whole', null, null)).toThrow(/UNIQUE/);
    expect(() => insert.run(1, 11, 'sideways', null, null)).toThrow(/CHECK/);
    expect(() => insert.run(1, 12, 'whole', '1', null)).toThrow(/CHECK/);
    expect(() => insert.run(2, 13, 'whole', null, null)).toThrow(/FOREIGN KEY/);
    expect(db.prepare('SELECT kind, query_frames FROM video_match').all()).toEqual([{ kind: 'query-inside-compared', query_frames: '[0,25,50]' }]);
  });
});
