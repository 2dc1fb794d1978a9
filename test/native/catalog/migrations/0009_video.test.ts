import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { video } from '../../../../native/catalog/migrations/0009_video.js';

describe('migration 0009 video', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m9-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function fillPrevious(): void {
    expect(migrate(db, caseMigrations, 'case catalogue', file, video.version - 1)).toBe(video.version - 1);
    db.prepare(`INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version)
      VALUES (1, 'u-1', 'OP-7', 'Examiner A', '2026-01-01T00:00:00.000Z', '0.1.0')`).run();
    db.prepare(`INSERT INTO exhibit (id, label, source_path, created_at) VALUES (1, 'EX-1', '/evidence', '2026-01-01T00:00:00.000Z')`).run();
    db.prepare(`INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version)
      VALUES (1, 1, '/evidence', '2026-01-01T00:00:00.000Z', 'complete', '0.1.0')`).run();
    const content = db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, ?, ?)');
    content.run(1, 'a'.repeat(64), 'b'.repeat(40), 'c'.repeat(32), 1234, 'video/mp4');
    content.run(2, 'd'.repeat(64), 'e'.repeat(40), 'f'.repeat(32), 99, 'image/jpeg');
    const inst = db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, content_id)
      VALUES (1, 1, ?, ?, 'file', 'done', ?)`);
    inst.run(Buffer.from('clip.mp4'), 'clip.mp4', 1);
    inst.run(Buffer.from('a.jpg'), 'a.jpg', 2);
    db.prepare(`INSERT INTO category_decision (content_id, scheme, category, examiner, decided_at) VALUES (1, 'vic-us', '1', 'A', 'now')`).run();
  }

  it('migrates a version-8 catalogue with rows in it, keeping them, and adds the video tables', () => {
    fillPrevious();
    const before = db.prepare('SELECT * FROM file_instance ORDER BY id').all();
    const decisions = db.prepare('SELECT * FROM category_decision').all();
    expect(migrate(db, caseMigrations, 'case catalogue', file, video.version)).toBe(video.version);
    expect(schemaVersion(db)).toBe(video.version);
    expect(db.prepare('SELECT * FROM file_instance ORDER BY id').all()).toEqual(before);
    expect(db.prepare('SELECT * FROM category_decision').all()).toEqual(decisions);

    db.prepare(`INSERT INTO video_data (content_id, container, video_codec, duration_sec, frame_rate, width, height, seconds_per_hash, algorithms, processed_at)
      VALUES (1, 'mov,mp4', 'h264', 4.0, 25, 320, 240, 1, '{}', 'now')`).run();
    const frame = db.prepare('INSERT INTO video_frame (content_id, variant, frame, quality, pdq, timestamp) VALUES (?, ?, ?, ?, ?, ?)');
    frame.run(1, 0, 0, 100, 'ab'.repeat(32), 0);
    frame.run(1, 1, 0, 90, 'cd'.repeat(32), 0);
    expect(db.prepare('SELECT count(*) FROM video_frame WHERE content_id = 1').pluck().get()).toBe(2);
    // Frames belong to an analysed video, carry a well-formed PDQ hash, one row a frame and variant.
    expect(() => frame.run(2, 0, 0, 100, 'ab'.repeat(32), 0)).toThrow(/FOREIGN KEY/);
    expect(() => frame.run(1, 0, 25, 100, 'AB'.repeat(32), 1)).toThrow(/CHECK/);
    expect(() => frame.run(1, 2, 25, 100, 'ab'.repeat(32), 1)).toThrow(/CHECK/);
    expect(() => frame.run(1, 0, 0, 100, 'ab'.repeat(32), 0)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => db.prepare(`INSERT INTO video_data (content_id, seconds_per_hash, algorithms, processed_at) VALUES (999, 1, '{}', 'now')`).run())
      .toThrow(/FOREIGN KEY/);
  });
});
