/**
 * The lab library at scale, on both engines in the same run (SQLite folder, and a PostgreSQL
 * server started for the run, or --postgres URL):
 *  - contribute: one case of --contribute-items items (with PDQ and its 8 dihedral hashes), seconds;
 *  - fill: contributions until the library holds --library-items items, rows/s (PostgreSQL: COPY;
 *    SQLite: prepared inserts in one transaction a case). Bulk items carry no dihedral hashes
 *    (matching reads only the originals; it keeps the run's disk use down);
 *  - cross-case match of a --case-items case (with planted exact copies and near-duplicates of
 *    library items, and the case's 8 dihedral variants per picture) against the library, exact
 *    SHA-256 + PDQ at distance 31, cold (the PDQ index loaded from the engine) and warm (cached by
 *    library version), checked against the planted hits.
 * Prints one JSON object. Options: --library-items N --case-items N --contribute-items N --chunk N --postgres URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir, cpus, totalmem, loadavg } from 'node:os';
import { join } from 'node:path';
import { initCase, type OpenCase } from '../native/catalog/case.js';
import { openLabStore } from '../native/lab/open.js';
import { crossMatchCase } from '../native/lab/crossMatch.js';
import type { Contribution, ContributedItem, LabStore } from '../native/lab/store.js';
import { startPostgres, type PgServer } from '../test/helpers/postgres.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const LIBRARY_ITEMS = arg('library-items', 10_000_000);
const CASE_ITEMS = arg('case-items', 100_000);
const CONTRIBUTE_ITEMS = arg('contribute-items', 100_000);
const CHUNK = arg('chunk', 1_000_000);
const PLANTED = 1000;
const pgArg = (() => { const i = process.argv.indexOf('--postgres'); return i >= 0 ? process.argv[i + 1] : undefined; })();
const secs = (t0: number) => Math.round((performance.now() - t0) / 10) / 100;
/** CPU seconds of this process (all its threads): the steadier figure on a shared machine; PostgreSQL's own CPU is not in it. */
const cpuSeconds = (since: NodeJS.CpuUsage) => { const u = process.cpuUsage(since); return Math.round((u.user + u.system) / 1e4) / 100; };

function item(pdq: Buffer, dihedral: boolean): ContributedItem {
  return {
    sha256: randomBytes(32).toString('hex'), sha1: randomBytes(20).toString('hex'), md5: randomBytes(16).toString('hex'),
    size: 123456, mediaType: 'image/jpeg', exhibits: ['EX-01'], pdq: pdq.toString('hex'), pdqQuality: 90,
    pdqDihedral: dihedral ? Array.from({ length: 8 }, () => randomBytes(32).toString('hex')) : null,
    blockhash: randomBytes(32).toString('hex'), videoHashes: null, category: '1', scheme: 'vic-us', decidedBy: 'Bench Examiner',
    decidedAt: '2026-11-27T00:00:00.000Z', listHits: [], series: [], victims: [], tags: [], fileNames: null,
  };
}

function contribution(number: string, n: number, dihedral: boolean): Contribution {
  const items: ContributedItem[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = item(randomBytes(32), dihedral);
  return { caseUuid: `bench-${number}`, caseNumber: number, caseExaminer: 'Bench Examiner', shareFileNames: false, toolVersion: 'bench', items };
}

function flip(h: Buffer, bits: number): Buffer {
  const out = Buffer.from(h);
  const seen = new Set<number>();
  while (seen.size < bits) seen.add(Math.floor(Math.random() * 256));
  for (const b of seen) out[b >> 3]! ^= 1 << (b & 7);
  return out;
}

/** A case catalogue of CASE_ITEMS pictures: PLANTED exact copies and PLANTED near copies (8..24 bits) of library items. */
function buildCase(dir: string, exact: ContributedItem[], near: ContributedItem[]): OpenCase {
  const c = initCase(join(dir, 'case'), { caseNumber: 'BENCH-QUERY', examiner: 'Bench' });
  const content = c.db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, 1, ?)');
  const image = c.db.prepare(`INSERT INTO image_data (content_id, width, height, pdq, pdq_quality, pdq_dihedral, algorithms, processed_at)
    VALUES (?, 100, 100, ?, 90, ?, '{}', 'now')`);
  c.db.transaction(() => {
    for (let i = 1; i <= CASE_ITEMS; i++) {
      const e = i <= PLANTED ? exact[i - 1] : undefined;
      const n = i > PLANTED && i <= 2 * PLANTED ? near[i - PLANTED - 1] : undefined;
      const sha = e ? e.sha256 : randomBytes(32).toString('hex');
      content.run(i, sha, randomBytes(20).toString('hex'), randomBytes(16).toString('hex'), 'image/jpeg');
      const pdq = e ? Buffer.from(e.pdq!, 'hex') : n ? flip(Buffer.from(n.pdq!, 'hex'), 8 + (i % 17)) : randomBytes(32);
      const variants = [pdq.toString('hex'), ...Array.from({ length: 7 }, () => randomBytes(32).toString('hex'))];
      image.run(i, variants[0], JSON.stringify(variants));
    }
  })();
  return c;
}

