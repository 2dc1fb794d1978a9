/**
 * Issue 14 benchmark: how well PDQ matching survives what re-sharing does to a picture, plain PDQ
 * beside Kestrel's (dihedral variants, border trimming, the crop set, optionally small rotations),
 * in the same run, on public photos from Debian packages.
 *   npx tsx bench/accuracy.ts [--max-sources N] [--rotations]
 * Needs (installs nothing; skips with a message when they are missing):
 *   apt-get install gnome-backgrounds desktop-base ukui-wallpapers imagemagick
 * (budgie-wallpapers too where the distribution has it). Every raster picture of those packages
 * of at least 400 px a side and PDQ quality >= 50 is a source, after dropping near-duplicates
 * (the same wallpaper at several resolutions or in a day and a night version: within 64 bits under
 * any rotation or flip). Each source, reduced to at most 1024 px and flattened on white, is stored;
 * ImageMagick makes the variants, which are the queries.
 *
 * Recall is reported at the threshold where each method has zero false matches over all cross
 * pairs (every variant against every other source), capped at the usual 31, and at 31 itself
 * with its false-match count. Prints JSON.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../native/image/decode.js';
import { pdqFromPixels } from '../native/hashing/pdq/reading.js';
import { closestPair, pdqExtraHashes, QUERY_EXTRAS, STORED_EXTRAS, type ExtraOptions, type HashSet } from '../native/hashing/pdq/extraHashes.js';
import { hammingHex } from '../native/hashing/hamming.js';
import { PDQ_MATCH_DISTANCE } from '../native/hashing/pdq/pdq.js';

const PACKAGES = ['gnome-backgrounds', 'desktop-base', 'ukui-wallpapers', 'budgie-wallpapers'];
const argMax = process.argv.indexOf('--max-sources');
const MAX_SOURCES = argMax > 0 ? Number(process.argv[argMax + 1]) : 200;
const WITH_ROTATIONS = process.argv.includes('--rotations');

interface Transform {
  name: string;
  mild: boolean;
  /** ImageMagick arguments between input and output, for source number i of size w x h. */
  args: (i: number, w: number, h: number) => string[];
  ext?: string;
}

function cropArgs(i: number, w: number, h: number, percent: number): string[] {
  // Keeps (100 - 2p)% of each side; the window sits centred, at a corner or an edge in turn.
  const keepW = Math.round(w * (1 - (2 * percent) / 100));
  const keepH = Math.round(h * (1 - (2 * percent) / 100));
  const ox = Math.round((w * percent * (i % 3)) / 100);
  const oy = Math.round((h * percent * ((i + 1) % 3)) / 100);
  return ['-crop', `${keepW}x${keepH}+${ox}+${oy}`, '+repage'];
}

function transforms(font: string | null): Transform[] {
  const padColours = ['black', 'white', '#808080'];
  return [
    { name: 'resize-50', mild: true, args: () => ['-resize', '50%'] },
    { name: 'jpeg-30', mild: true, args: () => ['-quality', '30'], ext: 'jpg' },
    { name: 'jpeg-70', mild: true, args: () => ['-quality', '70'], ext: 'jpg' },
    { name: 'greyscale', mild: true, args: () => ['-colorspace', 'Gray'] },
    { name: 'brightness', mild: true, args: () => ['-modulate', '130'] },
    { name: 'contrast', mild: true, args: () => ['-brightness-contrast', '0x30'] },
    { name: 'blur', mild: true, args: () => ['-blur', '0x2'] },
    {
      name: 'watermark', mild: true,
      args: (_i, w) => font
        ? ['-font', font, '-gravity', 'southeast', '-pointsize', String(Math.round(w / 12)), '-fill', 'rgba(255,255,255,0.6)', '-annotate', '+10+10', 'KESTREL']
        : ['-fill', 'rgba(255,255,255,0.6)', '-draw', `rectangle ${Math.round(w * 0.6)},${Math.round(w * 0.05)} ${Math.round(w * 0.95)},${Math.round(w * 0.15)}`],
    },
    { name: 'noise', mild: true, args: () => ['-seed', '7', '-attenuate', '0.4', '+noise', 'Gaussian'] },
    { name: 'flip-horizontal', mild: true, args: () => ['-flop'] },
    { name: 'flip-vertical', mild: true, args: () => ['-flip'] },
    { name: 'rotate-90', mild: true, args: () => ['-rotate', '90'] },
    { name: 'rotate-180', mild: true, args: () => ['-rotate', '180'] },
    { name: 'rotate-270', mild: true, args: () => ['-rotate', '270'] },
    { name: 'squash-80', mild: true, args: () => ['-resize', '100x80%!'] },
    { name: 'crop-2', mild: false, args: (i, w, h) => cropArgs(i, w, h, 2) },
    { name: 'crop-5', mild: false, args: (i, w, h) => cropArgs(i, w, h, 5) },
    { name: 'pad-10', mild: false, args: (i) => ['-bordercolor', padColours[i % 3]!, '-border', '10%'] },
    { name: 'rotate-3', mild: false, args: () => ['-background', 'black', '-virtual-pixel', 'background', '-distort', 'SRT', '3'] },
  ];
}

