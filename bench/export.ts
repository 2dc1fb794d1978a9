/**
 * bench/export: `kestrel export` and `kestrel verify` on a case with many findings, against
 * baselines taken in the same run on the same files: sha256sum over the package (what verify must
 * at least do) and 7-Zip writing an AES-256 zip of the same media (what --media encrypted must at
 * least do). Prints one JSON object.
 *   npx tsx bench/export.ts [--findings N] [--keep]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { openCase } from '../native/catalog/case.js';
import { categorise } from '../native/review/decisions.js';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'kestrel.js');
const args = process.argv.slice(2);
const findings = args.includes('--findings') ? Number(args[args.indexOf('--findings') + 1]) : 3000;
const work = join(tmpdir(), 'kestrel-bench-export');

function run(argv: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`kestrel ${argv.join(' ')}: ${r.stderr}`);
  return (performance.now() - t) / 1000;
}

function timed(f: () => void): number {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
}

rmSync(work, { recursive: true, force: true });
const src = join(work, 'src');
mkdirSync(src, { recursive: true });
let bytes = 0;
for (let i = 0; i < findings; i++) {
  const sub = join(src, `d${i % 50}`);
  if (i < 50) mkdirSync(sub);
  const size = 2000 + ((i * 7919) % 60_000);
  const buf = Buffer.allocUnsafe(size);
  for (let off = 0, n = 0; off < size; n++) off += createHash('sha512').update(`${i}:${n}`).digest().copy(buf, off, 0, Math.min(64, size - off));
  writeFileSync(join(sub, `f${i}.bin`), buf);
  bytes += size;
}
const caseDir = join(work, 'case');
run(['init', caseDir, '--case-number', 'BENCH-1', '--examiner', 'Bench']);
const intakeSeconds = run(['intake', caseDir, src, '--exhibit', 'B-1', '--json']);
const c = openCase(caseDir);
const ids = c.db.prepare('SELECT id FROM content').pluck().all() as number[];
categorise(c.db, ids, '1', 'Bench', 'bench');
c.close();

const pass = join(work, 'pass');
writeFileSync(pass, 'benchmark passphrase 0123\n');
const exportSeconds = run(['export', caseDir, join(work, 'pkg')]);
const exportEncryptedSeconds = run(['export', caseDir, join(work, 'pkg-enc'), '--media', 'encrypted', '--passphrase-file', pass]);
const verifySeconds = run(['verify', join(work, 'pkg-enc')]);

const pkgFiles = readdirSync(join(work, 'pkg-enc')).map((f) => join(work, 'pkg-enc', f));
const sha256sumSeconds = timed(() => execFileSync('sha256sum', pkgFiles));
const sevenZipSeconds = timed(() => execFileSync('7z', ['a', '-tzip', '-mem=AES256', '-mx0', '-pbenchmark-passphrase', join(work, 'baseline.zip'), `${src}/*`, '-r'], { stdio: 'ignore' }));

const size = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
console.log(JSON.stringify({
  provisional: 'timings on a shared 2-core machine; compare the ratios, not the seconds',
  findings,
  mediaBytes: bytes,
  intakeSeconds: round(intakeSeconds),
  exportSeconds: round(exportSeconds),
  exportEncryptedSeconds: round(exportEncryptedSeconds),
  verifySeconds: round(verifySeconds),
  baselineSha256sumSeconds: round(sha256sumSeconds),
  baseline7zAesSeconds: round(sevenZipSeconds),
  encryptedMediaOverBaseline7z: round((exportEncryptedSeconds - exportSeconds) / sevenZipSeconds),
  verifyOverSha256sum: round(verifySeconds / sha256sumSeconds),
  packageBytes: size(join(work, 'pkg')),
  packageEncryptedBytes: size(join(work, 'pkg-enc')),
}));
if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
