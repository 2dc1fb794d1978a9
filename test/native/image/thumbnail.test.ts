import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { REFERENCE } from '../../helpers/cli.js';
import { makeThumbnail } from '../../../native/image/thumbnail.js';
import type { Pixels } from '../../../native/hashing/pixels.js';

const PHOTO = join(REFERENCE, 'pdq', 'reg-test-input', 'exif-rotn', 'exif-rotn-1.jpg');

async function rgba(width: number, height: number): Promise<Pixels> {
  const { data, info } = await sharp(readFileSync(PHOTO)).resize(width, height, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
}

async function rgbOf(jpeg: Uint8Array): Promise<Buffer> {
  return sharp(jpeg).removeAlpha().raw().toBuffer();
}

describe('makeThumbnail', () => {
  it('lays transparent pixels on white', async () => {
    for (const [width, height] of [[1024, 576], [700, 500]] as const) {
      const pixels = await rgba(width, height);
      for (let p = 3; p < pixels.data.length; p += 4) pixels.data[p] = 0;
      const thumb = await makeThumbnail(pixels);
      expect(Math.max(thumb.width, thumb.height)).toBe(256);
      const rgb = await rgbOf(thumb.jpeg);
      expect(rgb.reduce((m, v) => Math.min(m, v), 255)).toBeGreaterThanOrEqual(250);
    }
  });
});
