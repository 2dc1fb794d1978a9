import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCase, openCase, type OpenCase } from '../../../native/catalog/case.js';
import { openSqlite, type Db } from '../../../native/catalog/sqlite.js';
import { migrate } from '../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../native/catalog/migrations/index.js';
import { readAudit, verifyChain } from '../../../native/audit/log.js';
import { openLibrary, type HashLibrary } from '../../../native/hashsets/library.js';
import { importHashList } from '../../../native/hashsets/importer.js';
import { matchCase, matchLines } from '../../../native/matching/matcher.js';

const ORIG = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

function flipHex(hex: string, bits: number[]): string {
  const b = Buffer.from(hex, 'hex');
  for (const bit of bits) b[bit >> 3]! ^= 1 << (bit & 7);
  return b.toString('hex');
}
const digest = (alg: string, s: string) => createHash(alg).update(s).digest('hex');
/** Eight distinct stand-ins for the dihedral variants (the matcher only reads them). */
const dihedral = (h: string) => [h, ...[1, 2, 3, 4, 5, 6, 7].map((k) => flipHex(h, Array.from({ length: 60 }, (_, i) => (i * 4 + k) % 256)))];

interface Pic { name: string; pdq?: string; quality?: number; blockhash?: string }

/** Rows as intake writes them, through the real migrations. */
function addFiles(db: Db, files: Pic[]): void {
  db.transaction(() => {
    const ex = db.prepare("SELECT id FROM exhibit WHERE label = 'EX1'").get() as { id: number } | undefined;
    const exhibitId = ex?.id ?? Number(db.prepare("INSERT INTO exhibit (label, source_path, created_at) VALUES ('EX1', '/src', 'now')").run().lastInsertRowid);
    const run = Number(db.prepare("INSERT INTO intake_run (exhibit_id, source_path, started_at, status, tool_version) VALUES (?, '/src', 'now', 'complete', 't')").run(exhibitId).lastInsertRowid);
    for (const f of files) {
      const cid = Number(db.prepare("INSERT INTO content (sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, 1, 'image/jpeg')")
        .run(digest('sha256', f.name), digest('sha1', f.name), digest('md5', f.name)).lastInsertRowid);
      db.prepare("INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, content_id) VALUES (?, ?, ?, ?, 'file', 'done', ?)")
        .run(exhibitId, run, Buffer.from(f.name), f.name, cid);
      if (f.pdq || f.blockhash) {
        db.prepare(`INSERT INTO image_data (content_id, width, height, pdq, pdq_quality, pdq_dihedral, blockhash, algorithms, processed_at)
          VALUES (?, 100, 100, ?, ?, ?, ?, '{}', 'now')`).run(cid, f.pdq ?? null, f.pdq ? f.quality ?? 100 : null,
          f.pdq ? JSON.stringify(dihedral(f.pdq)) : null, f.blockhash ?? null);
      }
    }
  })();
}

