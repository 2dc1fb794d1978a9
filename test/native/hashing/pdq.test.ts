import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE } from '../../helpers/cli.js';
import { analyseImage, type ImageAnalysis } from '../../../native/image/analyse.js';
import { hammingHex } from '../../../native/hashing/hamming.js';
import { PDQ_MATCH_DISTANCE, pdqFromLuma, pdqUsableForMatching } from '../../../native/hashing/pdq/pdq.js';

const PDQ = join(REFERENCE, 'pdq');

async function analyse(rel: string): Promise<ImageAnalysis> {
  const a = await analyseImage(readFileSync(join(PDQ, rel)));
  expect(a.decodeError, rel).toBeNull();
  return a;
}

describe('PDQ conformance with the C++ reference', () => {
  it('is within 10 bits of every PDQMD5TestData.csv hash present here with quality >= 80', async () => {
    const rows = readFileSync(join(PDQ, 'PDQMD5TestData.csv'), 'utf8').trim().split('\n').slice(1);
    const checked: string[] = [];
    for (const row of rows) {
      const [path, expected] = row.split(',') as [string, string];
      const rel = path.replace('../../../../data/', '');
      if (!existsSync(join(PDQ, rel)) || expected.length !== 64) continue;
      const a = await analyse(rel);
      const distance = hammingHex(a.pdq!, expected);
      console.log(`PDQ ${rel}: quality ${a.pdqQuality}, distance to reference ${distance}`);
      if (a.pdqQuality! >= 80) {
        expect(distance, rel).toBeLessThanOrEqual(10);
        checked.push(rel);
      }
    }
    // The rows present: c.png, wee.jpg and the 12 bridge-mods (small.jpg has quality 0).
    expect(checked.length).toBeGreaterThanOrEqual(14);
  });

  it('gives the published values for aaa-orig.jpg and wee.jpg, quality 100', async () => {
    for (const [rel, expected] of [
      ['bridge-mods/aaa-orig.jpg', 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22'],
      ['misc-images/wee.jpg', '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d'],
    ] as const) {
      const a = await analyse(rel);
      const distance = hammingHex(a.pdq!, expected);
      console.log(`PDQ ${rel}: ${a.pdq} distance ${distance}`);
      expect(distance).toBeLessThanOrEqual(10);
      expect(a.pdqQuality).toBe(100);
    }
  });

  it('matches every bridge-mods edit to the original (distance <= 31)', async () => {
    const original = await analyse('bridge-mods/aaa-orig.jpg');
    const edits = ['blur-a-little', 'blur-a-lot', 'high-contrast', 'high-saturation', 'sharpen-a-little', 'sharpen-a-lot',
      'shrink-a-little', 'shrink-a-lot', 'square-128x128', 'square-256x256', 'square-512x512'];
    for (const name of edits) {
      const d = hammingHex((await analyse(`bridge-mods/${name}.jpg`)).pdq!, original.pdq!);
      console.log(`PDQ bridge-mods/${name}: distance to original ${d}`);
      expect(d, name).toBeLessThanOrEqual(PDQ_MATCH_DISTANCE);
    }
  });

  it('finds each rotated or flipped copy in the dihedral hash of the same variant of the original', async () => {
    const original = await analyse('reg-test-input/dih/bridge-1-original.jpg');
    expect(original.pdqDihedral).toHaveLength(8);
    expect(original.pdqDihedral![0]).toBe(original.pdq);
    const variants = ['bridge-1-original', 'bridge-2-rotate-90', 'bridge-3-rotate-180', 'bridge-4-rotate-270',
      'bridge-5-flipx', 'bridge-6-flipy', 'bridge-7-flip-plus-1', 'bridge-8-flip-minus-1'];
    for (const [k, name] of variants.entries()) {
      const copy = await analyse(`reg-test-input/dih/${name}.jpg`);
      const distances = original.pdqDihedral!.map((h) => hammingHex(h, copy.pdq!));
      console.log(`PDQ dih/${name}: distances to the original's 8 dihedral hashes ${distances.join(' ')}`);
      expect(Math.min(...distances), name).toBeLessThanOrEqual(PDQ_MATCH_DISTANCE);
      // Not just any variant: the one the file was made with.
      expect(distances[k], name).toBe(Math.min(...distances));
      if (k > 0) expect(hammingHex(copy.pdq!, original.pdq!), name).toBeGreaterThan(PDQ_MATCH_DISTANCE);
    }
  });

  it('gives misc-images/small.jpg quality below 50 and marks it unusable for matching', async () => {
    const a = await analyse('misc-images/small.jpg');
    console.log(`PDQ small.jpg: quality ${a.pdqQuality}`);
    expect(a.pdqQuality).toBeLessThan(50);
    expect(a.pdqUsable).toBe(false);
    expect(pdqUsableForMatching(a.pdqQuality!)).toBe(false);
    expect((await analyse('misc-images/wee.jpg')).pdqUsable).toBe(true);
  });

  it('hashes an image under 5 pixels on a side to zeros with quality 0, as the reference does', () => {
    const r = pdqFromLuma(new Float32Array(4 * 40).fill(100), 4, 40);
    expect(r.hash).toBe('0'.repeat(64));
    expect(r.quality).toBe(0);
  });

  it('gives a picture narrower than 64 pixels the same hash whatever was hashed before it (working buffers are reused)', () => {
    const textured = (rows: number, cols: number, seed: number) => {
      const luma = new Float32Array(rows * cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) luma[i * cols + j] = 128 + 100 * Math.sin(i / (3 + seed)) * Math.cos(j / 5 + i / 7);
      return luma;
    };
    const first = pdqFromLuma(textured(300, 40, 0), 300, 40);
    pdqFromLuma(textured(700, 500, 2), 700, 500);
    const again = pdqFromLuma(textured(300, 40, 0), 300, 40);
    expect(again).toEqual(first);
    const ones = [...first.hash].reduce((n, h) => n + [...parseInt(h, 16).toString(2)].filter((b) => b === '1').length, 0);
    expect(ones).toBe(128);
  });

  it('sets half the bits (those above the median) for a textured image', () => {
    const rows = 64;
    const cols = 64;
    const luma = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) luma[i * cols + j] = 128 + 100 * Math.sin(i / 3) * Math.cos(j / 5 + i / 7);
    const r = pdqFromLuma(luma, rows, cols);
    const ones = [...r.hash].reduce((n, h) => n + [...parseInt(h, 16).toString(2)].filter((b) => b === '1').length, 0);
    expect(ones).toBe(128);
    expect(r.quality).toBeGreaterThan(0);
  });
});

describe('hammingHex', () => {
  it('counts differing bits and refuses hashes of different lengths or non-hex', () => {
    expect(hammingHex('00ff', '00ff')).toBe(0);
    expect(hammingHex('00ff', 'ff00')).toBe(16);
    expect(hammingHex('1', '7')).toBe(2);
    expect(() => hammingHex('00', '000')).toThrow(/different lengths/);
    expect(() => hammingHex('0g', '00')).toThrow(/not a hex hash/);
  });
});
