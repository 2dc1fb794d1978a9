/**
 * Issue 3 benchmark: picture intake speed against a bare decode, in the same run.
 *   npx tsx bench/perceptual.ts [--images N] [--rounds R]
 * Makes a corpus of N (default 96) distinct ~12-megapixel camera JPEGs (half baseline, half
 * progressive) from the reference photos, then measures (a) a baseline: sharp decoding each file
 * to a 64x64 grey image with shrink-on-load, one file per core at a time so every core is busy,
 * and (b) `kestrel intake` of the same files (built CLI: run `npx tsc -b` first). The two take
 * turns, for R rounds (default 5), each round starting with the other one than the last. Each
 * round gives a wall-clock ratio (images/s of the intake over the baseline's) and a CPU ratio
 * (CPU ms per image of the baseline over the intake's: what the other users of a shared machine
 * disturb least); the medians are reported. The intake's CPU is the child process's whole CPU
 * (all threads), read from /proc (Linux). The intake's figures include its process start; the
 * start alone, an intake of a folder holding one small text file (so that the reader threads load
 * all they need), is reported as fixedCost. Prints JSON.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir, availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../native/image/decode.js';
import { pdqFromPixels } from '../native/hashing/pdq/reading.js';
import { pdqExtraHashes, STORED_EXTRAS } from '../native/hashing/pdq/extraHashes.js';

const ROOT = resolve(import.meta.dirname, '..');
const REFERENCE = resolve(ROOT, '..', 'shared', 'reference');
const KESTREL = join(ROOT, 'bin', 'kestrel.js');
const argImages = process.argv.indexOf('--images');
const IMAGES = argImages > 0 ? Number(process.argv[argImages + 1]) : 96;
const argRounds = process.argv.indexOf('--rounds');
const ROUNDS = argRounds > 0 ? Number(process.argv[argRounds + 1]) : 5;

/**
 * Four real 12-megapixel phone photos, cut and re-encoded into camera-like files, all distinct
 * (the crop offsets, brightness and quality cycle with coprime periods) so that every file is a
 * picture the intake analyses rather than a duplicate it skips.
 */
async function makeCorpus(dir: string): Promise<{ bytes: number; progressive: number }> {
  const sources = [1, 3, 6, 8].map((o) => readFileSync(join(REFERENCE, 'pdq', 'reg-test-input', 'exif-rotn', `exif-rotn-${o}.jpg`)));
  let bytes = 0;
  let progressive = 0;
  for (let i = 0; i < IMAGES; i++) {
    const src = sources[i % sources.length]!;
    const isProgressive = i % 2 === 1;
    const out = await sharp(src)
      .extract({ left: (i * 7) % 31, top: (i * 5) % 23, width: 4000, height: 3000 })
      .modulate({ brightness: 0.9 + (i % 5) * 0.05 })
      .jpeg({ quality: 85 + (i % 3) * 5, progressive: isProgressive, mozjpeg: false })
      .withMetadata()
      .toBuffer();
    writeFileSync(join(dir, `IMG_${String(i).padStart(4, '0')}.jpg`), out);
    bytes += out.length;
    if (isProgressive) progressive += 1;
  }
  return { bytes, progressive };
}

interface Timing {
  seconds: number;
  cpuSeconds: number;
}

async function baseline(files: string[]): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const f = files[next++]!;
      await sharp(f).resize(64, 64, { fit: 'fill' }).greyscale().raw().toBuffer();
    }
  };
  await Promise.all(Array.from({ length: availableParallelism() }, lane));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** CPU seconds used by this process's finished children, from /proc/self/stat (cutime + cstime). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command name start at field 3 (state); cutime and cstime are fields 16 and 17.
  // USER_HZ: 100 on the Linux architectures Node runs on.
  const ticksPerSecond = 100;
  return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
}

