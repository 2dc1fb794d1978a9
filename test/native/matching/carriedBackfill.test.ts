import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../native/catalog/migrations/index.js';
import { matchCarried } from '../../../native/catalog/migrations/0013_match_carried.js';
import { openLibrary, type HashLibrary } from '../../../native/hashsets/library.js';
import { importHashList } from '../../../native/hashsets/importer.js';
import { readAudit } from '../../../native/audit/log.js';
import { backfillCarried } from '../../../native/matching/carriedBackfill.js';

const MD5 = '0cc175b9c0f1b6a831c399e269772661';
const PHOTODNA = Buffer.alloc(144, 7).toString('base64');

/**
 * A case matched before catalogue version 13 (real version-12 rows, pointing at a real library
 * entry), migrated, then matched again: its old matches get what their list entry carried.
 */
describe('list data filled in on matches recorded before version 13', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let lib: HashLibrary;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-carried-backfill-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
    lib = openLibrary(join(dir, 'library'));
  });
  afterEach(() => {
    db.close();
    lib.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fills matches recorded before the migration from the entry they matched, once, audited; not later ones, not a removed list', () => {
    const listFile = join(dir, 'vic.json');
    writeFileSync(listFile, JSON.stringify({
      '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media',
      value: [{ MD5, Category: 1, Series: 'S-17', VictimIdentified: 'true', AlternativeHashes: [{ HashName: 'PhotoDNA', HashValue: PHOTODNA }] }],
    }));
    const { list } = importHashList(lib, listFile, { name: 'vic' });

    expect(migrate(db, caseMigrations, 'case catalogue', file, matchCarried.version - 1)).toBe(12);
    db.prepare(`INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version)
      VALUES (1, 'u-1', 'OP-7', 'Examiner A', '2026-01-01T00:00:00.000Z', '0.1.0')`).run();
    const content = db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, 1, ?)');
    content.run(1, 'a'.repeat(64), 'b'.repeat(40), MD5, 'image/jpeg');
    content.run(2, 'e'.repeat(64), 'f'.repeat(40), 'f'.repeat(32), 'image/jpeg');
    content.run(3, '1'.repeat(64), '2'.repeat(40), '3'.repeat(32), 'image/jpeg');
    const use = db.prepare(`INSERT INTO hashlist_use (id, list_uid, list_name, list_version, list_format, list_sha256, known, scheme, pdq_threshold,
      blockhash_threshold, content_watermark, first_matched_at, matched_at, tool_version)
      VALUES (?, ?, ?, 1, 'vics', ?, 0, 'vic-us', 31, 10, 3, '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '0.1.0')`);
    use.run(1, list.uid, 'vic', list.fileSha256);
    use.run(2, 'uid-of-a-removed-list', 'old', 'd'.repeat(64));
    const match = db.prepare(`INSERT INTO hash_match (content_id, use_id, entry_id, entry_record, entry_hash, entry_media_id, entry_label, algorithm,
      distance, threshold, category, scheme, known, matched_at) VALUES (?, ?, ?, 1, ?, NULL, NULL, 'md5', 0, 0, '1', 'vic-us', 0, '2026-01-02T00:00:00.000Z')`);
    match.run(1, 1, list.firstEntry, MD5);
    match.run(2, 2, list.firstEntry, 'f'.repeat(32));

    migrate(db, caseMigrations, 'case catalogue', file);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(matchCarried.version);
    const carried = () => db.prepare('SELECT content_id, entry_carried FROM hash_match ORDER BY content_id').all() as { content_id: number; entry_carried: string | null }[];
    expect(carried().map((r) => r.entry_carried)).toEqual([null, null]);
    // A match recorded after the migration with nothing carried is what its entry said: left alone.
    db.prepare(`INSERT INTO hash_match (content_id, use_id, entry_id, entry_record, entry_hash, algorithm, distance, threshold, category, scheme, known, matched_at)
      VALUES (3, 1, ?, 1, ?, 'md5', 0, 0, '1', 'vic-us', 0, '2999-01-01T00:00:00.000Z')`).run(list.firstEntry, '3'.repeat(32));

    expect(backfillCarried(db, lib, 'Examiner B')).toEqual({ filled: 1, listGone: 1 });
    const [first, gone, later] = carried();
    expect(JSON.parse(first!.entry_carried!)).toMatchObject({ series: 'S-17', victimIdentified: true, photoDna: PHOTODNA });
    expect(gone!.entry_carried).toBeNull();
    expect(later!.entry_carried).toBeNull();
    const audit = readAudit(db).filter((e) => e.action === 'match.carried-backfill');
    expect(audit).toMatchObject([{ actor: 'Examiner B', details: { filled: 1, listGone: 1 } }]);

    // Done once: a second run finds nothing more to fill and records nothing.
    expect(backfillCarried(db, lib, 'Examiner B')).toEqual({ filled: 0, listGone: 1 });
    expect(readAudit(db).filter((e) => e.action === 'match.carried-backfill')).toHaveLength(1);
  });
});