interface EngineRun { store: LabStore; planted: { exact: ContributedItem[]; near: ContributedItem[] }; result: Record<string, unknown> }

async function runEngine(name: 'sqlite' | 'postgres', spec: string): Promise<EngineRun> {
  const store: LabStore = await openLabStore(spec);
  try {
    const one = contribution('BENCH-0', CONTRIBUTE_ITEMS, true);
    let t = performance.now();
    let cpu = process.cpuUsage();
    await store.contribute(one, 'bench');
    const contributeSeconds = secs(t);
    const contributeCpuSeconds = cpuSeconds(cpu);
    // the planted items come from the first bulk case
    let planted: { exact: ContributedItem[]; near: ContributedItem[] } | undefined;
    let filled = CONTRIBUTE_ITEMS;
    let fillSeconds = 0;
    for (let k = 1; filled < LIBRARY_ITEMS; k++) {
      const n = Math.min(CHUNK, LIBRARY_ITEMS - filled);
      const part = contribution(`BENCH-${k}`, n, false);
      if (!planted) planted = { exact: part.items.slice(0, PLANTED), near: part.items.slice(PLANTED, 2 * PLANTED) };
      t = performance.now();
      await store.contribute(part, 'bench');
      fillSeconds += (performance.now() - t) / 1000;
      filled += n;
    }
    if (!planted) throw new Error('--library-items must exceed --contribute-items');
    return { store, planted, result: { engine: name, contributeItems: CONTRIBUTE_ITEMS, contributeSeconds, contributeCpuSeconds, libraryItems: filled,
      fillSeconds: Math.round(fillSeconds * 100) / 100, fillRowsPerSecond: Math.round((filled - CONTRIBUTE_ITEMS) / Math.max(fillSeconds, 1e-9)) } };
  } catch (err) {
    await store.close();
    throw err;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-bench-lab-'));
  let server: PgServer | undefined;
  const out: Record<string, unknown> = {
    machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), loadAverage: loadavg().map((l) => Math.round(l * 10) / 10) },
    libraryItems: LIBRARY_ITEMS, caseItems: CASE_ITEMS, planted: { exact: PLANTED, near: PLANTED }, pdqThreshold: 31,
  };
  try {
    let pgUrl = pgArg;
    if (!pgUrl) { server = await startPostgres(); pgUrl = await server.newDatabase('bench'); }
    const engines: Record<string, unknown>[] = [];
    let c: OpenCase | undefined;
    for (const [name, spec] of [['sqlite', join(dir, 'lib')], ['postgres', pgUrl]] as const) {
      const r = await runEngine(name, spec);
      try {
        // the same shape of case on both engines, planted with this engine's library items
        if (c) { c.close(); rmSync(join(dir, 'case'), { recursive: true, force: true }); }
        c = buildCase(dir, r.planted.exact, r.planted.near);
        let t = performance.now();
        let cpu = process.cpuUsage();
        const cold = await crossMatchCase(c, r.store, { examiner: 'bench' });
        const coldSeconds = secs(t);
        const coldCpu = cpuSeconds(cpu);
        t = performance.now();
        cpu = process.cpuUsage();
        const warm = await crossMatchCase(c, r.store, { examiner: 'bench' });
        const warmSeconds = secs(t);
        const warmCpu = cpuSeconds(cpu);
        engines.push({ ...r.result, matchColdSeconds: coldSeconds, matchColdCpuSeconds: coldCpu, matchWarmSeconds: warmSeconds, matchWarmCpuSeconds: warmCpu,
          exactHits: cold.exactCaseMatches, pdqHits: cold.perceptualCaseMatches, warmSame: warm.caseMatches === cold.caseMatches,
          plantedFound: cold.exactCaseMatches >= PLANTED && cold.perceptualCaseMatches >= PLANTED });
      } finally {
        await r.store.close();
      }
    }
    c?.close();
    out['engines'] = engines;
    out['goals'] = { matchSecondsAtMost: 30 };
  } finally {
    server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

await main();
