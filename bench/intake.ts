/**
 * bench/intake: Kestrel's intake against hashdeep (md5, sha1, sha256, two threads) on the same corpus
 * in the same run, plus peak memory on a 100k-file source. Prints one JSON object.
 *   npx tsx bench/intake.ts [--keep] [--dir DIR]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'kestrel.js');
const args = process.argv.slice(2);
const work = args.includes('--dir') ? resolve(args[args.indexOf('--dir') + 1]!) : join(tmpdir(), 'kestrel-bench-intake');

function block(seed: number): Buffer {
  const out = Buffer.allocUnsafe(1 << 20);
  for (let off = 0, n = 0; off < out.length; n++) off += createHash('sha512').update(`${seed}:${n}`).digest().copy(out, off);
  return out;
}

/** About 2,000 files from 0 to 50 MB, at least 1 GB in all: mostly small, a tail of large ones, as on seized media. */
function makeCorpus(dir: string): { files: number; bytes: number } {
  mkdirSync(dir, { recursive: true });
  const blocks = Array.from({ length: 8 }, (_, i) => block(i));
  let bytes = 0;
  let i = 0;
  for (; i < 2000; i++) {
    const sub = join(dir, `d${i % 40}`);
    mkdirSync(sub, { recursive: true });
    const size = i % 50 === 0 ? 50_000_000 - (i % 7) * 1_000_000 : i % 10 === 0 ? 2_000_000 + i * 1000 : (i * 104_729) % 400_000;
    const buf = Buffer.allocUnsafe(size);
    for (let off = 0, k = 0; off < size; k++) off += blocks[(i + k) % blocks.length]!.copy(buf, off, 0, Math.min(1 << 20, size - off));
    // Shared blocks keep generation fast; the index up front makes every file's digests distinct.
    if (size >= 4) buf.writeUInt32LE(i, 0);
    writeFileSync(join(sub, `f${i}.bin`), buf);
    bytes += size;
  }
  return { files: i, bytes };
}

function makeManySmall(dir: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `d${i % 500}`);
    if (i < 500) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `s${i}.txt`), `file ${i}\n`.repeat(i % 64));
  }
}

function timeIt(cmd: string, argv: string[]): { seconds: number; peakRssMb: number; stdout: string } {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  return { seconds, peakRssMb: Math.round(kb / 1024), stdout: r.stdout };
}

function kestrelIntake(corpus: string, label: string) {
  const caseDir = join(work, `case-${label}`);
  rmSync(caseDir, { recursive: true, force: true });
  execFileSync(process.execPath, [bin, 'init', caseDir, '--case-number', 'BENCH', '--examiner', 'bench']);
  return timeIt(process.execPath, [bin, 'intake', caseDir, corpus, '--exhibit', 'B', '--json']);
}

const corpus = join(work, 'corpus');
const small = join(work, 'small');
if (!existsSync(join(work, '.ready'))) {
  rmSync(work, { recursive: true, force: true });
  makeCorpus(corpus);
  makeManySmall(small, 100_000);
  writeFileSync(join(work, '.ready'), '');
}
const totalBytes = Number(execFileSync('du', ['-sb', corpus], { encoding: 'utf8' }).split('\t')[0]);
execFileSync('sh', ['-c', `find "${corpus}" -type f -exec cat {} + > /dev/null`]);

// Alternate the two tools so that neither benefits from running second; keep each one's best run.
const runs = { kestrel: [] as ReturnType<typeof timeIt>[], hashdeep: [] as ReturnType<typeof timeIt>[] };
for (let round = 0; round < 2; round++) {
  runs.kestrel.push(kestrelIntake(corpus, `r${round}`));
  runs.hashdeep.push(timeIt('hashdeep', ['-c', 'md5,sha1,sha256', '-r', '-j', '2', corpus]));
}
const best = (xs: ReturnType<typeof timeIt>[]) => xs.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
const k = best(runs.kestrel);
const h = best(runs.hashdeep);
const many = kestrelIntake(small, 'small');
const manySummary = JSON.parse(many.stdout.trim().split('\n').at(-1)!).summary as { files: number; filesPerSec: number; peakRssMb: number };

const mb = totalBytes / 1e6;
process.stdout.write(`${JSON.stringify({
  corpus: { files: 2000, bytes: totalBytes },
  kestrel: { seconds: round(k.seconds), mbPerSec: round(mb / k.seconds), peakRssMb: k.peakRssMb },
  hashdeep: { seconds: round(h.seconds), mbPerSec: round(mb / h.seconds), peakRssMb: h.peakRssMb },
  ratio: round(h.seconds / k.seconds),
  goal: 'ratio >= 1 (Kestrel at least as fast as hashdeep while also sniffing types and writing the catalogue)',
  smallFiles: { files: manySummary.files, seconds: round(many.seconds), filesPerSec: round(manySummary.files / many.seconds), peakRssMb: many.peakRssMb, goalPeakRssMb: 500 },
})}\n`);
if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
