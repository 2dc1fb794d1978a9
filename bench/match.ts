/**
 * Matching at scale. Builds, in the run:
 *  - a clustered PDQ list (families of near variants, as real lists are) and queries with true
 *    matches planted at every distance 0..31 among unrelated hashes; times the perceptual search at
 *    distance 31 on all cores, checks it against an independent brute-force scan of a sample of
 *    queries, and extrapolates the brute force over all queries as the baseline;
 *  - text (md5sum) lists imported into a fresh hash library (rows/s), then exact lookups of MD5
 *    queries against all their entries.
 * Prints one JSON object. Options: --list N --queries N --md5-lists K --md5-lines N --sample N --threads N,
 * and --only import (skip the perceptual search and the lookups: only the text-list imports are timed).
 */
import { mkdtempSync, openSync, writeSync, closeSync, rmSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir, availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { searchHamming } from '../native/matching/perceptualSearch.js';
import { searchBrute } from '../native/matching/mih.js';
import { openLibrary } from '../native/hashsets/library.js';
import { importHashList } from '../native/hashsets/importer.js';
import { lookupExact } from '../native/hashsets/blocks.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const LIST = arg('list', 10_000_000);
const QUERIES = arg('queries', 1_000_000);
const MD5_LISTS = arg('md5-lists', 3);
const MD5_LINES = arg('md5-lines', 10_000_000);
const SAMPLE = arg('sample', 40);
const THREADS = arg('threads', availableParallelism());
const RADIUS = 31;
const ONLY = (() => { const i = process.argv.indexOf('--only'); return i >= 0 ? process.argv[i + 1] : undefined; })();
if (ONLY !== undefined && ONLY !== 'import') throw new Error(`--only ${ONLY}: only "import" is supported`);
const IMPORT_ONLY = ONLY === 'import';

const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const cpuSeconds = (since: NodeJS.CpuUsage) => { const u = process.cpuUsage(since); return Math.round((u.user + u.system) / 1e4) / 100; };
const secs = (t0: number) => Math.round((performance.now() - t0) / 10) / 100;

/** xorshift: fast reproducible choices (bytes come from randomFillSync). */
let seed = 0x9e3779b9;
function rand(n: number): number {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed % n;
}

function flipBits(buf: Uint8Array, at: number, bits: number): void {
  let mask0 = 0n;
  let flipped = 0;
  while (flipped < bits) {
    const b = rand(256);
    const bit = 1n << BigInt(b);
    if (mask0 & bit) continue;
    mask0 |= bit;
    buf[at + (b >> 3)]! ^= 1 << (b & 7);
    flipped++;
  }
}

// ---- perceptual ---------------------------------------------------------------------------------
async function perceptualPart() {
  const tBuild = performance.now();
  const list = new Uint8Array(new SharedArrayBuffer(LIST * 32));
  randomFillSync(list);
  let families = 0;
  for (let i = 0; i < LIST;) {
    // Family sizes 1..19; every member a variant of the first within 1..16 bits.
    const size = Math.min(LIST - i, 1 + rand(19));
    for (let k = 1; k < size; k++) {
      list.copyWithin((i + k) * 32, i * 32, i * 32 + 32);
      flipBits(list, (i + k) * 32, 1 + rand(16));
    }
    i += size;
    families++;
  }
  const queries = new Uint8Array(new SharedArrayBuffer(QUERIES * 32));
  randomFillSync(queries);
  let planted = 0;
  for (let i = 0; i < QUERIES; i += 2) {
    const src = rand(LIST);
    queries.set(list.subarray(src * 32, src * 32 + 32), i * 32);
    flipBits(queries, i * 32, (i / 2) % 32);
    planted++;
  }
  const buildSeconds = secs(tBuild);

  const tSearch = performance.now();
  const cpuSearch = process.cpuUsage();
  const pairs = await searchHamming(list, queries, RADIUS, { strategy: 'index', threads: THREADS });
  const searchSeconds = secs(tSearch);
  // CPU seconds of all threads: steadier than wall time while other jobs share the cores.
  const searchCpuSeconds = cpuSeconds(cpuSearch);
  const perceptualPeakMb = peakMb();
  let plantedFound = 0;
  {
    const seen = new Uint8Array(QUERIES);
    for (let i = 0; i < pairs.count; i++) seen[pairs.query[i]!] = 1;
    for (let i = 0; i < QUERIES; i += 2) plantedFound += seen[i]!;
  }

  // Independent brute force (byte popcount table) on a sample of queries, half of them planted.
  const pop = Uint8Array.from({ length: 256 }, (_, i) => { let c = 0; for (let x = i; x; x >>= 1) c += x & 1; return c; });
  const sample = Array.from({ length: SAMPLE }, (_, k) => (k * Math.floor(QUERIES / SAMPLE) + (k % 2)) % QUERIES);
  const tBrute = performance.now();
  const bruteSet = new Set<string>();
  for (const qi of sample) {
    const qo = qi * 32;
    for (let j = 0; j < LIST; j++) {
      const lo = j * 32;
      let d = 0;
      for (let b = 0; b < 32 && d <= RADIUS; b++) d += pop[queries[qo + b]! ^ list[lo + b]!]!;
      if (d <= RADIUS) bruteSet.add(`${qi},${j},${d}`);
    }
  }
  const bruteJsSeconds = secs(tBrute);
  const inSample = new Set(sample);
  const indexSet = new Set<string>();
  for (let i = 0; i < pairs.count; i++) if (inSample.has(pairs.query[i]!)) indexSet.add(`${pairs.query[i]},${pairs.list[i]},${pairs.distance[i]}`);
  const identical = indexSet.size === bruteSet.size && [...bruteSet].every((k) => indexSet.has(k));

  // Baseline in the same run: the same WebAssembly kernel comparing every pair, on the sample.
  const sampleQueries = new Uint8Array(sample.length * 32);
  sample.forEach((qi, k) => sampleQueries.set(queries.subarray(qi * 32, qi * 32 + 32), k * 32));
  const tKernel = performance.now();
  const kernelPairs = searchBrute(list, sampleQueries, RADIUS);
  const kernelSampleSeconds = (performance.now() - tKernel) / 1000;
  const bruteAllQueriesSeconds = Math.round(kernelSampleSeconds * (QUERIES / sample.length) / THREADS);

  const perceptual = {
    listHashes: LIST, families, queries: QUERIES, plantedQueries: planted, plantedFound, radius: RADIUS, threads: THREADS,
    pairsFound: pairs.count, buildSeconds, searchSeconds, searchCpuSeconds, goalSeconds: 60, peakRssMb: perceptualPeakMb, goalPeakRssMb: 1536,
    sampleQueries: sample.length, samplePairs: bruteSet.size, identicalToBruteForce: identical && kernelPairs.count === bruteSet.size,
    bruteForceJsSampleSeconds: bruteJsSeconds,
    bruteForceKernelAllQueriesEstimateSeconds: bruteAllQueriesSeconds,
    speedupOverBruteForce: Math.round(bruteAllQueriesSeconds / searchSeconds),
  };
  process.stderr.write(`${JSON.stringify({ perceptual })}\n`);
  return perceptual;
}
const perceptual = IMPORT_ONLY ? null : await perceptualPart();

// ---- exact: import text lists, then look up MD5s -------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'kestrel-bench-match-'));
const lib = openLibrary(join(work, 'library'));
const imports: { lines: number; seconds: number; cpuSeconds: number; rowsPerSecond: number; rowsPerCpuSecond: number }[] = [];
const knownMd5: Buffer[] = [];
try {
  for (let l = 0; l < MD5_LISTS; l++) {
    const file = join(work, `list${l}.md5`);
    const fd = openSync(file, 'w');
    const CH = 100_000;
    const bytes = Buffer.allocUnsafe(16 * CH);
    for (let s = 0; s < MD5_LINES; s += CH) {
      const n = Math.min(CH, MD5_LINES - s);
      randomFillSync(bytes);
      let text = '';
      for (let k = 0; k < n; k++) {
        const hex = bytes.toString('hex', k * 16, k * 16 + 16);
        text += `${hex}  evidence/dir${(s + k) % 997}/file${s + k}.jpg\n`;
        if ((s + k) % Math.max(1, Math.floor(MD5_LISTS * MD5_LINES / (QUERIES / 2))) === 0 && knownMd5.length < QUERIES / 2) knownMd5.push(Buffer.from(hex, 'hex'));
      }
      writeSync(fd, text);
    }
    closeSync(fd);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = importHashList(lib, file, { name: `bench-${l}`, format: 'text' });
    const seconds = secs(t0);
    const cpu = cpuSeconds(c0);
    imports.push({ lines: r.list.recordsImported, seconds, cpuSeconds: cpu, rowsPerSecond: Math.round(r.list.recordsImported / seconds),
      rowsPerCpuSecond: Math.round(r.list.recordsImported / cpu) });
    rmSync(file);
  }
  const exactPart = () => {
    const q: Buffer[] = [...knownMd5];
    const rnd = Buffer.allocUnsafe(16 * (QUERIES - q.length));
    randomFillSync(rnd);
    for (let k = 0; q.length < QUERIES; k++) q.push(rnd.subarray(k * 16, k * 16 + 16));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    q.sort(Buffer.compare);
    const hits = lookupExact(lib.db, 'md5', q);
    const lookupSeconds = secs(t0);
    const lookupCpuSeconds = cpuSeconds(c0);
    return {
      entries: MD5_LISTS * MD5_LINES, queries: QUERIES, plantedQueries: knownMd5.length, hits: hits.length,
      allPlantedFound: new Set(hits.map((h) => h.query)).size >= knownMd5.length, lookupSeconds, lookupCpuSeconds, goalSeconds: 10,
    };
  };
  const exact = IMPORT_ONLY ? null : exactPart();
  const importSummary = {
    lists: imports, goalRowsPerSecond: 300_000,
    slowestRowsPerSecond: Math.min(...imports.map((i) => i.rowsPerSecond)),
  };
  process.stdout.write(`${JSON.stringify({
    bench: 'match', provisional: 'machine shared with other jobs; timings are indicative only',
    machine: { cpus: cpus().length, totalMemGb: Math.round(totalmem() / 1e9) },
    perceptual, exact, import: importSummary, peakRssMb: peakMb(),
  }, null, 2)}\n`);
} finally {
  lib.close();
  rmSync(work, { recursive: true, force: true });
}
