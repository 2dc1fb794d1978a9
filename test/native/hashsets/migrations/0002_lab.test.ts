import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate } from '../../../../native/catalog/migrate.js';
import { libraryMigrations } from '../../../../native/hashsets/migrations/index.js';
import { libraryLab } from '../../../../native/hashsets/migrations/0002_lab.js';

describe('library migration 0002 lab', () => {
  let dir: string;
  let file: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-lm2-'));
    file = join(dir, 'library.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a version-1 library with a list in it, keeping it, and adds the lab tables', () => {
    expect(migrate(db, libraryMigrations, 'hash library', file, libraryLab.version - 1)).toBe(1);
    db.prepare(`INSERT INTO hash_list (id, uid, name, version, format, known, source_file, file_sha256, file_size, imported_at,
      records_read, records_imported, records_rejected, first_entry, entry_count, tool_version)
      VALUES (1, 'u1', 'vic', 1, 'vics', 0, '/l.json', 'ab', 10, 'now', 1, 1, 0, 1, 1, '0.1.0')`).run();
    db.prepare(`INSERT INTO entry (id, list_id, record_no, category) VALUES (1, 1, 1, '1')`).run();
    const lists = db.prepare('SELECT * FROM hash_list').all();
    expect(migrate(db, libraryMigrations, 'hash library', file, libraryLab.version)).toBe(2);
    expect(db.prepare('SELECT * FROM hash_list').all()).toEqual(lists);
    expect(db.prepare('SELECT version FROM lab_state').get()).toEqual({ version: 0 });

    db.prepare(`INSERT INTO lab_case (id, case_uuid, case_number, case_examiner, contributed_by, first_contributed_at, contributed_at,
      item_count, share_file_names, tool_version) VALUES (1, 'u', 'C-1', 'A', 'A', 'now', 'now', 1, 0, '0.1.0')`).run();
    const item = db.prepare(`INSERT INTO lab_item (case_id, sha256, sha1, md5, size, media_type, exhibits, category, scheme, list_hits, series, victims, tags)
      VALUES (?, ?, ?, ?, 1, 'image/jpeg', '[]', ?, ?, '[]', '[]', '[]', '[]')`);
    item.run(1, Buffer.alloc(32, 1), Buffer.alloc(20), Buffer.alloc(16), '1', 'vic-us');
    expect(() => item.run(1, Buffer.alloc(32, 1), Buffer.alloc(20), Buffer.alloc(16), null, null)).toThrow(/UNIQUE/);
    expect(() => item.run(1, Buffer.alloc(31), Buffer.alloc(20), Buffer.alloc(16), null, null)).toThrow(/CHECK/);
    expect(() => item.run(1, Buffer.alloc(32, 2), Buffer.alloc(20), Buffer.alloc(16), '1', null)).toThrow(/CHECK/);
    db.prepare(`INSERT INTO lab_audit (seq, at, actor, action, details, prev_hash, hash) VALUES (1, 'now', 'A', 'x', '{}', '0', '1')`).run();
    expect(() => db.prepare(`UPDATE lab_audit SET actor = 'B'`).run()).toThrow(/append-only/);
    expect(() => db.prepare(`DELETE FROM lab_audit`).run()).toThrow(/append-only/);
    // withdrawing (deleting the case) takes its items with it
    db.prepare('DELETE FROM lab_case WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM lab_item').get()).toEqual({ n: 0 });
  });
});
