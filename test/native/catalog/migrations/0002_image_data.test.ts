import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { imageData } from '../../../../native/catalog/migrations/0002_image_data.js';
import { analyseImage } from '../../../../native/image/analyse.js';
import { storeImageAnalysis } from '../../../../native/image/store.js';
import { REFERENCE } from '../../../helpers/cli.js';

describe('migration 0002 image_data', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m2-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function fillVersion1(): void {
    expect(migrate(db, caseMigrations, 'case catalogue', file, imageData.version - 1)).toBe(1);
    db.prepare(`INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version)
      VALUES (1, 'u-1', 'OP-2', 'Examiner A', '2026-01-01T00:00:00.000Z', '0.1.0')`).run();
    db.prepare(`INSERT INTO exhibit (id, label, source_path, created_at) VALUES (1, 'EX-1', '/evidence', '2026-01-01T00:00:00.000Z')`).run();
    db.prepare(`INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version)
      VALUES (1, 1, '/evidence', '2026-01-01T00:00:00.000Z', 'complete', '0.1.0')`).run();
    const content = db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, ?, ?)');
    content.run(1, 'a'.repeat(64), 'b'.repeat(40), 'c'.repeat(32), 13664, 'image/jpeg');
    content.run(2, 'd'.repeat(64), 'e'.repeat(40), 'f'.repeat(32), 99, 'text/plain');
    const inst = db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, content_id)
      VALUES (1, 1, ?, ?, 'file', 'done', ?)`);
    inst.run(Buffer.from('wee.jpg'), 'wee.jpg', 1);
    inst.run(Buffer.from('notes.txt'), 'notes.txt', 2);
  }

  it('migrates a version-1 catalogue with rows in it, keeping them, and stores analyses against them', async () => {
    fillVersion1();
    const contentBefore = db.prepare('SELECT * FROM content ORDER BY id').all();
    const instancesBefore = db.prepare('SELECT * FROM file_instance ORDER BY id').all();
    expect(migrate(db, caseMigrations, 'case catalogue', file, imageData.version)).toBe(2);
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare('SELECT * FROM content ORDER BY id').all()).toEqual(contentBefore);
    expect(db.prepare('SELECT * FROM file_instance ORDER BY id').all()).toEqual(instancesBefore);
    // Every image content of the old catalogue is now visibly without perceptual data.
    expect(db.prepare(`SELECT c.id FROM content c LEFT JOIN image_data i ON i.content_id = c.id
      WHERE c.detected_type LIKE 'image/%' AND i.content_id IS NULL`).all()).toEqual([{ id: 1 }]);

    const analysis = await analyseImage(readFileSync(join(REFERENCE, 'pdq', 'misc-images', 'wee.jpg')));
    // Extra PDQ hashes have their own table only from version 12 on.
    db.transaction(() => storeImageAnalysis(db, dir, 1, 'a'.repeat(64), { ...analysis, pdqExtras: null }))();
    const row = db.prepare('SELECT * FROM image_data WHERE content_id = 1').get() as Record<string, unknown>;
    expect(row).toMatchObject({
      width: 34, height: 42, pdq: '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d', pdq_quality: 100,
      decode_error: null, orientation: 1, thumbnail: `derived/thumbnails/aa/${'a'.repeat(64)}.jpg`,
    });
    expect(JSON.parse(row['pdq_dihedral'] as string)).toEqual(analysis.pdqDihedral);
    expect(JSON.parse(row['algorithms'] as string)).toMatchObject({ pdq: { name: 'pdq' }, blockhash: { method: 'bmvbhash', bits: 16 } });
    expect(existsSync(join(dir, row['thumbnail'] as string))).toBe(true);

    // A failed decode is a row too, with the message and no hashes.
    const failed = await analyseImage(Buffer.from('not a picture'));
    db.transaction(() => storeImageAnalysis(db, dir, 2, 'd'.repeat(64), failed))();
    expect(db.prepare('SELECT pdq, thumbnail, decode_error FROM image_data WHERE content_id = 2').get())
      .toEqual({ pdq: null, thumbnail: null, decode_error: expect.stringMatching(/unsupported image format/) });
  });

  it('refuses rows that do not fit: unknown content, malformed hashes, hashes beside a decode error', () => {
    fillVersion1();
    migrate(db, caseMigrations, 'case catalogue', file, imageData.version);
    const insert = db.prepare(`INSERT INTO image_data (content_id, pdq, pdq_quality, blockhash, decode_error, algorithms, processed_at)
      VALUES (?, ?, ?, ?, ?, '{}', 'now')`);
    expect(() => insert.run(999, '0'.repeat(64), 90, null, null)).toThrow(/FOREIGN KEY/);
    expect(() => insert.run(1, 'X'.repeat(64), 90, null, null)).toThrow(/CHECK/);
    expect(() => insert.run(1, '0'.repeat(63), 90, null, null)).toThrow(/CHECK/);
    expect(() => insert.run(1, '0'.repeat(64), 101, null, null)).toThrow(/CHECK/);
    expect(() => insert.run(1, '0'.repeat(64), 90, 'zz', null)).toThrow(/CHECK/);
    expect(() => insert.run(1, '0'.repeat(64), 90, null, 'broken')).toThrow(/CHECK/);
    expect(() => insert.run(1, null, null, null, null)).toThrow(/CHECK/);
    insert.run(1, 'f'.repeat(64), 90, '0'.repeat(64), null);
    expect(() => insert.run(1, 'f'.repeat(64), 90, '0'.repeat(64), null)).toThrow(/UNIQUE|PRIMARY/);
  });
});
