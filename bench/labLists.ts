/**
 * Hash lists in the lab library on both engines in one run (a SQLite folder, and a PostgreSQL
 * server started for the run, or --postgres URL):
 *  - import of a --lines text list (md5sum lines with a name) with kestrel's importer: SQLite
 *    (batched inserts, one transaction) and PostgreSQL (COPY, one transaction), seconds and rows/s;
 *  - match lookup of a --case-items case (with --planted MD5s of the list) against it: SQLite
 *    straight from library.sqlite; PostgreSQL cold (the workstation's mirror of the list copied
 *    from the server first) and warm (mirror up to date), checked against the planted hits.
 * Prints one JSON object with the load average (the machine is shared).
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { initCase, type OpenCase } from '../native/catalog/case.js';
import { matchCase } from '../native/matching/matcher.js';
import { importListInto, openListLibrary } from '../native/lab/lists.js';
import { startPostgres, type PgServer } from '../test/helpers/postgres.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const LINES = arg('lines', 10_000_000);
const CASE_ITEMS = arg('case-items', 100_000);
const PLANTED = arg('planted', 1000);
const pgArg = (() => { const i = process.argv.indexOf('--postgres'); return i >= 0 ? process.argv[i + 1] : undefined; })();
const secs = (t0: number) => Math.round((performance.now() - t0) / 10) / 100;
const cpuSeconds = (since: NodeJS.CpuUsage) => { const u = process.cpuUsage(since); return Math.round((u.user + u.system) / 1e4) / 100; };

/** The list: LINES distinct MD5s (of the line number, so they are spread evenly), every one with a name. */
function writeList(file: string): string[] {
  const fd = openSync(file, 'w');
  const planted: string[] = [];
  const every = Math.floor(LINES / PLANTED);
  let text = '';
  for (let i = 0; i < LINES; i++) {
    const md5 = createHash('md5').update(`bench line ${i}`).digest('hex');
    if (i % every === 0 && planted.length < PLANTED) planted.push(md5);
    text += `${md5}  file-${i}.jpg\n`;
    if (text.length > 1 << 20) { writeSync(fd, text); text = ''; }
  }
  writeSync(fd, text);
  closeSync(fd);
  return planted;
}

function buildCase(dir: string, planted: readonly string[]): OpenCase {
  const c = initCase(dir, { caseNumber: 'BENCH-LISTS', examiner: 'Bench' });
  const content = c.db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, 1, ?)');
  c.db.transaction(() => {
    for (let i = 1; i <= CASE_ITEMS; i++) {
      const md5 = i <= planted.length ? planted[i - 1]! : randomBytes(16).toString('hex');
      content.run(i, randomBytes(32).toString('hex'), randomBytes(20).toString('hex'), md5, 'image/jpeg');
    }
  })();
  return c;
}

async function matchOnce(c: OpenCase, spec: string): Promise<{ seconds: number; cpuSeconds: number; exactMatches: number }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const lib = await openListLibrary(spec);
  try {
    const s = await matchCase(c, lib, { examiner: 'Bench' });
    return { seconds: secs(t0), cpuSeconds: cpuSeconds(cpu0), exactMatches: s.exactMatches };
  } finally {
    lib.close();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'kestrel-bench-lablists-'));
  let server: PgServer | undefined;
  const out: Record<string, unknown> = {
    bench: 'labLists', lines: LINES, caseItems: CASE_ITEMS, planted: PLANTED, cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverageAtStart: loadavg().map((l) => Math.round(l * 10) / 10),
  };
  process.env['XDG_DATA_HOME'] = join(work, 'home');
  delete process.env['KESTREL_LIBRARY'];
  try {
    const list = join(work, 'list.md5');
    let t0 = performance.now();
    const planted = writeList(list);
    out['writeListSeconds'] = secs(t0);
    const pgUrl = pgArg ?? await (async () => { server = await startPostgres(); return server.newDatabase('bench_lists'); })();

    const engines: Record<string, unknown> = {};
    for (const [engine, spec] of [['sqlite', join(work, 'lib')], ['postgres', pgUrl]] as const) {
      t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const r = await importListInto(spec, list, { name: 'bench' });
      const importSeconds = secs(t0);
      const c = buildCase(join(work, `case-${engine}`), planted);
      try {
        // A second case for the warm run: a case matches a list version once.
        const c2 = buildCase(join(work, `case2-${engine}`), planted);
        try {
          const first = await matchOnce(c, spec);
          const second = await matchOnce(c2, spec);
          engines[engine] = {
            importSeconds, importCpuSeconds: cpuSeconds(cpu0), importRowsPerSecond: Math.round(LINES / importSeconds),
            recordsImported: r.list.recordsImported,
            [engine === 'postgres' ? 'matchColdWithMirrorCopy' : 'match']: first,
            [engine === 'postgres' ? 'matchWarm' : 'matchAgain']: second,
            plantedFound: first.exactMatches === PLANTED && second.exactMatches === PLANTED,
          };
        } finally {
          c2.close();
        }
      } finally {
        c.close();
      }
    }
    out['engines'] = engines;
    out['loadAverageAtEnd'] = loadavg().map((l) => Math.round(l * 10) / 10);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    server?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