function installed(pkg: string): string[] {
  const r = spawnSync('dpkg-query', ['-L', pkg], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  return r.stdout.split('\n').filter((f) => /\.(jpe?g|png|webp)$/i.test(f) && existsSync(f));
}

interface Item { name: string; file: string; set: HashSet; quality: number }

async function hashFile(file: string, options: ExtraOptions, dihedral: boolean): Promise<{ set: HashSet; quality: number; width: number; height: number }> {
  const d = await decodeImage(readFileSync(file));
  const plain = pdqFromPixels(d.pixels, d.width, d.height);
  const extras = pdqExtraHashes(d.pixels, plain, options);
  return { set: { plain: plain.hash, dihedral: dihedral ? plain.dihedral : undefined, extras }, quality: plain.quality, width: d.width, height: d.height };
}

const candidates = PACKAGES.flatMap((p) => installed(p).map((f) => ({ pkg: p, f })));
const found = PACKAGES.filter((p) => installed(p).length > 0);
const hasConvert = spawnSync('convert', ['-version']).status === 0;
if (candidates.length === 0 || !hasConvert) {
  console.log(JSON.stringify({
    benchmark: 'accuracy',
    skipped: `needs public photos from Debian packages and ImageMagick: apt-get install gnome-backgrounds desktop-base ukui-wallpapers imagemagick (found: ${found.join(', ') || 'none'}; convert ${hasConvert ? 'present' : 'missing'})`,
  }));
  process.exit(0);
}

const fontList = execFileSync('convert', ['-list', 'font'], { encoding: 'utf8' });
const font = /Font: (\S+)/.exec(fontList)?.[1] ?? null;
const work = join(tmpdir(), `kestrel-bench-accuracy-${process.pid}`);
mkdirSync(work, { recursive: true });
try {
  const stored = STORED_EXTRAS;
  const storedWithRotations: ExtraOptions = { ...STORED_EXTRAS, rotations: [-4, -2, 2, 4] };
  // Sources: reduced, flattened, quality >= 50, near-duplicates dropped.
  const sources: Array<Item & { rotations: HashSet; w: number; h: number }> = [];
  let dropped = 0;
  for (const { pkg, f } of candidates.sort((a, b) => a.f.localeCompare(b.f))) {
    if (sources.length >= MAX_SOURCES) break;
    const meta = await sharp(f).metadata();
    if (!meta.width || !meta.height || Math.min(meta.width, meta.height) < 400) continue;
    const file = join(work, `source-${sources.length}.png`);
    await sharp(f).resize(1024, 1024, { fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' }).png().toFile(file);
    const h = await hashFile(file, stored, true);
    if (h.quality < 50) continue;
    if (sources.some((s) => s.set.dihedral!.some((d) => hammingHex(d, h.set.plain) <= 64))) {
      dropped++;
      continue;
    }
    const rot = WITH_ROTATIONS ? (await hashFile(file, storedWithRotations, true)).set : h.set;
    sources.push({ name: `${pkg}:${f.split('/').slice(-2).join('/')}`, file, set: h.set, quality: h.quality, rotations: rot, w: h.width, h: h.height });
  }

  // Queries: every transform of every source.
  const ts = transforms(font);
  const queries: Array<Item & { source: number; transform: Transform }> = [];
  for (const [i, s] of sources.entries()) {
    for (const t of ts) {
      const out = join(work, `q-${i}-${t.name}.${t.ext ?? 'png'}`);
      execFileSync('nice', ['-n', '10', 'convert', s.file, ...t.args(i, s.w, s.h), out], { stdio: ['ignore', 'ignore', 'pipe'] });
      const h = await hashFile(out, QUERY_EXTRAS, false);
      queries.push({ name: `${s.name}/${t.name}`, file: out, set: h.set, quality: h.quality, source: i, transform: t });
    }
  }

  type Method = { name: string; what: string; distance: (q: HashSet, s: (typeof sources)[number]) => number; storedHashes: (s: (typeof sources)[number]) => number };
  const methods: Method[] = [
    { name: 'plain-pdq', what: 'PDQ against PDQ, one hash each side', distance: (q, s) => hammingHex(q.plain, s.set.plain), storedHashes: () => 1 },
    {
      name: 'kestrel', what: 'query: PDQ + trimmed; stored: PDQ, its 8 dihedral variants, trimmed, central 90/80% and four 90% corners',
      distance: (q, s) => closestPair(q, s.set).distance, storedHashes: (s) => 8 + s.set.extras.length,
    },
  ];
  if (WITH_ROTATIONS) {
    methods.push({
      name: 'kestrel+rotations', what: 'kestrel, plus the stored picture turned by -4, -2, +2, +4 degrees',
      distance: (q, s) => closestPair(q, s.rotations).distance, storedHashes: (s) => 8 + s.rotations.extras.length,
    });
  }

  const results = methods.map((m) => {
    const started = performance.now();
    const genuine = queries.map((q) => m.distance(q.set, sources[q.source]!));
    let minImpostor = 257;
    let falseAt31 = 0;
    for (const q of queries) {
      for (const [j, s] of sources.entries()) {
        if (j === q.source) continue;
        const d = m.distance(q.set, s);
        if (d < minImpostor) minImpostor = d;
        if (d <= PDQ_MATCH_DISTANCE) falseAt31++;
      }
    }
    const matchMs = performance.now() - started;
    const threshold = Math.min(PDQ_MATCH_DISTANCE, minImpostor - 1);
    const perTransform: Record<string, { recall: number; recallAt31: number }> = {};
    for (const t of ts) {
      const idx = queries.flatMap((q, k) => (q.transform === t ? [k] : []));
      perTransform[t.name] = {
        recall: round(idx.filter((k) => genuine[k]! <= threshold).length / idx.length),
        recallAt31: round(idx.filter((k) => genuine[k]! <= PDQ_MATCH_DISTANCE).length / idx.length),
      };
    }
    const recallOf = (mild: boolean | null) => {
      const idx = queries.flatMap((q, k) => (mild === null || q.transform.mild === mild ? [k] : []));
      return round(idx.filter((k) => genuine[k]! <= threshold).length / idx.length);
    };
    return {
      method: m.name, what: m.what,
      zeroFalseMatchThreshold: threshold, closestCrossPair: minImpostor, falseMatchesAtThreshold: 0, falseMatchesAt31: falseAt31,
      recall: { all: recallOf(null), mild: recallOf(true), hard: recallOf(false) },
      perTransform,
      storedHashesPerPicture: round(sources.reduce((a, s) => a + m.storedHashes(s), 0) / sources.length),
      matchMs: round(matchMs),
    };
  });

  console.log(JSON.stringify({
    benchmark: 'accuracy',
    packages: found,
    sources: sources.length, nearDuplicatesDropped: dropped, queries: queries.length, crossPairs: queries.length * (sources.length - 1),
    transforms: Object.fromEntries(ts.map((t) => [t.name, { mild: t.mild, imagemagick: t.args(0, 1000, 750).join(' ') }])),
    goal: { mild: 0.995, all: 0.9 },
    results,
  }, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
