import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { REFERENCE } from '../../helpers/cli.js';
import { workingCopy } from '../../../native/image/workingCopy.js';
import type { Pixels } from '../../../native/hashing/pixels.js';

const PHOTO = join(REFERENCE, 'pdq', 'reg-test-input', 'exif-rotn', 'exif-rotn-1.jpg');

async function photo(width: number, height: number, alpha: boolean): Promise<Pixels> {
  let s = sharp(readFileSync(PHOTO)).resize(width, height, { fit: 'fill' });
  if (alpha) s = s.ensureAlpha();
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
}

/** The pixel of the original that each pixel of the copy should be: the centre of its cell, rounded down. */
function expectNearest(full: Pixels, copy: Pixels): void {
  const { channels } = full;
  for (let y = 0; y < copy.height; y++) {
    const sy = Math.floor(((y + 0.5) * full.height) / copy.height);
    for (let x = 0; x < copy.width; x++) {
      const sx = Math.floor(((x + 0.5) * full.width) / copy.width);
      for (let c = 0; c < channels; c++) {
        const want = full.data[(sy * full.width + sx) * channels + c];
        const got = copy.data[(y * copy.width + x) * channels + c];
        if (got !== want) throw new Error(`pixel ${x},${y} channel ${c}: ${got} instead of ${want}`);
      }
    }
  }
}

describe('workingCopy', () => {
  it('picks the nearest pixel of an RGB photo and of an RGBA one the same way, sides multiples of 16', async () => {
    for (const alpha of [false, true]) {
      const full = await photo(2400, 1800, alpha);
      const copy = workingCopy(full);
      expect(copy.channels).toBe(alpha ? 4 : 3);
      expect([copy.width, copy.height]).toEqual([768, 576]);
      expectNearest(full, copy);
    }
  });

  it('returns a picture under twice the working size as it is', async () => {
    const full = await photo(1000, 1100, false);
    expect(workingCopy(full)).toBe(full);
  });
});
