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
  it('shrinks a large photo\'s reduced decode (768x576, a whole factor) to what a general resize of it shows', async () => {
    const pixels = await rgba(768, 576);
    const thumb = await makeThumbnail(pixels);
    expect([thumb.width, thumb.height]).toEqual([256, 192]);
    const resized = await sharp(pixels.data, { raw: { width: 768, height: 576, channels: 4 } })
      .resize(256, 192, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    const ours = await rgbOf(thumb.jpeg);
    let diff = 0;
    for (let i = 0; i < ours.length; i++) diff += Math.abs(ours[i]! - resized[i]!);
    const mean = diff / ours.length;
    console.log(`thumbnail 768x576 -> 256x192: mean difference to sharp's resize ${mean.toFixed(2)} levels`);
    expect(mean).toBeLessThan(4);
  });

  it('lays transparent pixels on white on the whole-factor path and on the general one', async () => {
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
