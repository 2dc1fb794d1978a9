import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate } from '../../../../native/catalog/migrate.js';
import { libraryMigrations } from '../../../../native/hashsets/migrations/index.js';
import { libraryVideo } from '../../../../native/hashsets/migrations/0003_video.js';

describe('library migration 0003 video', () => {
  let dir: string;
  let file: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-lm3-'));
    file = join(dir, 'library.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rebuilds hash_list to take vPDQ lists, keeping lists, entries and hash blocks (none cascade-deleted), and adds video_hash', () => {
    expect(migrate(db, libraryMigrations, 'hash library', file, libraryVideo.version - 1)).toBe(2);
    db.prepare(`INSERT INTO hash_list (id, uid, name, version, format, known, source_file, file_sha256, file_size, imported_at,
      records_read, records_imported, records_rejected, first_entry, entry_count, tool_version)
      VALUES (7, 'u1', 'vic', 1, 'pdq', 0, '/l.pdq', 'ab', 10, 'now', 1, 1, 0, 1, 1, '0.1.0')`).run();
    db.prepare(`INSERT INTO entry (id, list_id, record_no, label) VALUES (1, 7, 1, 'x')`).run();
    db.prepare(`INSERT INTO hash_block (list_id, algorithm, run, block, first_hash, count, hashes, positions)
      VALUES (7, 'pdq', 0, 0, ?, 1, ?, ?)`).run(Buffer.alloc(32, 1), Buffer.alloc(32, 1), Buffer.alloc(4));
    const lists = db.prepare('SELECT * FROM hash_list').all();
    const blocks = db.prepare('SELECT * FROM hash_block').all();
    expect(migrate(db, libraryMigrations, 'hash library', file)).toBe(3);
    expect(db.prepare('SELECT * FROM hash_list').all()).toEqual(lists);
    expect(db.prepare('SELECT * FROM hash_block').all()).toEqual(blocks);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);

    db.prepare(`INSERT INTO hash_list (id, uid, name, version, format, known, source_file, file_sha256, file_size, imported_at,
      records_read, records_imported, records_rejected, first_entry, entry_count, tool_version)
      VALUES (8, 'u2', 'videos', 1, 'vpdq', 0, '/v', 'cd', 10, 'now', 1, 1, 0, 2, 1, '0.1.0')`).run();
    const video = db.prepare('INSERT INTO video_hash (entry_id, list_id, frame_count, duration_sec, features) VALUES (?, ?, ?, ?, ?)');
    video.run(2, 8, 1, 0, Buffer.alloc(45));
    expect(() => video.run(3, 99, 1, 0, Buffer.alloc(45))).toThrow(/FOREIGN KEY/);
    expect(() => video.run(3, 8, 0, 0, Buffer.alloc(0))).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE hash_list SET format = 'tmk' WHERE id = 8").run()).toThrow(/CHECK/);
    // The rebuilt table still owns the blocks: removing a list takes its blocks and videos with it.
    db.prepare('DELETE FROM hash_list').run();
    expect(db.prepare('SELECT (SELECT count(*) FROM hash_block) + (SELECT count(*) FROM video_hash)').pluck().get()).toBe(0);
  });
});
