import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLibrary, type HashLibrary, type ListFormat } from '../../../native/hashsets/library.js';
import { importHashList } from '../../../native/hashsets/importer.js';
import { detectFormat } from '../../../native/hashsets/readers.js';
import { formatVpdqText } from '../../../native/video/vpdqFiles.js';
import { KestrelError } from '../../../native/util/result.js';

/**
 * A bounded, deterministic fuzz of every list reader: real samples (the checked-in fixtures, outputs
 * of Debian's hashdeep and md5deep made here, ThreatExchange lines, a vPDQ file from Kestrel's
 * writer) mutated by a seeded generator, each mutant imported into one library. Whatever the bytes,
 * an import ends in a whole new list or in one KestrelError line that names the file (and the line or
 * record, for a bad record), never in a crash, a hang or a partly written list.
 */
const SEED = 0x4b455354;
const MUTANTS_PER_SAMPLE = 30;
/** Far beyond what any of these few-hundred-byte files takes: only a hang gets near it. */
const SLOWEST_IMPORT_MS = 10_000;

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** mulberry32: small, fast and the same on every machine, so a failing mutant can be made again from its number. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bytes that mean something to one of the readers: separators, quotes, JSON, hashdeep headers, encodings. */
const TOKENS = ['\n', '\r\n', ',', ';', '"', '\t', '  ', '*', '\\', '{', '}', '[', ']', ':', 'null', '"Category":', '%%%%', '## ', '\u0000', '\xff',
  'é', '\ufeff', '0', 'f', 'g', '-1', '1e309', '99999999999999999999', 'pdq ', 'video_md5 ', 'filename=', 'quality='];

type Mutation = (b: Buffer, r: () => number) => Buffer;
const at = (b: Buffer, r: () => number) => Math.floor(r() * (b.length + 1));
const MUTATIONS: [string, Mutation][] = [
  ['flip a byte', (b, r) => { const c = Buffer.from(b); const i = Math.min(at(b, r), c.length - 1); c[i] = c[i]! ^ (1 << Math.floor(r() * 8)); return c; }],
  ['insert a token', (b, r) => { const i = at(b, r); return Buffer.concat([b.subarray(0, i), Buffer.from(TOKENS[Math.floor(r() * TOKENS.length)]!, 'latin1'), b.subarray(i)]); }],
  ['delete a run', (b, r) => { const i = at(b, r); return Buffer.concat([b.subarray(0, i), b.subarray(i + 1 + Math.floor(r() * 40))]); }],
  ['cut the file short', (b, r) => b.subarray(0, at(b, r))],
  ['repeat a run', (b, r) => { const i = at(b, r); const run = b.subarray(i, i + 1 + Math.floor(r() * 80)); return Buffer.concat([b.subarray(0, i), run, run, b.subarray(i)]); }],
  ['swap two lines', (b) => { const lines = b.toString('latin1').split('\n'); if (lines.length > 2) [lines[0], lines[1]] = [lines[1]!, lines[0]!]; return Buffer.from(lines.join('\n'), 'latin1'); }],
  ['a very long field', (b, r) => { const i = at(b, r); return Buffer.concat([b.subarray(0, i), Buffer.alloc(20_000, 'a'), b.subarray(i)]); }],
  ['a hex digit made bad', (b, r) => {
    const c = Buffer.from(b);
    const hex = [...c.keys()].filter((k) => /[0-9a-fA-F]/.test(String.fromCharCode(c[k]!)));
    if (hex.length) c[hex[Math.floor(r() * hex.length)]!] = 'x'.charCodeAt(0);
    return c;
  }],
];

interface Sample { name: string; bytes: Buffer; ext: string; format: ListFormat; scheme?: 'vic-us' }

let dir: string;
let lib: HashLibrary;
const samples: Sample[] = [];

