/**
 * bench/disk: disk-image intake through the Sleuth Kit helper against, in the same run, the
 * intake of the same files as a folder (goal >= 0.7x) and a per-file `icat` loop on a sample
 * (goal >= 10x); an E01 of the same image (files/s, MB/s) beside `ewfverify` on it; peak RSS.
 * The ext4 image is made with mke2fs -d (nothing mounted). Prints one JSON object.
 *   npx tsx bench/disk.ts [--files N] [--mb SIZE_MB] [--sample N]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeSource } from '../test/helpers/sources.js';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'kestrel.js');
const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const files = opt('--files', 20_000);
const imageMb = opt('--mb', 1024);
const sample = opt('--sample', 200);
const work = join(tmpdir(), 'kestrel-bench-disk');

function seconds(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function intake(source: string, exhibit: string): { s: number; summary: Record<string, number>; peakRssMb: number } {
  const caseDir = join(work, `case-${exhibit}`);
  execFileSync(process.execPath, [bin, 'init', caseDir, '--case-number', 'BENCH', '--examiner', 'bench']);
  let out = '';
  const s = seconds(() => { out = execFileSync(process.execPath, [bin, 'intake', caseDir, source, '--exhibit', exhibit, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }); });
  const last = JSON.parse(out.trim().split('\n').at(-1)!) as { summary: Record<string, number> & { peakRssMb: number } };
  return { s, summary: last.summary, peakRssMb: last.summary.peakRssMb };
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const src = join(work, 'src');
makeSource(src, { files, folders: Math.max(10, Math.round(files / 100)), maxSize: 40_000, bigEvery: 200, bigSize: 2_000_000 });
const raw = join(work, 'ext4.raw');
execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', src, raw, `${imageMb}M`]);

const folder = intake(src, 'FOLDER');
const image = intake(raw, 'RAW');

// icat, one process per file, on a sample of inodes taken from fls.
const fls = execFileSync('fls', ['-r', '-p', '-F', raw], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim().split('\n');
const inodes = fls.map((l) => /^r\/r (\d+):/.exec(l)?.[1]).filter((x): x is string => x !== undefined).slice(0, sample);
const icatSeconds = seconds(() => { for (const ino of inodes) execFileSync('icat', [raw, ino], { maxBuffer: 1 << 26 }); });

// The same image as a compressed E01.
const e01Base = join(work, 'ext4');
const acquired = spawnSync('ewfacquire', ['-u', '-t', e01Base, '-c', 'deflate:fast', '-f', 'encase6', '-C', 'BENCH', '-D', 'bench', '-E', '1', '-e', 'bench', '-N', 'bench', raw], { encoding: 'utf8' });
const e01 = `${e01Base}.E01`;
let e01Result: Record<string, number | string> = { error: acquired.stderr.split('\n').at(-2) ?? `exit ${acquired.status}` };
if (acquired.status === 0) {
  const verifySeconds = seconds(() => { spawnSync('ewfverify', ['-q', e01]); });
  const ex = intake(e01, 'E01');
  e01Result = {
    e01Bytes: statSync(e01).size, seconds: round(ex.s), filesPerSec: round(ex.summary['files']! / ex.s),
    mbPerSec: round(ex.summary['bytes']! / 1e6 / ex.s), ewfverifySeconds: round(verifySeconds), peakRssMb: ex.peakRssMb,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

const imageFilesPerSec = image.summary['files']! / image.s;
const icatFilesPerSec = inodes.length / icatSeconds;
console.log(JSON.stringify({
  files,
  bytes: folder.summary['bytes'],
  imageMb,
  folder: { seconds: round(folder.s), filesPerSec: round(folder.summary['files']! / folder.s), peakRssMb: folder.peakRssMb },
  rawImage: { seconds: round(image.s), filesPerSec: round(imageFilesPerSec), peakRssMb: image.peakRssMb, filesCatalogued: image.summary['files'] },
  imageVsFolder: round(folder.s / image.s),
  icat: { sample: inodes.length, seconds: round(icatSeconds), filesPerSec: round(icatFilesPerSec) },
  imageVsIcat: round(imageFilesPerSec / icatFilesPerSec),
  e01: e01Result,
  goals: { imageVsFolder: '>= 0.7', imageVsIcat: '>= 10', peakRssMb: '< 500 on 100k files (not measured at this size unless --files 100000)' },
}, null, 2));
rmSync(work, { recursive: true, force: true });
