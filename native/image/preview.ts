import sharp from 'sharp';
import type { Pixels } from '../hashing/pixels.js';
import { orientationOf, uprightSize } from '../hashing/orientation.js';
import { nearestCopy } from './workingCopy.js';

/**
 * The viewer's stand-in for an original that is no longer reachable (the evidence drive returned,
 * an image unmounted): the picture as decoded at intake, upright, at most 2048 px on its long
 * side. Large enough to judge a picture on a workstation screen, small enough that a case of a
 * million photos does not double its disk (bench/previews.ts measures the cost).
 *
 * Made on every picture of an intake, so its cost counts: a linear reduction and Huffman tables
 * left at their defaults take 54 ms of CPU for a 12 MP photo where lanczos3 with optimised tables
 * took 102 ms (the biggest single cost after the decode), and the files come out no larger
 * (252 KB against 262 KB: the linear reduction is a little softer).
 */
export const PREVIEW = { maxSide: 2048, format: 'jpeg', quality: 82, kernel: 'linear', optimiseCoding: false } as const;

export interface Preview {
  jpeg: Uint8Array;
  width: number;
  height: number;
}

/**
 * From the pixels already decoded, whole, for the hashes (no second decode); a linear
 * reduction (not the working copy's nearest neighbour: this one is for the examiner's eyes).
 * Transparency laid on white, never enlarged.
 */
export async function makePreview(pixels: Pixels): Promise<Preview> {
  const raw = (p: Pixels) => sharp(p.data, { raw: { width: p.width, height: p.height, channels: p.channels as 1 | 2 | 3 | 4 } });
  let pipeline = raw(pixels).resize(PREVIEW.maxSide, PREVIEW.maxSide, { fit: 'inside', withoutEnlargement: true, kernel: PREVIEW.kernel });
  if (orientationOf(pixels) !== 1) {
    // Reduced as stored (the square bound fits either way round), then turned upright pixel for
    // pixel: turning the whole picture first would cost what its decode costs.
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    const reduced: Pixels = { data, width: info.width, height: info.height, channels: info.channels, orientation: pixels.orientation };
    pipeline = raw(nearestCopy(reduced, uprightSize(reduced)));
  }
  const { data, info } = await pipeline
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: PREVIEW.quality, optimiseCoding: PREVIEW.optimiseCoding })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}
