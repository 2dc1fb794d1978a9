/**
 * Issue 14: what the extra PDQ hashes (border-trimmed, crop set) cost in the catalogue and in
 * matching.
 *   npx tsx bench/extrasCost.ts [--pictures N] [--list N]
 * Makes N (default 300) distinct camera-like JPEGs (1600x1200, cut and re-toned from the reference
 * photos) and takes them into a case with the built CLI (run `npx tsc -b` first); copies the case
 * and deletes the extras from the copy (then VACUUMs both), so the two differ only by the extras.
 * Imports a PDQ list of L entries (default 1,000,000: random hashes, plus the plain hashes of a
 * tenth of the pictures and, for another tenth, the hash of a 5% crop, which only the extras
 * reach) and runs `kestrel match` on each case, timing wall clock and CPU (the whole process),
 * with near-duplicate grouping included. Prints JSON: rows and bytes of the extras (catalogue
 * file sizes, per picture), and the match with and without them (seconds, CPU, matches found).
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { tmpdir, availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import Database from 'better-sqlite3';

const ROOT = resolve(import.meta.dirname, '..');
const REFERENCE = resolve(ROOT, '..', 'shared', 'reference');
const KESTREL = join(ROOT, 'bin', 'kestrel.js');
const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const PICTURES = arg('pictures', 300);
const LIST = arg('list', 1_000_000);

const round = (n: number) => Math.round(n * 100) / 100;

/** CPU seconds used by this process's finished children (cutime + cstime, USER_HZ 100). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function run(args: string[]): { seconds: number; cpuSeconds: number; stdout: string } {
  const cpu = childrenCpuSeconds();
  const started = performance.now();
  const r = spawnSync(process.execPath, [KESTREL, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`kestrel ${args[0]} failed: ${r.stderr}`);
  return { seconds: round(seconds), cpuSeconds: round(childrenCpuSeconds() - cpu), stdout: r.stdout };
}

async function makeCorpus(dir: string, cropsDir: string): Promise<void> {
  const sources = [
    ...[1, 3, 6, 8].map((o) => join(REFERENCE, 'pdq', 'reg-test-input', 'exif-rotn', `exif-rotn-${o}.jpg`)),
    join(REFERENCE, 'pdq', 'bridge-mods', 'aaa-orig.jpg'),
  ].map((f) => readFileSync(f));
  for (let i = 0; i < PICTURES; i++) {
    // Distinct pictures: different windows of different photos, so few are near duplicates.
    const src = sharp(sources[i % sources.length]!).rotate();
    const meta = await src.metadata();
    const w = Math.min(meta.autoOrient?.width ?? meta.width!, 1600);
    const h = Math.min(meta.autoOrient?.height ?? meta.height!, 1200);
    const fullW = meta.autoOrient?.width ?? meta.width!;
    const fullH = meta.autoOrient?.height ?? meta.height!;
    const left = (i * 137) % Math.max(1, fullW - w);
    const top = (i * 89) % Math.max(1, fullH - h);
    const picture = await sharp(sources[i % sources.length]!).rotate().extract({ left, top, width: w, height: h })
      .modulate({ brightness: 0.85 + (i % 7) * 0.05 }).jpeg({ quality: 88 }).toBuffer();
    writeFileSync(join(dir, `P${String(i).padStart(5, '0')}.jpg`), picture);
    if (i % 10 === 1) {
      const cw = Math.round(w * 0.9);
      const ch = Math.round(h * 0.9);
      await sharp(picture).extract({ left: Math.round(w * 0.05), top: Math.round(h * 0.05), width: cw, height: ch }).jpeg({ quality: 88 })
        .toFile(join(cropsDir, `crop-${i}.jpg`));
    }
  }
}

const work = join(tmpdir(), `kestrel-bench-extras-${process.pid}`);
try {
  const corpus = join(work, 'corpus');
  const crops = join(work, 'crops');
  mkdirSync(corpus, { recursive: true });
  mkdirSync(crops);
  await makeCorpus(corpus, crops);
  const withExtras = join(work, 'case-extras');
  run(['init', withExtras, '--case-number', 'BENCH', '--examiner', 'bench']);
  const intake = run(['intake', withExtras, corpus, '--exhibit', 'EX-1']);

  // The list: random entries, plain hashes of every tenth picture, and hashes of 5% crops.
  const catalogue = (dir: string) => join(dir, 'catalogue.sqlite');
  const plain = new Database(catalogue(withExtras), { readonly: true })
    .prepare("SELECT i.pdq FROM image_data i JOIN file_instance f ON f.content_id = i.content_id WHERE f.path_text LIKE '%0.jpg' AND i.pdq IS NOT NULL")
    .pluck().all() as string[];
  const cropLines = run(['hash', ...readdirSync(crops).map((f) => join(crops, f)), '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { pdq?: string; pdqQuality?: number }).filter((l) => l.pdq);
  const lines: string[] = [];
  for (const h of plain) lines.push(`${h},100,planted-plain`);
  for (const l of cropLines) lines.push(`${l.pdq},${l.pdqQuality},planted-crop`);
  const random = randomBytes(32 * LIST);
  for (let i = 0; lines.length < LIST + plain.length + cropLines.length && i < LIST; i++) lines.push(`${random.subarray(i * 32, i * 32 + 32).toString('hex')},100,random-${i}`);
  const listFile = join(work, 'list.pdq');
  writeFileSync(listFile, `${lines.join('\n')}\n`);
  const lib = ['--library', join(work, 'lib')];
  const imported = run(['hashset', 'import', listFile, '--name', 'bench-pdq', '--format', 'pdq', ...lib]);

  // The same case without its extras: a copy, extras deleted; both VACUUMed so file sizes compare.
  const withoutExtras = join(work, 'case-plain');
  cpSync(withExtras, withoutExtras, { recursive: true });
  const extrasDb = new Database(catalogue(withExtras));
  const rows = extrasDb.prepare('SELECT count(*) FROM pdq_extra').pluck().get() as number;
  const byKind = extrasDb.prepare('SELECT kind, count(*) AS n FROM pdq_extra GROUP BY kind').all();
  const pictures = extrasDb.prepare('SELECT count(*) FROM image_data WHERE pdq IS NOT NULL').pluck().get() as number;
  extrasDb.exec('VACUUM');
  extrasDb.close();
  const plainDb = new Database(catalogue(withoutExtras));
  plainDb.exec('DELETE FROM pdq_extra');
  plainDb.exec('VACUUM');
  plainDb.close();
  const bytesWith = statSync(catalogue(withExtras)).size;
  const bytesWithout = statSync(catalogue(withoutExtras)).size;

  const matchOf = (dir: string) => {
    const r = run(['match', dir, '--json', ...lib]);
    const summary = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { summary: Record<string, number> }).summary;
    return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, perceptualMatches: summary['perceptualMatches'], extraHashMatches: summary['extraHashMatches'], nearDuplicateGroups: summary['nearDuplicateGroups'] };
  };
  // One run each: a second match of the same case is up to date and does nothing.
  const first = matchOf(withoutExtras);
  const withRun = matchOf(withExtras);
  console.log(JSON.stringify({
    benchmark: 'extrasCost',
    provisional: 'shared 2-core machine: absolute times are noisy',
    cores: availableParallelism(),
    pictures,
    list: { entries: lines.length, plantedPlain: plain.length, plantedCrops: cropLines.length, importSeconds: imported.seconds },
    intake: { seconds: intake.seconds, cpuSeconds: intake.cpuSeconds },
    index: {
      extraRows: rows,
      extraRowsPerPicture: round(rows / pictures),
      byKind,
      catalogueBytesWithExtras: bytesWith,
      catalogueBytesWithoutExtras: bytesWithout,
      extraBytesPerPicture: Math.round((bytesWith - bytesWithout) / pictures),
    },
    match: { withoutExtras: first, withExtras: withRun, cpuRatio: round(withRun.cpuSeconds / first.cpuSeconds), wallRatio: round(withRun.seconds / first.seconds) },
  }, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}
