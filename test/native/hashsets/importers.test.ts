import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../../native/catalog/sqlite.js';
import { openLibrary, listHashLists, removeHashLists, libraryDir, type HashLibrary, type Algorithm } from '../../../native/hashsets/library.js';
import { importHashList } from '../../../native/hashsets/importer.js';
import { detectFormat } from '../../../native/hashsets/readers.js';
import { lookupExact, loadPerceptual, sortRun } from '../../../native/hashsets/blocks.js';
import { KestrelError } from '../../../native/util/result.js';

const FIX = join(import.meta.dirname, 'fixtures');
const fx = (name: string) => join(FIX, name);
const sha256File = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

let dir: string;
let lib: HashLibrary;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-lib-'));
  lib = openLibrary(dir);
});
afterEach(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

function has(algorithm: Algorithm, hex: string): { listId: number; position: number }[] {
  return lookupExact(lib.db, algorithm, [Buffer.from(hex, 'hex')]).map((h) => ({ listId: h.listId, position: h.position }));
}

function entry(listFirst: number, position: number): Record<string, unknown> {
  return lib.db.prepare('SELECT * FROM entry WHERE id = ?').get(listFirst + position) as Record<string, unknown>;
}

describe('format detection', () => {
  it.each([
    ['vics-v1.json', 'vics'], ['vics-v2-bom.json', 'vics'], ['icse.csv', 'icse'], ['NSRLFile.txt', 'nsrl-legacy'],
    ['list.md5', 'text'], ['list.pdq', 'pdq'], ['crlf-no-final-newline.md5', 'text'],
  ])('%s is %s', (file, format) => {
    expect(detectFormat(fx(file))).toBe(format);
  });

  it('refuses to guess between a bare SHA-256 list and a PDQ list', () => {
    const f = join(dir, 'bare.txt');
    writeFileSync(f, `${'ab'.repeat(32)}\n`);
    expect(() => detectFormat(f)).toThrow(/--format text or --format pdq/);
  });
});

describe('importers', () => {
  it('VICS 1.x: upper-case hex, string booleans, category in the vic-us scheme, provenance', () => {
    const { list } = importHashList(lib, fx('vics-v1.json'), { name: 'vic', scheme: 'vic-us' });
    expect(list).toMatchObject({ name: 'vic', version: 1, format: 'vics', formatVersion: '1.3', scheme: 'vic-us', known: false,
      recordsRead: 2, recordsImported: 2, recordsRejected: 0, fileSha256: sha256File(fx('vics-v1.json')) });
    expect(list.hashes).toEqual({ md5: 2, sha1: 1 });
    const [hit] = has('md5', '0cc175b9c0f1b6a831c399e269772661');
    expect(hit).toBeDefined();
    const e = entry(list.firstEntry, hit!.position);
    expect(e).toMatchObject({ category: '1', media_id: '101', record_no: 1 });
    expect(JSON.parse(e['details'] as string)).toMatchObject({ victimIdentified: true, offenderIdentified: false, isDistributed: true });
    const e2 = entry(list.firstEntry, has('md5', '92eb5ffee6ae2fec3ad71c777531578f')[0]!.position);
    expect(e2).toMatchObject({ category: '4', size: 1 });
    expect(JSON.parse(e2['details'] as string)).toMatchObject({ offenderIdentified: false, isDistributed: true });
  });

  it('VICS 2.0 with a BOM: AlternativeHashes carry PDQ and blockhash; PhotoDNA is not a hash we match', () => {
    const { list } = importHashList(lib, fx('vics-v2-bom.json'));
    expect(list).toMatchObject({ name: 'vics-v2-bom', formatVersion: '2.0', recordsImported: 2 });
    expect(list.hashes).toEqual({ md5: 2, pdq: 1, blockhash: 1 });
    const pdq = loadPerceptual(lib.db, 'pdq', [list.id]);
    expect(Buffer.from(pdq.hashes).toString('hex')).toBe('d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22');
    expect(entry(list.firstEntry, pdq.position[0]!)).toMatchObject({ category: '2', media_id: 'm-1' });
  });

  it('VICS with bad records: the first one is named with its record and line, and nothing is imported', () => {
    let err: unknown;
    try { importHashList(lib, fx('vics-bad.json')); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(KestrelError);
    expect((err as Error).message).toMatch(/vics-bad\.json: record 2 \(line 3\): category "9" is not a vic-us category \(vic-us has 0, 1, 2, 3, 4\); nothing was imported/);
    expect(listHashLists(lib)).toEqual([]);
    expect(lib.db.prepare('SELECT count(*) AS n FROM entry').get()).toEqual({ n: 0 });
  });

  it('--skip-invalid imports the rest and writes a reject report naming each bad record', () => {
    const { list, rejects } = importHashList(lib, fx('vics-bad.json'), { skipInvalid: true });
    expect(list).toMatchObject({ recordsRead: 3, recordsImported: 1, recordsRejected: 2 });
    expect(rejects.map((r) => r.at)).toEqual(['record 2 (line 3)', 'record 3 (line 4)']);
    expect(rejects[1]!.reason).toMatch(/VictimIdentified "maybe" is not a boolean/);
    expect(existsSync(list.rejectReport!)).toBe(true);
    expect(readFileSync(list.rejectReport!, 'utf8')).toContain('record 3 (line 4)\tVictimIdentified "maybe" is not a boolean');
  });

  it('ICSE semicolon CSV with quoted fields', () => {
    const { list } = importHashList(lib, fx('icse.csv'));
    expect(list).toMatchObject({ format: 'icse', recordsImported: 2, known: false });
    expect(list.hashes).toEqual({ md5: 2, sha1: 1 });
    const e = entry(list.firstEntry, has('md5', '92eb5ffee6ae2fec3ad71c777531578f')[0]!.position);
    expect(e).toMatchObject({ media_id: 'IMG-2', label: 'Beta; two' });
    expect(JSON.parse(e['details'] as string)).toMatchObject({ victimIdentified: true, baseline: false, submissions: 1 });
  });

  it('legacy NSRLFile.txt is a known-file list', () => {
    const { list } = importHashList(lib, fx('NSRLFile.txt'));
    expect(list).toMatchObject({ format: 'nsrl-legacy', known: true, recordsImported: 2 });
    expect(entry(list.firstEntry, has('sha1', 'e9d71f5ee7c92d6dc9e92ffdad17b8bd49418f98')[0]!.position)).toMatchObject({ label: 'b, with comma.txt', size: 1 });
  });

  it('NSRL RDSv3 SQLite (FILE view) is read read-only and marked known', () => {
    const f = join(dir, 'RDS_subset.db');
    const db = openSqlite(f);
    db.exec(`CREATE TABLE FILE_T (sha256 TEXT, sha1 TEXT, md5 TEXT, file_name TEXT, file_size INTEGER, package_id INTEGER);
      CREATE VIEW FILE AS SELECT sha256, sha1, md5, file_name, file_size, package_id FROM FILE_T;
      CREATE TABLE VERSION (version TEXT, build_set TEXT);
      INSERT INTO VERSION VALUES ('2024.12.1', 'modern');`);
    const ins = db.prepare('INSERT INTO FILE_T VALUES (?, ?, ?, ?, ?, ?)');
    ins.run('CA978112CA1BBDCAFAC231B39A23DC4DA786EFF8147C4E72B9807785AFEE48BB', '86F7E437FAA5A7FCE15D1DDCB9EAEAEA377667B8', '0CC175B9C0F1B6A831C399E269772661', 'a.txt', 1, 7);
    ins.run('3E23E8160039594A33894F6564E1B1348BBD7A0088D42C4ACB73EEAED59C009D', null, '92EB5FFEE6AE2FEC3AD71C777531578F', 'b.txt', 1, 7);
    db.pragma('journal_mode = DELETE');
    db.close();
    const { list } = importHashList(lib, f);
    expect(list).toMatchObject({ format: 'nsrl', formatVersion: 'RDSv3 2024.12.1', known: true, recordsImported: 2, fileSha256: sha256File(f) });
    expect(list.hashes).toEqual({ sha256: 2, sha1: 1, md5: 2 });
    expect(has('sha256', '3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d')).toHaveLength(1);
  });

  it('md5sum/sha1sum/sha256sum text: length picks the algorithm, binary-mode names, CRLF and no final newline', () => {
    const { list } = importHashList(lib, fx('list.md5'));
    expect(list.hashes).toEqual({ md5: 2, sha1: 1, sha256: 1 });
    expect(entry(list.firstEntry, has('md5', '92eb5ffee6ae2fec3ad71c777531578f')[0]!.position)).toMatchObject({ label: 'b.bin', record_no: 2 });
    const crlf = importHashList(lib, fx('crlf-no-final-newline.md5')).list;
    expect(crlf.recordsImported).toBe(2);
    expect(entry(crlf.firstEntry, 1)).toMatchObject({ label: 'b.txt' });
  });

  it('text lines: every separator form, escaped and UTF-8 names, blank lines, a BOM, and lines across read chunks', () => {
    const md5 = (k: number) => createHash('md5').update(String(k)).digest('hex');
    const head = [
      `\ufeff${md5(1)}  plain.jpg`,
      `${md5(2).toUpperCase()} *binary.bin`,
      `${md5(3)}\tafter tab`,
      `${md5(4)}`,
      `${md5(5)} `,
      '',
      '   ',
      `\\${md5(6)}  back\\slash\\nnew`,
      `${md5(7)}  ünïcode 名前.png\r`,
      `${md5(8)}   two spaces kept`,
    ];
    // Record numbers count records: the two blank lines are not records.
    // Long names push later lines past the reader's 1 MiB chunks, so some lines are split across two reads.
    const long = Array.from({ length: 3000 }, (_, k) => `${md5(100 + k)}  ${'x'.repeat(400 + (k % 7))}-${k}`);
    const f = join(dir, 'edge.md5');
    writeFileSync(f, `${[...head, ...long].join('\n')}\n`);
    const { list } = importHashList(lib, f);
    expect(list).toMatchObject({ recordsRead: head.length - 2 + long.length, recordsImported: head.length - 2 + long.length, recordsRejected: 0 });
    const rows = lib.db.prepare('SELECT record_no, label FROM entry WHERE id >= ? ORDER BY id').all(list.firstEntry) as { record_no: number; label: string | null }[];
    expect(rows.slice(0, 8)).toEqual([
      { record_no: 1, label: 'plain.jpg' },
      { record_no: 2, label: 'binary.bin' },
      { record_no: 3, label: 'after tab' },
      { record_no: 4, label: null },
      { record_no: 5, label: '' },
      { record_no: 6, label: 'back\\slash\nnew' },
      { record_no: 7, label: 'ünïcode 名前.png' },
      { record_no: 8, label: ' two spaces kept' },
    ]);
    for (const k of [0, 1234, 2999]) {
      const hit = has('md5', md5(100 + k));
      expect(hit).toHaveLength(1);
      expect(rows[hit[0]!.position]).toEqual({ record_no: head.length - 2 + 1 + k, label: `${'x'.repeat(400 + (k % 7))}-${k}` });
    }
    for (const k of [1, 2, 6, 8]) expect(has('md5', md5(k))).toHaveLength(1);
  });

  it('a bad text line past the first read chunk is named by its own line number', () => {
    const good = Array.from({ length: 5000 }, (_, k) => `${createHash('md5').update(String(k)).digest('hex')}  ${'y'.repeat(300)}`);
    good.splice(4321, 0, '0cc175b9c0f1b6a831c399e269772661x  glued.txt');
    const f = join(dir, 'late-bad.md5');
    writeFileSync(f, good.join('\n'));
    expect(() => importHashList(lib, f)).toThrow(/late-bad\.md5: line 4322: "0cc175b9c0f1b6a831c399e269772661x" is not an MD5/);
    expect(listHashLists(lib)).toEqual([]);
  });

  it('a bad text line is named by its line number and nothing is imported', () => {
    expect(() => importHashList(lib, fx('bad.md5'))).toThrow(/bad\.md5: line 3: "0cc175b9c0f1b6a831c399e26977266Z" is not an MD5, SHA-1 or SHA-256 in hex; nothing was imported/);
    expect(listHashLists(lib)).toEqual([]);
  });

  it('PDQ lines: hash[,quality][,label]', () => {
    const { list } = importHashList(lib, fx('list.pdq'));
    expect(list).toMatchObject({ format: 'pdq', recordsImported: 3 });
    expect(entry(list.firstEntry, 0)).toMatchObject({ quality: 100, label: 'bridge original' });
    expect(entry(list.firstEntry, 1)).toMatchObject({ quality: null, label: null });
    expect(entry(list.firstEntry, 2)).toMatchObject({ quality: null, label: 'label, with comma' });
  });

  it('re-importing a name makes a new version; remove takes one version or all', () => {
    const v1 = importHashList(lib, fx('list.md5'), { name: 'L' }).list;
    const v2 = importHashList(lib, fx('list.md5'), { name: 'L', again: true }).list;
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(has('md5', '0cc175b9c0f1b6a831c399e269772661')).toHaveLength(2);
    removeHashLists(lib, { name: 'L', version: 1 });
    expect(has('md5', '0cc175b9c0f1b6a831c399e269772661')).toEqual([{ listId: v2.id, position: 0 }]);
    expect(lib.db.prepare('SELECT count(*) AS n FROM entry').get()).toEqual({ n: 4 });
    removeHashLists(lib, { name: 'L' });
    expect(listHashLists(lib)).toEqual([]);
    expect(() => removeHashLists(lib, { name: 'L' })).toThrow(/no hash list L/);
  });

  it('the library folder: --library, else KESTREL_LIBRARY, else a per-user folder', () => {
    const saved = process.env['KESTREL_LIBRARY'];
    try {
      process.env['KESTREL_LIBRARY'] = join(dir, 'env');
      expect(libraryDir(join(dir, 'x'))).toBe(join(dir, 'x'));
      expect(libraryDir()).toBe(join(dir, 'env'));
      delete process.env['KESTREL_LIBRARY'];
      expect(libraryDir()).toMatch(/kestrel[\\/]library$/);
    } finally {
      if (saved === undefined) delete process.env['KESTREL_LIBRARY']; else process.env['KESTREL_LIBRARY'] = saved;
    }
  });
});

describe('sorted runs', () => {
  it('orders hashes as a byte-wise sort does, including hashes that share their first 32 bits, each with its position', () => {
    const n = 5000;
    const buf = Buffer.alloc(n * 16);
    for (let i = 0; i < n; i++) {
      const h = createHash('md5').update(String(i)).digest();
      if (i % 7 === 0) h.writeUInt32BE(0xdeadbeef, 0);
      h.copy(buf, i * 16);
    }
    const words = new Uint32Array(n * 4 + 8);
    Buffer.from(words.buffer).set(buf);
    const positions = Uint32Array.from({ length: n + 2 }, (_, i) => i);
    sortRun(words, positions, 16, n);
    const sorted = Buffer.from(words.buffer);
    const expected = Array.from({ length: n }, (_, i) => [buf.subarray(i * 16, i * 16 + 16).toString('hex'), i] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // Each hash keeps its own position, and what lies past the first n records is left alone.
    expect(Array.from({ length: n }, (_, i) => [sorted.subarray(i * 16, i * 16 + 16).toString('hex'), positions[i]!] as const)
      .map(([h, p]) => [h, buf.subarray(p * 16, p * 16 + 16).toString('hex') === h])).toEqual(expected.map(([h]) => [h, true]));
    expect([positions[n], positions[n + 1]]).toEqual([n, n + 1]);
  });
});
