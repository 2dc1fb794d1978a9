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
  const { data, info } = await sharp(pixels.data, {
    raw: { width: pixels.width, height: pixels.height, channels: pixels.channels as 1 | 2 | 3 | 4 },
  })
    .resize(THUMBNAIL.maxSide, THUMBNAIL.maxSide, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: THUMBNAIL.quality })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}
