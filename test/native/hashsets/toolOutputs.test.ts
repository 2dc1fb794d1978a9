import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openLibrary, type HashLibrary } from '../../../native/hashsets/library.js';
import { importHashList } from '../../../native/hashsets/importer.js';
import { detectFormat } from '../../../native/hashsets/readers.js';
import { loadPerceptual, lookupExact } from '../../../native/hashsets/blocks.js';

/**
 * Lists written by the tools labs use, made here by those tools (Debian's hashdeep package: hashdeep,
 * md5deep, sha1deep, sha256deep), plus ThreatExchange's own PDQ reference hashes from ../shared.
 */

const HAYSTACK = resolve(import.meta.dirname, '../../../../shared/reference/pdq/haystack.txt');

let dir: string;
let files: string;
let lib: HashLibrary;
const content: Record<string, Buffer> = {
  'a.txt': Buffer.from('a'),
  'b, with comma.txt': Buffer.from('b'),
};
const LATIN1_NAME = Buffer.from('caf\xe9.jpg', 'latin1');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-tools-'));
  files = join(dir, 'files');
  mkdirSync(files);
  for (const [name, data] of Object.entries(content)) writeFileSync(join(files, name), data);
  writeFileSync(Buffer.concat([Buffer.from(`${files}/`), LATIN1_NAME]), 'c');
  lib = openLibrary(join(dir, 'lib'));
});
afterAll(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a hashdeep-family tool over the sample files (relative names, -l) and saves what it prints. */
function tool(name: string, args: string[], out: string): string {
  const stdout = execFileSync(name, [...args, '-l', '-r', '.'], { cwd: files });
  const f = join(dir, out);
  writeFileSync(f, stdout);
  return f;
}

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const sha1 = (b: Buffer | string) => createHash('sha1').update(b).digest('hex');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function labels(listId: number): Map<string, { label: string; size: number | null; details: Record<string, unknown> | null }> {
  const rows = lib.db.prepare('SELECT label, size, details FROM entry WHERE list_id = ?').all(listId) as { label: string; size: number | null; details: string | null }[];
  return new Map(rows.map((r) => [String(r.label).replace(/^\.\//, ''), { ...r, details: r.details ? JSON.parse(r.details) as Record<string, unknown> : null }]));
}

describe('hashdeep and md5deep outputs, made by Debian\'s hashdeep here', () => {
  it('hashdeep native format (size, md5, sha256, names with commas) is detected and read', () => {
    const f = tool('hashdeep', [], 'audit.hashdeep');
    expect(readFileSync(f, 'latin1')).toMatch(/^%%%% HASHDEEP-1\.0\n%%%% size,md5,sha256,filename\n/);
    expect(detectFormat(f)).toBe('text');
    const { list } = importHashList(lib, f, { name: 'hashdeep' });
    expect(list).toMatchObject({ formatVersion: 'hashdeep-1.0', recordsImported: 3, recordsRejected: 0 });
    expect(list.hashes).toEqual({ md5: 3, sha256: 3 });
    const byName = labels(list.id);
    expect(byName.get('b, with comma.txt')).toMatchObject({ size: 1 });
    expect(lookupExact(lib.db, 'sha256', [Buffer.from(sha256('b'), 'hex')]).filter((h) => h.listId === list.id)).toHaveLength(1);
  });

  it('hashdeep -c md5,sha1,tiger keeps the hashes it matches and the others as given', () => {
    const f = tool('hashdeep', ['-c', 'md5,sha1,tiger'], 'audit3.hashdeep');
    const { list } = importHashList(lib, f, { name: 'hashdeep-3' });
    expect(list.hashes).toEqual({ md5: 3, sha1: 3 });
    expect(labels(list.id).get('a.txt')!.details).toMatchObject({ tiger: expect.stringMatching(/^[0-9a-f]{48}$/) });
    expect(lookupExact(lib.db, 'sha1', [Buffer.from(sha1('a'), 'hex')]).length).toBeGreaterThan(0);
  });

  it.each([
    ['md5deep', [], 'md5'], ['sha1deep', [], 'sha1'], ['sha256deep', [], 'sha256'],
    ['md5deep', ['-z'], 'md5'], ['md5deep', ['-k'], 'md5'], ['sha256deep', ['-z', '-k'], 'sha256'],
  ] as const)('%s %j is detected and read with sizes and names', (name, args, algorithm) => {
    const f = tool(name, [...args], `${name}${args.join('')}.txt`);
    expect(detectFormat(f)).toBe('text');
    const { list } = importHashList(lib, f, { name: `${name}${args.join('')}` });
    expect(list).toMatchObject({ recordsImported: 3, recordsRejected: 0 });
    expect(list.hashes).toEqual({ [algorithm]: 3 });
    const byName = labels(list.id);
    expect([...byName.keys()].sort()).toEqual(['b, with comma.txt', 'a.txt', 'caf\\xe9.jpg'].sort());
    if (args.includes('-z' as never)) expect(byName.get('a.txt')!.size).toBe(1);
    const digest = algorithm === 'md5' ? md5('c') : algorithm === 'sha1' ? sha1('c') : sha256('c');
    expect(lookupExact(lib.db, algorithm, [Buffer.from(digest, 'hex')]).filter((h) => h.listId === list.id)).toHaveLength(1);
  });

  it('a Latin-1 name keeps its bytes: \\xNN shown, exact bytes in details, never U+FFFD', () => {
    const f = tool('md5deep', [], 'latin1.md5');
    // The same file as the md5deep row of the table above, looked at again under another name.
    const { list } = importHashList(lib, f, { name: 'latin1', again: true });
    const rows = lib.db.prepare('SELECT label, details FROM entry WHERE list_id = ?').all(list.id) as { label: string; details: string | null }[];
    const row = rows.find((r) => r.label.endsWith('caf\\xe9.jpg'))!;
    expect(row).toBeDefined();
    expect(rows.some((r) => r.label.includes('\ufffd'))).toBe(false);
    const raw = Buffer.from((JSON.parse(row.details!) as { labelBytes: string }).labelBytes, 'hex');
    expect(raw.subarray(raw.length - LATIN1_NAME.length)).toEqual(LATIN1_NAME);
  });
});

describe('other lists labs hold', () => {
  it('md5sum escapes a name with a newline (leading backslash); it comes back whole', () => {
    const f = join(dir, 'nl.md5');
    writeFileSync(f, `\\${md5('x')}  two\\nlines\\\\.txt\n${md5('y')}  plain.txt\n`);
    const { list } = importHashList(lib, f, { name: 'nl' });
    expect([...labels(list.id).keys()].sort()).toEqual(['plain.txt', 'two\nlines\\.txt']);
  });

  it('NSRL legacy form with an MD4 column (SHA-1 first)', () => {
    const f = join(dir, 'NSRLFile-md4.txt');
    writeFileSync(f, '"SHA-1","MD4","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\r\n' +
      `"${sha1('a').toUpperCase()}","BDE52CB31DE33E46245E05FBDBD6FB24","${md5('a').toUpperCase()}","E8B7BE43","a.txt",1,1234,"358",""\r\n`);
    expect(detectFormat(f)).toBe('nsrl-legacy');
    const { list } = importHashList(lib, f, { name: 'nsrl-md4' });
    expect(list).toMatchObject({ known: true, recordsImported: 1 });
    expect(labels(list.id).get('a.txt')!.details).toMatchObject({ md4: 'bde52cb31de33e46245e05fbdbd6fb24', productCode: '1234' });
  });

  it('ThreatExchange file-exchange lines: pdq and video_md5 signals', () => {
    const f = join(dir, 'exchange.txt');
    writeFileSync(f, `pdq d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22\nvideo_md5 ${md5('v')} clip one\n`);
    expect(detectFormat(f)).toBe('text');
    const { list } = importHashList(lib, f, { name: 'te' });
    expect(list.hashes).toEqual({ pdq: 1, md5: 1 });
    expect(labels(list.id).get('clip one')!.details).toEqual({ signalType: 'video_md5' });
  });

  it('ThreatExchange haystack.txt (PDQ reference hashes, bare lines) imports as a PDQ list when told', () => {
    expect(() => detectFormat(HAYSTACK)).toThrow(/--format text or --format pdq/);
    const { list } = importHashList(lib, HAYSTACK, { format: 'pdq', name: 'haystack' });
    const lines = readFileSync(HAYSTACK, 'utf8').split('\n').filter((l) => l.trim() !== '');
    expect(list).toMatchObject({ recordsImported: lines.length, recordsRejected: 0 });
    const pdq = loadPerceptual(lib.db, 'pdq', [list.id]);
    expect(pdq.position.length).toBe(lines.length);
  });
});
