import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { REFERENCE } from '../../helpers/cli.js';
import { analyseImage } from '../../../native/image/analyse.js';
import { hammingHex } from '../../../native/hashing/hamming.js';
import { pdqFromPixels } from '../../../native/hashing/pdq/reading.js';
import { PDQ_MATCH_DISTANCE } from '../../../native/hashing/pdq/pdq.js';

const PDQ = join(REFERENCE, 'pdq');
const ORIGINAL = join(PDQ, 'misc-images', 'modes', 'original.jpg');

describe('EXIF orientation', () => {
  it('hashes a picture the same whichever of the 8 orientations it is stored in', async () => {
    const src = readFileSync(ORIGINAL);
    const upright = await analyseImage(src);
    // Store the pixels turned so that the orientation tag turns them back upright.
    const stored: Array<[number, (s: Sharp) => Sharp]> = [
      [2, (s) => s.flop()], [3, (s) => s.rotate(180)], [4, (s) => s.flip()], [5, (s) => s.rotate(90).flip()],
      [6, (s) => s.rotate(-90)], [7, (s) => s.rotate(-90).flip()], [8, (s) => s.rotate(90)],
    ];
    for (const [orientation, turn] of stored) {
      const bytes = await turn(sharp(src)).jpeg({ quality: 95 }).withMetadata({ orientation }).toBuffer();
      const a = await analyseImage(bytes);
      const d = hammingHex(a.pdq!, upright.pdq!);
      console.log(`orientation ${orientation}: PDQ distance to the upright original ${d}`);
      expect(a.orientation).toBe(orientation);
      expect([a.width, a.height]).toEqual([upright.width, upright.height]);
      expect(d).toBeLessThanOrEqual(10);
    }
  });

  it('shows reference/exif-rotn upright: sizes as displayed, EXIF read', async () => {
    const hashes: string[] = [];
    for (const o of [1, 3, 6, 8]) {
      const a = await analyseImage(readFileSync(join(PDQ, 'reg-test-input', 'exif-rotn', `exif-rotn-${o}.jpg`)));
      expect(a.orientation).toBe(o);
      expect(a.exif).toMatchObject({ make: 'samsung', model: 'SM-G930V', orientation: o });
      expect(a.exif?.dateTimeOriginal).toMatch(/^2017:11:07 22:14:\d\d$/);
      expect(a.exif?.gps?.latitude).toBeCloseTo(38.9779, 3);
      expect(a.exif?.gps?.longitude).toBeCloseTo(-77.0232, 3);
      // Stored 4032x3024 each; tags 6 and 8 turn the picture a quarter.
      expect([a.width, a.height]).toEqual(o >= 5 ? [3024, 4032] : [4032, 3024]);
      expect([a.thumbnail!.width, a.thumbnail!.height]).toEqual(o >= 5 ? [192, 256] : [256, 192]);
      hashes.push(a.pdq!);
    }
    // The four files are four different shots (taken seconds apart, framed differently), not one
    // photo under four tags, so their PDQs are not expected to match; printed for the record.
    console.log(`exif-rotn PDQ distances 1-3 ${hammingHex(hashes[0]!, hashes[1]!)}, 1-6 ${hammingHex(hashes[0]!, hashes[2]!)}, 1-8 ${hammingHex(hashes[0]!, hashes[3]!)}`);
  });
});

describe('decoding once, whole, for large JPEGs', () => {
  it('hashes a 12-megapixel photo exactly as the reference reading of the full decode', async () => {
    for (const o of [1, 3]) {
      const bytes = readFileSync(join(PDQ, 'reg-test-input', 'exif-rotn', `exif-rotn-${o}.jpg`));
      const full = await sharp(bytes, { autoOrient: true, ignoreIcc: true }).raw().toBuffer({ resolveWithObject: true });
      const exact = pdqFromPixels({ data: full.data, width: full.info.width, height: full.info.height, channels: full.info.channels }, full.info.width, full.info.height);
      const a = await analyseImage(bytes);
      const d = hammingHex(a.pdq!, exact.hash);
      console.log(`exif-rotn-${o}: PDQ of the intake decode vs the full decode: ${d} bits`);
      expect(d).toBe(0);
    }
  });
});

describe('colour modes', () => {
  it('hashes every mode in misc-images/modes (1-bit, L, LA, P, PA, RGB, RGBA, CMYK, YCbCr, float, int, LAB, HSV) or fails with a clear error', async () => {
    const dir = join(PDQ, 'misc-images', 'modes');
    const original = await analyseImage(readFileSync(ORIGINAL));
    for (const f of readdirSync(dir).filter((n) => !n.endsWith('.md'))) {
      const a = await analyseImage(readFileSync(join(dir, f)));
      if (a.decodeError) {
        console.log(`${f}: not hashed: ${a.decodeError}`);
        expect(a.decodeError).toMatch(/\w/);
        expect(a.pdq).toBeNull();
        continue;
      }
      const d = hammingHex(a.pdq!, original.pdq!);
      console.log(`${f}: PDQ quality ${a.pdqQuality}, distance to original.jpg ${d}`);
      expect([a.width, a.height]).toEqual([1600, 1004]);
      expect(d).toBeLessThanOrEqual(PDQ_MATCH_DISTANCE);
    }
  });

  it('hashes 16-bit RGB and 16-bit grey PNGs like their 8-bit source', async () => {
    const original = await analyseImage(readFileSync(ORIGINAL));
    for (const space of ['rgb16', 'grey16'] as const) {
      const png = await sharp(ORIGINAL).toColourspace(space).png().toBuffer();
      expect((await sharp(png).metadata()).depth).toBe('ushort');
      const a = await analyseImage(png);
      const d = hammingHex(a.pdq!, original.pdq!);
      console.log(`${space} PNG: PDQ distance to original.jpg ${d}`);
      expect(d).toBeLessThanOrEqual(10);
    }
  });
});

describe('bad input', () => {
  it('records a truncated or corrupt JPEG with the decoder message instead of throwing', async () => {
    const jpeg = readFileSync(ORIGINAL);
    const truncated = await analyseImage(jpeg.subarray(0, 20_000));
    expect(truncated.decodeError).toMatch(/premature end|truncated|corrupt/i);
    expect(truncated.pdq).toBeNull();
    expect(truncated.blockhash).toBeNull();
    expect(truncated.thumbnail).toBeNull();
    expect(truncated.pdqUsable).toBe(false);

    const text = await analyseImage(Buffer.from('this is not a picture'));
    expect(text.decodeError).toMatch(/unsupported image format/);
    expect(text.exif).toBeNull();
  });

  it('refuses vector formats the decoder could render', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    expect((await analyseImage(svg)).decodeError).toBe('unsupported image format (svg)');
  });
});

describe('thumbnails', () => {
  it('makes a JPEG of at most 256 pixels a side, never enlarging a small picture', async () => {
    const big = await analyseImage(readFileSync(ORIGINAL));
    expect([big.thumbnail!.width, big.thumbnail!.height]).toEqual([256, 161]);
    expect((await sharp(big.thumbnail!.jpeg).metadata()).format).toBe('jpeg');
    const wee = await analyseImage(readFileSync(join(PDQ, 'misc-images', 'wee.jpg')));
    expect([wee.thumbnail!.width, wee.thumbnail!.height]).toEqual([34, 42]);
  });
});