const sample = (name: string, bytes: Buffer, ext: string, scheme?: 'vic-us') => {
  const f = join(dir, `seed-${name}${ext}`);
  writeFileSync(f, bytes);
  samples.push({ name, bytes, ext, format: detectFormat(f), ...(scheme ? { scheme } : {}) });
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-list-fuzz-'));
  lib = openLibrary(join(dir, 'library'));
  const fixture = (f: string) => readFileSync(join(FIXTURES, f));
  sample('vics-2.0', fixture('vics-v2-bom.json'), '.json');
  sample('vics-1.3', fixture('vics-v1.json'), '.json', 'vic-us');
  sample('nsrl-caid-vics-1.2', fixture('nsrl-caid-vics-1.2.json'), '.json');
  sample('icse', fixture('icse.csv'), '.csv');
  sample('md5sum', fixture('list.md5'), '.md5');
  sample('nsrl-form-1', fixture('NSRLFile.txt'), '.txt');
  sample('hma-bank', fixture('hma-bank.pdq.te'), '.te');
  sample('pdq-photo-hasher', fixture('pdq-photo-hasher.csv'), '.csv');
  sample('pdq-list', fixture('list.pdq'), '.pdq');
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  sample('threatexchange-lines', Buffer.from(`pdq d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22\nvideo_md5 ${md5('v')} clip one\n`), '.txt');
  const files = join(dir, 'files');
  mkdirSync(files);
  writeFileSync(join(files, 'a.txt'), 'a');
  writeFileSync(join(files, 'b, with comma.txt'), 'b');
  sample('hashdeep', execFileSync('hashdeep', ['-l', '-r', '.'], { cwd: files }), '.hashdeep');
  sample('md5deep-z', execFileSync('md5deep', ['-z', '-l', '-r', '.'], { cwd: files }), '.md5');
  const r = prng(7);
  const hex = () => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  sample('vpdq', Buffer.from(formatVpdqText(Array.from({ length: 12 }, (_, i) => ({ frame: i, quality: 100, hash: hex(), timestamp: i / 25 })))), '.txt');
});
afterAll(() => {
  lib?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What an import may change, counted: a refused file must leave all of it as it was. */
function libraryState(): string {
  const n = (table: string) => (lib.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return JSON.stringify({ lists: n('hash_list'), entries: n('entry'), blocks: n('hash_block'), videos: n('video_hash') });
}

describe('list readers under mutated real samples (seeded, bounded)', () => {
  it('every seed sample imports whole as it is', () => {
    expect(samples.map((s) => [s.name, s.format])).toEqual([
      ['vics-2.0', 'vics'], ['vics-1.3', 'vics'], ['nsrl-caid-vics-1.2', 'vics'], ['icse', 'icse'], ['md5sum', 'text'], ['nsrl-form-1', 'nsrl-legacy'],
      ['hma-bank', 'pdq'], ['pdq-photo-hasher', 'pdq'], ['pdq-list', 'pdq'], ['threatexchange-lines', 'text'], ['hashdeep', 'text'],
      ['md5deep-z', 'text'], ['vpdq', 'vpdq'],
    ]);
    for (const s of samples) {
      const { list } = importHashList(lib, join(dir, `seed-${s.name}${s.ext}`), { format: s.format, name: `seed ${s.name}`, ...(s.scheme ? { scheme: s.scheme } : {}) });
      expect(list.recordsImported, s.name).toBeGreaterThan(0);
      expect(list.recordsRejected, s.name).toBe(0);
    }
  });

  it(`${MUTANTS_PER_SAMPLE} mutants of each: a whole list or one line naming the file (and the line or record), nothing half-imported`, () => {
    const r = prng(SEED);
    const outcomes: Record<string, { imported: number; refused: number }> = {};
    const codes: Record<string, number> = {};
    let slowest = 0;
    for (const s of samples) {
      outcomes[s.name] = { imported: 0, refused: 0 };
      for (let i = 0; i < MUTANTS_PER_SAMPLE; i++) {
        const [what, mutate] = MUTATIONS[Math.floor(r() * MUTATIONS.length)]!;
        let bytes = mutate(s.bytes, r);
        if (r() < 0.3) bytes = MUTATIONS[Math.floor(r() * MUTATIONS.length)]![1](bytes, r);
        const file = join(dir, `${s.name}-${i}${s.ext}`);
        writeFileSync(file, bytes);
        const label = `${s.name} mutant ${i} (${what}), kept in ${file}`;
        const before = libraryState();
        const started = performance.now();
        try {
          const { list } = importHashList(lib, file, { format: s.format, name: `${s.name}-${i}`, again: true, ...(s.scheme ? { scheme: s.scheme } : {}) });
          // A whole list: every record it read either imported or refused (none here: no skipInvalid).
          expect(list.recordsImported, label).toBeGreaterThan(0);
          expect(list.recordsImported + list.recordsRejected, label).toBe(list.recordsRead);
          expect(list.entryCount, label).toBe(list.recordsImported);
          expect(JSON.parse(libraryState()).lists, label).toBe(JSON.parse(before).lists + 1);
          outcomes[s.name]!.imported++;
        } catch (err) {
          if (!(err instanceof KestrelError)) throw new Error(`${label}: crashed: ${err instanceof Error ? err.stack : String(err)}`);
          expect(err.message.includes('\n'), `${label}: ${err.message}`).toBe(false);
          expect(err.message.startsWith(`${file}: `) || err.message.startsWith(`${file} `), `${label}: ${err.message}`).toBe(true);
          if (err.code === 'E_BAD_RECORD') expect(err.message, label).toMatch(/: (line|record|Media|value\[)\s?\d+/i);
          codes[err.code ?? 'none'] = (codes[err.code ?? 'none'] ?? 0) + 1;
          expect(libraryState(), `${label}: the library changed after a refused import: ${err.message}`).toBe(before);
          outcomes[s.name]!.refused++;
        }
        slowest = Math.max(slowest, performance.now() - started);
      }
    }
    console.log(`list reader fuzz: ${samples.length} samples x ${MUTANTS_PER_SAMPLE} mutants, seed ${SEED}, slowest import ${slowest.toFixed(0)} ms; refusals by code ${JSON.stringify(codes)}; ${JSON.stringify(outcomes)}`);
    expect(slowest).toBeLessThan(SLOWEST_IMPORT_MS);
    // The mutations reach the readers' refusals as well as their accepting paths.
    const total = Object.values(outcomes).reduce((a, o) => ({ imported: a.imported + o.imported, refused: a.refused + o.refused }), { imported: 0, refused: 0 });
    expect(total.imported).toBeGreaterThan(samples.length);
    expect(total.refused).toBeGreaterThan(samples.length);
  }, 300_000);
});
