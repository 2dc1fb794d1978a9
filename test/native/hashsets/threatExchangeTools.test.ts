import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openLibrary, type HashLibrary } from '../../../native/hashsets/library.js';
import { importHashList } from '../../../native/hashsets/importer.js';
import { detectFormat } from '../../../native/hashsets/readers.js';
import { loadPerceptual, lookupExact } from '../../../native/hashsets/blocks.js';
import { jsonLines, kestrel, REFERENCE, tempDir } from '../../helpers/cli.js';
import { buildPdqOracle } from '../../helpers/pdqOracle.js';

/**
 * Lists written by ThreatExchange's tools: pdq-photo-hasher output made here by Meta's C++ hasher
 * (../shared/tools/pdq-cpp), and hasher-matcher-actioner's bank CSV (fixture in HMA's layout, see
 * fixtures/README.md), each imported and matched against an intake of the pictures they describe.
 */

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const INPUT = join(REFERENCE, 'pdq', 'reg-test-input');
const PICTURES = ['labelme-subset/q0003.jpg', 'labelme-subset/q0122.jpg', 'labelme-subset/q0746.jpg'];

let oracle: string;
let dir: string;
let lib: HashLibrary;
/** A case holding an intake of the pictures, copied under their bare names. */
let caseDir: string;

