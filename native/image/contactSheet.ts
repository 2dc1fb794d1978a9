import sharp from 'sharp';
import type { Pixels } from '../hashing/pixels.js';

export const CONTACT_SHEET = { columns: 4, maxTiles: 16, format: 'jpeg', quality: 80 } as const;

/**
 * Lays equally sized RGB tiles out in rows of four on black and encodes the sheet as JPEG: a video's
 * keyframes at a glance, in the place thumbnails live, veiled by the review UI like them.
 */
export async function composeContactSheet(tiles: readonly Pixels[]): Promise<{ jpeg: Uint8Array; width: number; height: number }> {
  const first = tiles[0];
  if (!first) throw new Error('a contact sheet needs at least one frame');
  const columns = Math.min(CONTACT_SHEET.columns, tiles.length);
  const rows = Math.ceil(tiles.length / columns);
  const width = columns * first.width;
  const height = rows * first.height;
  const { data } = await sharp({ create: { width, height, channels: 3, background: '#000000' } })
    .composite(tiles.map((t, i) => ({
      input: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      raw: { width: t.width, height: t.height, channels: t.channels as 3 },
      left: (i % columns) * first.width,
      top: Math.floor(i / columns) * first.height,
    })))
    .jpeg({ quality: CONTACT_SHEET.quality })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
}