let dir: string;
let c: OpenCase;
let lib: HashLibrary;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-match-'));
  c = initCase(join(dir, 'case'), { caseNumber: 'C1', examiner: 'Ann' });
  lib = openLibrary(join(dir, 'lib'));
});
afterEach(() => {
  c.close();
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeList(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('matching a case', () => {
  it('exact, perceptual (dihedral-aware), known files, precategorisation, low quality skipped, near-duplicates', async () => {
    const rotated = dihedral(flipHex(ORIG, [3, 77]))[5]!;
    addFiles(c.db, [
      { name: 'known.dll' },
      { name: 'cam.jpg', pdq: flipHex(ORIG, [3, 77]) },
      { name: 'series-2.jpg', pdq: flipHex(ORIG, [3, 77, 100, 140, 200]) },
      { name: 'flat.jpg', pdq: flipHex(ORIG, [1]), quality: 20 },
      { name: 'bh.png', pdq: 'aa'.repeat(32), blockhash: '0f'.repeat(32) },
      { name: 'other.jpg', pdq: 'ff'.repeat(32) },
    ]);
    importHashList(lib, writeList('nsrl.txt', `"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\n"${digest('sha1', 'known.dll')}","${digest('md5', 'known.dll')}","0","known.dll",1,1,"1",""\n`));
    importHashList(lib, writeList('vics.json', JSON.stringify({ '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media', value: [
      { MediaID: 'M1', Category: 1, MD5: null, AlternativeHashes: [{ HashName: 'PDQ', HashValue: rotated.toUpperCase() }] },
      { MediaID: 'M2', Category: 2, AlternativeHashes: [{ HashName: 'blockhash', HashValue: flipHex('0f'.repeat(32), [9, 10, 11]) }] },
    ] })), { name: 'vic' });

    const s = await matchCase(c, lib);
    expect(s).toMatchObject({ lists: 2, listsMatched: 2, matches: 5, exactMatches: 2, perceptualMatches: 3, knownMatches: 2, alertMatches: 3, pdqSkippedLowQuality: 1 });
    const lines = [...matchLines(c.db)];
    expect(lines).toContainEqual({ kind: 'list', path: 'known.dll', sha256: digest('sha256', 'known.dll'), list: 'nsrl', algorithm: 'sha1', distance: 0, threshold: 0, category: null, scheme: null, known: true, via: null });
    expect(lines).toContainEqual(expect.objectContaining({ path: 'cam.jpg', list: 'vic', algorithm: 'pdq', distance: 0, threshold: 31, category: '1', scheme: 'vic-us', known: false }));
    expect(lines).toContainEqual(expect.objectContaining({ path: 'series-2.jpg', algorithm: 'pdq', distance: 3 }));
    expect(lines).toContainEqual(expect.objectContaining({ path: 'bh.png', algorithm: 'blockhash', distance: 3, threshold: 10, category: '2' }));
    expect(lines.some((l) => l.path === 'flat.jpg' || l.path === 'other.jpg')).toBe(false);
    // The SHA-1 and MD5 of the NSRL record both match: one line each, both known.
    expect(lines.filter((l) => l.path === 'known.dll').map((l) => l.algorithm).sort()).toEqual(['md5', 'sha1']);

    expect(c.db.prepare("SELECT dihedral FROM hash_match WHERE algorithm = 'pdq' AND distance = 0").get()).toEqual({ dihedral: 5 });
    expect(c.db.prepare('SELECT scheme, category, list_name FROM precategorisation ORDER BY category').all())
      .toEqual([{ scheme: 'vic-us', category: '1', list_name: 'vic' }, { scheme: 'vic-us', category: '1', list_name: 'vic' }, { scheme: 'vic-us', category: '2', list_name: 'vic' }]);
    expect(c.db.prepare('SELECT reason FROM perceptual_skip').get()).toEqual({ reason: 'PDQ quality 20 is below 50; not matched perceptually' });
    const members = c.db.prepare('SELECT f.path_text AS p, m.group_id AS g FROM near_duplicate_member m JOIN file_instance f ON f.content_id = m.content_id ORDER BY p').all() as { p: string; g: number }[];
    expect(members.map((m) => m.p)).toEqual(['cam.jpg', 'series-2.jpg']);
    expect(new Set(members.map((m) => m.g)).size).toBe(1);
    const audit = readAudit(c.db);
    expect(verifyChain(audit).ok).toBe(true);
    expect(audit.filter((e) => e.action === 'match.list')).toHaveLength(2);
    expect(audit.find((e) => e.action === 'match.list')!.details).toMatchObject({ thresholds: { pdq: 31, blockhash: 10, pdqMinQuality: 50 } });
  });

  it('matching again does only the new work: new lists, and old lists against new content', async () => {
    addFiles(c.db, [{ name: 'a.jpg', pdq: ORIG }]);
    importHashList(lib, writeList('one.pdq', `${flipHex(ORIG, [1, 2])}\n`), { name: 'one', format: 'pdq' });
    const first = await matchCase(c, lib);
    expect(first).toMatchObject({ listsMatched: 1, newMatches: 1 });
    const again = await matchCase(c, lib);
    expect(again).toMatchObject({ listsMatched: 0, listsUpToDate: 1, newMatches: 0, matches: 1 });

    importHashList(lib, writeList('two.md5', `${digest('md5', 'b.jpg')}  b.jpg\n${digest('md5', 'a.jpg')}  a.jpg\n`), { name: 'two' });
    addFiles(c.db, [{ name: 'b.jpg', pdq: flipHex(ORIG, [5]) }]);
    const third = await matchCase(c, lib);
    expect(third).toMatchObject({ listsMatched: 2, newMatches: 3, matches: 4 });
    const uses = c.db.prepare('SELECT list_name, content_watermark FROM hashlist_use ORDER BY list_name').all();
    expect(uses).toEqual([{ list_name: 'one', content_watermark: 2 }, { list_name: 'two', content_watermark: 2 }]);
    const runs = readAudit(c.db).filter((e) => e.action === 'match.list').map((e) => e.details);
    expect(runs[1]).toMatchObject({ list: { name: 'one' }, exactFromContent: 1, perceptualFromContent: 1 });

    // A tighter threshold re-matches the perceptual hashes of every content, for every list.
    const tight = await matchCase(c, lib, { pdqThreshold: 1 });
    expect(tight).toMatchObject({ listsMatched: 2 });
    expect(c.db.prepare("SELECT count(*) AS n FROM hash_match WHERE algorithm = 'pdq'").get()).toEqual({ n: 0 });
    expect(c.db.prepare("SELECT count(*) AS n FROM hash_match WHERE algorithm = 'md5'").get()).toEqual({ n: 2 });
  });
});

describe('case migration 0003', () => {
  it('migrates a version-2 catalogue with rows, keeping them, and matching works on them', async () => {
    const caseDir = join(dir, 'old');
    const fresh = initCase(caseDir, { caseNumber: 'C2', examiner: 'Bo' });
    fresh.close();
    // Rebuild the catalogue as a version-2 file: the state before this migration existed.
    rmSync(join(caseDir, 'catalogue.sqlite'));
    rmSync(join(caseDir, 'catalogue.sqlite-wal'), { force: true });
    rmSync(join(caseDir, 'catalogue.sqlite-shm'), { force: true });
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'));
    expect(migrate(db, caseMigrations, 'case catalogue', 'old', 2)).toBe(2);
    db.prepare("INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version) VALUES (1, 'u', 'C2', 'Bo', 'now', 't')").run();
    addFiles(db, [{ name: 'x.jpg', pdq: ORIG }]);
    db.close();

    const opened = openCase(caseDir);
    try {
      expect((opened.db.prepare('SELECT max(version) AS v FROM schema_migration').get() as { v: number }).v).toBe(caseMigrations.length);
      expect(opened.db.prepare('SELECT path_text FROM file_instance').all()).toEqual([{ path_text: 'x.jpg' }]);
      expect(opened.db.prepare('SELECT count(*) AS n FROM hash_match').get()).toEqual({ n: 0 });
      importHashList(lib, writeList('l.pdq', `${ORIG},90,x\n`));
      const s = await matchCase(opened, lib);
      expect(s).toMatchObject({ matches: 1, perceptualMatches: 1 });
    } finally {
      opened.close();
    }
  });
});