beforeAll(() => {
  oracle = buildPdqOracle();
  dir = tempDir('te-tools');
  lib = openLibrary(join(dir, 'lib'));
  const src = join(dir, 'src');
  mkdirSync(src);
  for (const p of PICTURES) copyFileSync(join(INPUT, p), join(src, p.split('/')[1]!));
  caseDir = join(dir, 'case');
  expect(kestrel(['init', caseDir, '--case-number', 'TE-1', '--examiner', 'E']).status).toBe(0);
  const intake = kestrel(['intake', caseDir, src, '--exhibit', 'E1']);
  expect(intake.status, intake.stderr).toBe(0);
}, 600_000);
afterAll(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

function hasher(args: string[]): string {
  const out = join(dir, `hasher-${args.join('').replace(/\W/g, '') || 'plain'}.csv`);
  writeFileSync(out, execFileSync(oracle, [...args, ...PICTURES], { cwd: INPUT }));
  return out;
}

interface Row { label: string | null; quality: number | null; media_id: string | null; details: string | null }
function rows(listId: number): Row[] {
  return lib.db.prepare('SELECT label, quality, media_id, details FROM entry WHERE list_id = ? ORDER BY record_no').all(listId) as Row[];
}

/** Every PDQ hash a list holds, in hex. */
function pdqOf(listId: number): string[] {
  const set = loadPerceptual(lib.db, 'pdq', [listId]);
  return Array.from({ length: set.count }, (_, i) => Buffer.from(set.hashes.subarray(i * 32, i * 32 + 32)).toString('hex'));
}

/** The oracle's plain lines, parsed: what every other form must agree with. */
function plain(): Array<{ hash: string; quality: number; file: string }> {
  return readFileSync(hasher([]), 'utf8').trim().split('\n').map((l) => {
    const [hash, quality, ...file] = l.split(',');
    return { hash: hash!, quality: Number(quality), file: file.join(',') };
  });
}

describe('pdq-photo-hasher output, made by the reference tool here', () => {
  it('the checked-in fixture is what the tool prints for these pictures', () => {
    expect(readFileSync(hasher([]), 'utf8')).toBe(readFileSync(join(FIXTURES, 'pdq-photo-hasher.csv'), 'utf8'));
  });

  it.each([
    ['plain', [] as string[]],
    ['-d', ['-d']],
    ['--pdqdih-across', ['--pdqdih-across']],
    ['-d --pdqdih-across', ['-d', '--pdqdih-across']],
  ])('%s: detected as a PDQ list; each file one record with its hash, quality and name', (form, args) => {
    const f = hasher(args);
    expect(detectFormat(f)).toBe('pdq');
    const { list } = importHashList(lib, f, { name: `hasher ${form}` });
    expect(list).toMatchObject({ format: 'pdq', recordsImported: 3, recordsRejected: 0 });
    const expected = plain();
    expect(rows(list.id).map((r) => [r.label, r.quality])).toEqual(expected.map((e) => [e.file, e.quality]));
    const dihedral = args.includes('--pdqdih-across');
    expect(list.hashes).toEqual({ pdq: dihedral ? 24 : 3 });
    const held = pdqOf(list.id);
    for (const e of expected) expect(held.filter((h) => h === e.hash), e.file).toHaveLength(1);
  });

  it('--pdqdih-across keeps the seven turned and mirrored hashes, as --pdqdih prints them', () => {
    // The same file the table above imported, looked at again under another name.
    const { list } = importHashList(lib, hasher(['--pdqdih-across']), { name: 'dihedral', again: true });
    const eight = readFileSync(hasher(['--pdqdih']), 'utf8').trim().split('\n').map((l) => l.split(',')[0]!);
    expect(eight).toHaveLength(24);
    expect(pdqOf(list.id).sort()).toEqual([...eight].sort());
  });

  it('a cut -d line and a quality out of range are refused with the line', () => {
    const f = join(dir, 'cut.csv');
    const [first, second] = readFileSync(hasher(['-d']), 'utf8').split('\n');
    writeFileSync(f, `${first}\n${second!.slice(0, second!.indexOf(',filename='))}\n`);
    expect(() => importHashList(lib, f, { name: 'cut' })).toThrow(/cut\.csv: line 2: no filename= field/);
    writeFileSync(f, `${first!.replace(/quality=\d+/, 'quality=101')}\n`);
    expect(() => importHashList(lib, f, { name: 'cut' })).toThrow(/cut\.csv: line 1: PDQ quality "101"/);
  });

  // q0003.jpg has PDQ quality 3: too flat to be matched perceptually, so it is expected not to hit.
  it('kestrel match finds every picture the tool hashed with quality, by its PDQ, at distance 0', () => {
    const libArgs = ['--library', join(dir, 'cli-lib')];
    expect(kestrel(['hashset', 'import', join(FIXTURES, 'pdq-photo-hasher.csv'), '--name', 'hasher', ...libArgs]).status).toBe(0);
    const m = kestrel(['match', caseDir, '--json', ...libArgs]);
    expect(m.status, m.stderr).toBe(0);
    const hits = jsonLines(m.stdout).filter((l) => l['kind'] === 'list' && l['list'] === 'hasher');
    expect(hits.map((h) => [h['path'], h['algorithm'], h['distance']]).sort()).toEqual([
      ['q0122.jpg', 'pdq', 0],
      ['q0746.jpg', 'pdq', 0],
    ]);
  });
});

describe('hasher-matcher-actioner bank CSV', () => {
  it('HMA\'s five columns (hash,indicator_id,descriptor_id,timestamp,tags), CRLF: ids, time and tags kept', () => {
    const f = join(FIXTURES, 'hma-bank.pdq.te');
    expect(detectFormat(f)).toBe('pdq');
    const { list } = importHashList(lib, f, { name: 'hma' });
    expect(list).toMatchObject({ format: 'pdq', formatVersion: 'hma-bank-csv', recordsImported: 3, recordsRejected: 0 });
    const r = rows(list.id);
    expect(r[0]).toMatchObject({ label: 'kestrel_test_bank media_type_photo', quality: null, media_id: '4100000000000001' });
    expect(JSON.parse(r[1]!.details!)).toEqual({
      indicatorId: '4100000000000002', descriptorId: '4200000000000002', addedOn: '2021-05-07T18:07:53+0000', tags: ['kestrel_test_bank', 'disputed', 'media_type_photo'],
    });
    expect(r[2]).toMatchObject({ label: null, media_id: '4100000000000003' });
    expect(pdqOf(list.id)).toContain('d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22');
  });

  it('the older four-column rows (hash,descriptor_id,timestamp,tags) and video_md5 files', () => {
    const f = join(dir, 'video_md5.csv');
    writeFileSync(f, 'cab08b36195edb1a1231d2d09fa450e0,4162911387113748,2020-07-31T19:42:09+0000,disputed media_type_video\r\n');
    expect(detectFormat(f)).toBe('text');
    const { list } = importHashList(lib, f, { name: 'hma-md5' });
    expect(list).toMatchObject({ format: 'text', formatVersion: 'hma-bank-csv', hashes: { md5: 1 } });
    expect(rows(list.id)[0]).toMatchObject({ media_id: '4162911387113748', label: 'disputed media_type_video' });
    expect(lookupExact(lib.db, 'md5', [Buffer.from('cab08b36195edb1a1231d2d09fa450e0', 'hex')]).filter((h) => h.listId === list.id)).toHaveLength(1);
    expect(JSON.parse(rows(list.id)[0]!.details!)).toEqual({ descriptorId: '4162911387113748', addedOn: '2020-07-31T19:42:09+0000', tags: ['disputed', 'media_type_video'] });
  });

  it('kestrel hashset import reads the bank and kestrel match hits its pictures', () => {
    const libArgs = ['--library', join(dir, 'cli-lib-hma')];
    const imp = kestrel(['hashset', 'import', join(FIXTURES, 'hma-bank.pdq.te'), '--name', 'bank', '--json', ...libArgs]);
    expect(imp.status, imp.stderr).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ format: 'pdq', recordsImported: 3, hashes: { pdq: 3 } });
    const m = kestrel(['match', caseDir, '--json', ...libArgs]);
    const hits = jsonLines(m.stdout).filter((l) => l['kind'] === 'list' && l['list'] === 'bank');
    expect(hits.map((h) => [h['path'], h['algorithm'], h['distance']]).sort()).toEqual([['q0122.jpg', 'pdq', 0], ['q0746.jpg', 'pdq', 0]]);
  });

  it('a row that is not HMA\'s (wrong field count, pdq_ocr hash, bad id) names the line; nothing is imported', () => {
    const f = join(dir, 'bad.pdq.te');
    const good = readFileSync(join(FIXTURES, 'hma-bank.pdq.te'), 'utf8').split('\r\n')[0]!;
    for (const [bad, reason] of [
      [`${good},extra`, /line 2: 6 fields; HMA bank rows have 5/],
      ['"a72dd3eadec2800ba74b59a9532d0b22011fd9e0daa1da3f576e602db999a754,sample text",4057235077639771,2020-12-28T21:38:33+0000,x', /line 2: hash "a72d.*neither a PDQ/],
      [good.replace('4100000000000001', '41x'), /line 2: indicator_id "41x" is not a ThreatExchange id/],
    ] as const) {
      writeFileSync(f, `${good}\r\n${bad}\r\n`);
      expect(() => importHashList(lib, f, { name: 'bad-hma' })).toThrow(reason);
    }
    expect(lib.db.prepare("SELECT count(*) AS n FROM hash_list WHERE name = 'bad-hma'").get()).toEqual({ n: 0 });
  });
});
