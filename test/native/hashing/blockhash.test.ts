import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { REFERENCE } from '../../helpers/cli.js';
import { analyseImage } from '../../../native/image/analyse.js';
import { bmvbhash } from 'blockhash-core';
import { blockhash } from '../../../native/hashing/blockhash.js';
import { hammingHex } from '../../../native/hashing/hamming.js';

const DIR = join(REFERENCE, 'blockhash');

describe('blockhash (bmvbhash, 16 bits a side) against the reference project', () => {
  const expected = readFileSync(join(DIR, 'exact-hashes.txt'), 'utf8').trim().split('\n').map((l) => {
    const [hash, file] = l.trim().split(/\s+/) as [string, string];
    return { hash, file };
  });

  it('equals the reference on PNGs and is within a few bits on JPEGs (another JPEG decoder)', async () => {
    expect(expected.length).toBe(17);
    for (const { hash, file } of expected) {
      const a = await analyseImage(readFileSync(join(DIR, file)));
      expect(a.decodeError, file).toBeNull();
      const d = hammingHex(a.blockhash!, hash);
      console.log(`blockhash ${file}: distance to reference ${d}`);
      if (file.endsWith('.png')) expect(d, file).toBe(0);
      else expect(d, file).toBeLessThanOrEqual(6);
    }
  });

  it('gives the same hash from RGB, grey and RGBA pixels of the same picture', async () => {
    const file = join(DIR, 'clipper_ship.jpg');
    const rgba = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const rgb = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const asPixels = (r: typeof rgb) => ({ data: new Uint8Array(r.data), width: r.info.width, height: r.info.height, channels: r.info.channels });
    expect(rgb.info.channels).toBe(3);
    expect(blockhash(asPixels(rgb))).toBe(blockhash(asPixels(rgba)));
    const grey = new Uint8Array([0, 40, 200, 255]);
    const greyAsRgba = new Uint8Array([0, 0, 0, 255, 40, 40, 40, 255, 200, 200, 200, 255, 255, 255, 255, 255]);
    expect(blockhash({ data: grey, width: 2, height: 2, channels: 1 })).toBe(blockhash({ data: greyAsRgba, width: 2, height: 2, channels: 4 }));
  });

  it('gives blockhash-core\'s own hash on sides that divide into whole blocks, from RGB or RGBA, with transparent pixels and flat pictures', async () => {
    const cases: Array<{ data: Uint8Array; width: number; height: number; channels: number }> = [];
    for (const file of ['clipper_ship.jpg', 'emptyBasket.png', 'Babylonian.png']) {
      for (const [width, height] of [[768, 576], [320, 160], [64, 48]] as const) {
        for (const alpha of [true, false]) {
          const s = sharp(join(DIR, file)).resize(width, height, { fit: 'fill' });
          const { data, info } = await (alpha ? s.ensureAlpha() : s.removeAlpha()).raw().toBuffer({ resolveWithObject: true });
          if (alpha) for (let p = 3; p < data.length; p += 4 * 7) data[p] = 0;
          cases.push({ data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels });
        }
      }
    }
    for (const v of [0, 128, 255]) cases.push({ data: new Uint8Array(64 * 64 * 4).fill(v), width: 64, height: 64, channels: 4 });
    for (const c of cases) {
      const rgba = c.channels === 4 ? c.data : Uint8Array.from({ length: c.width * c.height * 4 }, (_, i) => (i % 4 === 3 ? 255 : c.data[Math.floor(i / 4) * 3 + (i % 4)]!));
      expect(blockhash(c), `${c.width}x${c.height}x${c.channels}`).toBe(bmvbhash({ width: c.width, height: c.height, data: rgba }, 16));
    }
  });
});