function intake(corpus: string, caseDir: string, expectImages: number): Timing {
  const init = spawnSync(process.execPath, [KESTREL, 'init', caseDir, '--case-number', 'BENCH', '--examiner', 'bench']);
  if (init.status !== 0) throw new Error(`kestrel init failed: ${init.stderr}`);
  const cpu = childrenCpuSeconds();
  const started = performance.now();
  const r = spawnSync(process.execPath, [KESTREL, 'intake', caseDir, corpus, '--exhibit', 'BENCH-1', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = childrenCpuSeconds() - cpu;
  if (r.status !== 0) throw new Error(`kestrel intake failed: ${r.stderr}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { summary: { imagesAnalysed: number; imageDecodeErrors: number } };
  if (summary.summary.imagesAnalysed !== expectImages || summary.summary.imageDecodeErrors !== 0) {
    throw new Error(`intake analysed ${summary.summary.imagesAnalysed} of ${expectImages} pictures (${summary.summary.imageDecodeErrors} failed)`);
  }
  return { seconds, cpuSeconds };
}

/**
 * Single-thread CPU ms per picture of the plain PDQ (with its dihedral variants) and of the extra
 * hashes intake also makes (border trimming and the crop set), with how many extras are kept.
 */
async function pdqAlone(files: string[]): Promise<{ pdqMsPerImage: number; pdqExtrasMsPerImage: number; extrasKeptPerImage: number }> {
  const decoded = await Promise.all(files.slice(0, 8).map((f) => decodeImage(readFileSync(f))));
  const plain = decoded.map((d) => pdqFromPixels(d.pixels, d.width, d.height));
  decoded.forEach((d, i) => pdqExtraHashes(d.pixels, plain[i]!, STORED_EXTRAS));
  const rounds = 3;
  const cpuMs = (f: () => void) => { const c = process.cpuUsage(); f(); const u = process.cpuUsage(c); return (u.user + u.system) / 1000; };
  const pdqMs = cpuMs(() => { for (let r = 0; r < rounds; r++) for (const d of decoded) pdqFromPixels(d.pixels, d.width, d.height); });
  let kept = 0;
  const extrasMs = cpuMs(() => { for (let r = 0; r < rounds; r++) decoded.forEach((d, i) => { kept += pdqExtraHashes(d.pixels, plain[i]!, STORED_EXTRAS).length; }); });
  const n = rounds * decoded.length;
  return { pdqMsPerImage: round(pdqMs / n), pdqExtrasMsPerImage: round(extrasMs / n), extrasKeptPerImage: round(kept / n) };
}

const work = join(tmpdir(), `kestrel-bench-perceptual-${process.pid}`);
const corpus = join(work, 'corpus');
const tiny = join(work, 'tiny');
mkdirSync(corpus, { recursive: true });
mkdirSync(tiny);
writeFileSync(join(tiny, 'note.txt'), 'not a picture\n');
try {
  const made = await makeCorpus(corpus);
  const files = readdirSync(corpus).sort().map((f) => join(corpus, f));
  await baseline(files.slice(0, 4));
  const fixed = intake(tiny, join(work, 'case-tiny'), 0);
  type Round = { first: string; baselineImagesPerSec: number; intakeImagesPerSec: number; ratio: number; baselineCpuMsPerImage: number; intakeCpuMsPerImage: number; cpuRatio: number };
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const intakeFirst = r % 2 === 1;
    const i1 = intakeFirst ? intake(corpus, join(work, `case-${r}`), IMAGES) : null;
    const b = await baseline(files);
    const i = i1 ?? intake(corpus, join(work, `case-${r}`), IMAGES);
    rmSync(join(work, `case-${r}`), { recursive: true, force: true });
    const baselineRate = IMAGES / b.seconds;
    const intakeRate = IMAGES / i.seconds;
    const baselineCpu = (b.cpuSeconds * 1000) / IMAGES;
    const intakeCpu = (i.cpuSeconds * 1000) / IMAGES;
    rounds.push({
      first: intakeFirst ? 'intake' : 'baseline',
      baselineImagesPerSec: round(baselineRate), intakeImagesPerSec: round(intakeRate), ratio: round(intakeRate / baselineRate),
      baselineCpuMsPerImage: round(baselineCpu), intakeCpuMsPerImage: round(intakeCpu), cpuRatio: round(baselineCpu / intakeCpu),
    });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(JSON.stringify({
    benchmark: 'perceptual',
    provisional: 'shared 2-core machine: absolute figures are noisy; each ratio is measured within one round',
    corpus: { images: IMAGES, width: 4000, height: 3000, progressive: made.progressive, baseline: IMAGES - made.progressive, megabytes: Math.round(made.bytes / 1e5) / 10 },
    cores: availableParallelism(),
    baseline: {
      what: 'sharp decode to 64x64 grey, shrink-on-load, all cores (in this process: no process start)',
      imagesPerSec: median(rounds.map((r) => r.baselineImagesPerSec)),
      cpuMsPerImage: median(rounds.map((r) => r.baselineCpuMsPerImage)),
    },
    intake: {
      what: 'kestrel intake (MD5/SHA-1/SHA-256, PDQ + dihedral + extras, blockhash, EXIF, thumbnail, preview, catalogue), whole process',
      imagesPerSec: median(rounds.map((r) => r.intakeImagesPerSec)),
      cpuMsPerImage: median(rounds.map((r) => r.intakeCpuMsPerImage)),
      fixedCost: { what: 'kestrel intake of one small text file: process start, reader threads, catalogue', seconds: round(fixed.seconds), cpuSeconds: round(fixed.cpuSeconds) },
    },
    ratio: median(rounds.map((r) => r.ratio)),
    cpuRatio: median(rounds.map((r) => r.cpuRatio)),
    goal: 0.85,
    rounds,
    ...await pdqAlone(files),
  }, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
