import sharp from 'sharp';
import type { Pixels } from '../hashing/pixels.js';

export const THUMBNAIL = { maxSide: 256, format: 'jpeg', quality: 80 } as const;

export interface Thumbnail {
  jpeg: Uint8Array;
  width: number;
  height: number;
}

/**
 * A thumbnail from already-decoded pixels (no second decode of the file). Transparency is laid
 * on white, as image viewers show it; images smaller than the thumbnail are not enlarged.
 */
export async function makeThumbnail(pixels: Pixels): Promise<Thumbnail> {
  const factor = wholeFactor(pixels);
  const pipeline = factor
    ? boxReduced(pixels, factor)
    : sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels as 1 | 2 | 3 | 4 } })
      .resize(THUMBNAIL.maxSide, THUMBNAIL.maxSide, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' });
  const { data, info } = await pipeline.jpeg({ quality: THUMBNAIL.quality }).toBuffer({ resolveWithObject: true });
  return { jpeg: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/**
 * The whole number by which RGBA pixels shrink exactly to the thumbnail size, or null. That is the
 * usual case: a large photo's reduced decode (768x576, 576x768, 1024x576) divides by 3 or 4.
 */
function wholeFactor({ width, height, channels }: Pixels): number | null {
  const factor = Math.max(width, height) / THUMBNAIL.maxSide;
  return channels === 4 && Number.isInteger(factor) && factor >= 2 && width % factor === 0 && height % factor === 0 ? factor : null;
}

/**
 * Each factor x factor block averaged into one pixel (a box filter: what libvips's own integer
 * shrink does), laid on white, in one pass here; sharp then only encodes. Measured on 12-MP
 * photos' 768x576 decodes: 4.7 -> 3.7 ms CPU for the whole thumbnail against sharp's lanczos
 * resize, which looks the same at this size (about 2 levels apart on average).
 */
function boxReduced({ data, width, height }: Pixels, factor: number): ReturnType<typeof sharp> {
  const w = width / factor;
  const h = height / factor;
  const out = new Uint8Array(w * h * 3);
  const sums = new Float64Array(w * 3);
  const n = factor * factor;
  for (let y = 0; y < h; y++) {
    sums.fill(0);
    for (let row = y * factor; row < (y + 1) * factor; row++) {
      let p = row * width * 4;
      for (let x = 0; x < w; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let k = 0; k < factor; k++, p += 4) {
          const a = data[p + 3]!;
          if (a === 255) {
            r += data[p]!;
            g += data[p + 1]!;
            b += data[p + 2]!;
          } else {
            // Laid on white: the colour weighted by its opacity, white by the rest.
            const white = 255 - a;
            r += (data[p]! * a) / 255 + white;
            g += (data[p + 1]! * a) / 255 + white;
            b += (data[p + 2]! * a) / 255 + white;
          }
        }
        const s = x * 3;
        sums[s] = sums[s]! + r;
        sums[s + 1] = sums[s + 1]! + g;
        sums[s + 2] = sums[s + 2]! + b;
      }
    }
    const o = y * w * 3;
    for (let i = 0; i < w * 3; i++) out[o + i] = Math.round(sums[i]! / n);
  }
  return sharp(out, { raw: { width: w, height: h, channels: 3 } });
}
