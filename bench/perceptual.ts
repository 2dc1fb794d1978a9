/**
 * Issue 3 benchmark: picture intake speed against a bare decode, in the same run.
 *   npx tsx bench/perceptual.ts [--images N]
 * Makes a corpus of ~12-megapixel camera JPEGs (half baseline, half progressive) from the reference
 * photos, then measures (a) a baseline: sharp decoding each file to a 64x64 grey image with
 * shrink-on-load, two files at a time so both cores are busy, and (b) `kestrel intake` of the same
 * files (built CLI: run `npx tsc -b` first), alternately for --rounds rounds (default 3); the
 * ratio reported is the median of the rounds' ratios. Prints JSON. Timings on a shared machine are noisy.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir, availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../native/image/decode.js';
import { pdqFromPixels } from '../native/hashing/pdq/reading.js';

const ROOT = resolve(import.meta.dirname, '..');
const REFERENCE = resolve(ROOT, '..', 'shared', 'reference');
const KESTREL = join(ROOT, 'bin', 'kestrel.js');
const argImages = process.argv.indexOf('--images');
const IMAGES = argImages > 0 ? Number(process.argv[argImages + 1]) : 32;
const argRounds = process.argv.indexOf('--rounds');
const ROUNDS = argRounds > 0 ? Number(process.argv[argRounds + 1]) : 3;

/** Four real 12-megapixel phone photos, cut and re-encoded into distinct camera-like files. */
async function makeCorpus(dir: string): Promise<{ bytes: number; progressive: number }> {
  const sources = [1, 3, 6, 8].map((o) => readFileSync(join(REFERENCE, 'pdq', 'reg-test-input', 'exif-rotn', `exif-rotn-${o}.jpg`)));
  let bytes = 0;
  let progressive = 0;
  for (let i = 0; i < IMAGES; i++) {
    const src = sources[i % sources.length]!;
    const isProgressive = i % 2 === 1;
    const out = await sharp(src)
      .extract({ left: (i * 8) % 32, top: (i * 4) % 24, width: 4000, height: 3000 })
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

async function baseline(files: string[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const f = files[next++]!;
      await sharp(f).resize(64, 64, { fit: 'fill' }).greyscale().raw().toBuffer();
    }
  };
  await Promise.all(Array.from({ length: availableParallelism() }, lane));
  return (performance.now() - started) / 1000;
}

function intake(corpus: string, caseDir: string): number {
  const init = spawnSync(process.execPath, [KESTREL, 'init', caseDir, '--case-number', 'BENCH', '--examiner', 'bench']);
  if (init.status !== 0) throw new Error(`kestrel init failed: ${init.stderr}`);
  const started = performance.now();
  const r = spawnSync(process.execPath, [KESTREL, 'intake', caseDir, corpus, '--exhibit', 'BENCH-1', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`kestrel intake failed: ${r.stderr}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { summary: { imagesAnalysed: number; imageDecodeErrors: number } };
  if (summary.summary.imagesAnalysed !== IMAGES || summary.summary.imageDecodeErrors !== 0) {
    throw new Error(`intake analysed ${summary.summary.imagesAnalysed} of ${IMAGES} pictures (${summary.summary.imageDecodeErrors} failed)`);
  }
  return seconds;
}

async function pdqAlone(files: string[]): Promise<number> {
  const decoded = await Promise.all(files.slice(0, 8).map((f) => decodeImage(readFileSync(f))));
  for (const d of decoded) pdqFromPixels(d.pixels, d.width, d.height);
  const rounds = 5;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) for (const d of decoded) pdqFromPixels(d.pixels, d.width, d.height);
  return (performance.now() - started) / (rounds * decoded.length);
}

const work = join(tmpdir(), `kestrel-bench-perceptual-${process.pid}`);
const corpus = join(work, 'corpus');
mkdirSync(corpus, { recursive: true });
try {
  const made = await makeCorpus(corpus);
  const files = readdirSync(corpus).sort().map((f) => join(corpus, f));
  await baseline(files.slice(0, 4));
  const rounds: Array<{ baselineImagesPerSec: number; intakeImagesPerSec: number; ratio: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const baselineRate = IMAGES / (await baseline(files));
    const intakeRate = IMAGES / intake(corpus, join(work, `case-${r}`));
    rounds.push({ baselineImagesPerSec: round(baselineRate), intakeImagesPerSec: round(intakeRate), ratio: round(intakeRate / baselineRate) });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(JSON.stringify({
    benchmark: 'perceptual',
    provisional: 'shared 2-core machine: absolute figures are noisy; each ratio is measured within one round',
    corpus: { images: IMAGES, width: 4000, height: 3000, progressive: made.progressive, baseline: IMAGES - made.progressive, megabytes: Math.round(made.bytes / 1e5) / 10 },
    cores: availableParallelism(),
    baseline: { what: 'sharp decode to 64x64 grey, shrink-on-load, all cores', imagesPerSec: median(rounds.map((r) => r.baselineImagesPerSec)) },
    intake: { what: 'kestrel intake (MD5/SHA-1/SHA-256, PDQ + dihedral, blockhash, EXIF, thumbnail, catalogue)', imagesPerSec: median(rounds.map((r) => r.intakeImagesPerSec)) },
    ratio: median(rounds.map((r) => r.ratio)),
    goal: 0.85,
    rounds,
    pdqMsPerImage: round(await pdqAlone(files)),
  }, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
