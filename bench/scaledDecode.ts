/**
 * Issue 14 measurement: would a JPEG decoded at 1/2, 1/4 or 1/8 scale (libjpeg DCT scaling, sharp's
 * shrink-on-load) still give the reference's PDQ? Each scaled decode's PDQ (the reference's 512x512
 * sample positions read from the pixel covering them) is compared with the PDQ of the full decode,
 * which the conformance test shows to be the reference's own, on 12-megapixel camera-like JPEGs
 * made from the reference photos, with the CPU each decode takes.
 *   npx tsx bench/scaledDecode.ts [--images N]
 * Prints JSON. Intake decodes whole (native/image/decode.ts); a scaled decode would be taken only
 * if this showed >= 99% of pictures within 10 bits and >= 90% bit-identical.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { pdqFromPixels } from '../native/hashing/pdq/reading.js';
import { hammingHex } from '../native/hashing/hamming.js';

const REFERENCE = resolve(import.meta.dirname, '..', '..', 'shared', 'reference', 'pdq');
const argImages = process.argv.indexOf('--images');
const IMAGES = argImages > 0 ? Number(process.argv[argImages + 1]) : 24;
sharp.concurrency(1);

const sources = [
  ...[1, 3, 6, 8].map((o) => join(REFERENCE, 'reg-test-input', 'exif-rotn', `exif-rotn-${o}.jpg`)),
  join(REFERENCE, 'bridge-mods', 'aaa-orig.jpg'), join(REFERENCE, 'misc-images', 'wee.jpg'),
].map((f) => readFileSync(f));

const scales = [1, 2, 4, 8] as const;
const distances: Record<number, number[]> = { 2: [], 4: [], 8: [] };
const cpuMs: Record<number, number> = { 1: 0, 2: 0, 4: 0, 8: 0 };
for (let i = 0; i < IMAGES; i++) {
  const jpeg = await sharp(sources[i % sources.length]!)
    .resize(4000, 3000, { fit: 'cover', position: ['centre', 'north', 'south', 'east', 'west'][i % 5] })
    .modulate({ brightness: 0.9 + (i % 5) * 0.05 })
    .jpeg({ quality: 85 + (i % 3) * 5, progressive: i % 2 === 1, mozjpeg: false })
    .toBuffer();
  let full = '';
  for (const s of scales) {
    const cpu = process.cpuUsage();
    const pipeline = sharp(jpeg, { ignoreIcc: true });
    // A resize to exactly 1/s makes sharp decode at that DCT scale and do nothing more.
    const { data, info } = await (s === 1 ? pipeline : pipeline.resize(4000 / s, 3000 / s, { fit: 'fill', kernel: 'nearest' })).raw().toBuffer({ resolveWithObject: true });
    const used = process.cpuUsage(cpu);
    cpuMs[s]! += (used.user + used.system) / 1000;
    const hash = pdqFromPixels({ data, width: info.width, height: info.height, channels: info.channels }, 4000, 3000).hash;
    if (s === 1) full = hash;
    else distances[s]!.push(hammingHex(hash, full));
  }
}
const summary = (d: number[]) => ({
  identical: round(d.filter((x) => x === 0).length / d.length),
  within10: round(d.filter((x) => x <= 10).length / d.length),
  mean: round(d.reduce((a, b) => a + b, 0) / d.length),
  max: Math.max(...d),
});
console.log(JSON.stringify({
  benchmark: 'scaledDecode',
  images: IMAGES, size: '4000x3000 JPEG, quality 85-95, half progressive',
  cpuMsPerDecode: Object.fromEntries(scales.map((s) => [`1/${s}`, round(cpuMs[s]! / IMAGES)])),
  pdqAgainstFullDecode: Object.fromEntries([2, 4, 8].map((s) => [`1/${s}`, summary(distances[s]!)])),
  rule: 'take a scaled decode only at >= 0.99 within 10 bits and >= 0.90 identical',
}, null, 2));

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
