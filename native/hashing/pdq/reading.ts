import { LUMA_COEFFICIENTS, pdqFromLuma, type PdqResult } from './pdq.js';
import type { Pixels } from '../pixels.js';
import { orientationOf, storedColumn, storedRow, transposes, uprightSize } from '../orientation.js';

/** Each channel's share of the luma for every 8-bit value: the float32 product the reference computes. */
const shareTable = (k: number) => Float32Array.from({ length: 256 }, (_, v) => Math.fround(k * v));
const RED = shareTable(LUMA_COEFFICIENTS[0]);
const GREEN = shareTable(LUMA_COEFFICIENTS[1]);
const BLUE = shareTable(LUMA_COEFFICIENTS[2]);
/** The luma image, kept between calls (pdqFromLuma overwrites it anyway) so that a worker allocates it once. */
let luma = new Float32Array(0);

/**
 * The C++ reference resizes any image larger than this on either side to exactly this square
 * (nearest neighbour, aspect ratio not kept) before hashing. Following it is what makes our hashes
 * conformant: hashing the full-resolution image lands several bits away on ordinary photos.
 */
export const PDQ_READ_DIM = 512;

/**
 * PDQ of an image as the reference reads it. `pixels` may be a reduced copy of an image whose
 * decoded size is `fullWidth` x `fullHeight` (a JPEG decoded with shrink-on-load): the 512 x 512
 * samples are taken at the reference's positions in the full image, each read from the reduced
 * pixel that covers it (decodeImage gives the full picture, so for intake reduced === full and the
 * samples are the reference's own).
 *
 * Alpha is dropped: the colour values are hashed as stored, whatever their transparency. That is
 * what every other producer of the hashes on a list does with a transparent picture: the
 * reference reads non-PNG files through ImageMagick, which drops alpha, and python pdqhash's
 * callers (PIL .convert('RGB'), cv2.imread) drop it too. Measured (test pdqConformance): dropping
 * alpha gives the reference's hash bit for bit on every transparent picture tried, at every size;
 * compositing over white lands 54-128 bits away whenever transparent pixels hold colour. A
 * picture drawn only in alpha is therefore flat (quality 0) at every size, as it is for them.
 */
export function pdqFromPixels(pixels: Pixels, fullWidth: number, fullHeight: number): PdqResult {
  return pdqOfRegion(pixels, fullWidth, fullHeight, { left: 0, top: 0, width: fullWidth, height: fullHeight });
}

/** A rectangle of the full picture, in full-picture pixels. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * PDQ of a rectangle of the picture as the reference would hash that rectangle cut out as a file of
 * its own: its samples are taken at the reference's positions within the rectangle.
 */
export function pdqOfRegion(pixels: Pixels, fullWidth: number, fullHeight: number, region: Region): PdqResult {
  return pdqOfRegions(pixels, fullWidth, fullHeight, [region])[0]!;
}

/**
 * One stored pixel row's part in a region's samples: a row of the sample grid (a column of it when
 * the orientation transposes the picture), read at byte offsets along that stored row.
 */
interface Line {
  storedRow: number;
  /** Byte offset within the stored row of each sample along the line. */
  offsets: Int32Array;
  luma: Float32Array;
  /** Where the line's first sample goes in `luma`, and how far apart its samples are. */
  at: number;
  stride: number;
}

/**
 * Sample grids kept between calls, one per region of a call: a worker hashes picture after picture
 * with the same crop set, so they are allocated once (about 1 MB each at 512 x 512) instead of
 * per picture.
 */
const grids: Float32Array[] = [];

function gridBuffer(index: number, size: number): Float32Array {
  if ((grids[index]?.length ?? 0) < size) grids[index] = new Float32Array(size);
  return grids[index]!;
}

/**
 * PDQ of each rectangle (in pixels of the upright picture), as pdqOfRegion gives it, with the
 * samples of all of them taken in a single pass down the stored pixels: every stored row is read
 * once, while it is in the cache, for every region that samples it. Taking them region by region
 * read the whole 36 MB of a 12 MP picture once per region (20 times for the crop set). Pixels
 * still to be turned upright (`pixels.orientation`) are read where the upright picture has each
 * sample (native/hashing/orientation.ts), so they need not be turned first. Each region's samples,
 * and so its hash, are exactly those it has on its own in the upright picture.
 */
export function pdqOfRegions(pixels: Pixels, fullWidth: number, fullHeight: number, regions: readonly Region[]): PdqResult[] {
  const o = orientationOf(pixels);
  const transposed = transposes(o);
  const upright = uprightSize(pixels);
  const { channels } = pixels;
  const lines: Line[] = [];
  const sampled = regions.map((region, index) => {
    // Samples outside the picture read as undefined and would give a NaN quality, not an error.
    if (region.left < 0 || region.top < 0 || region.width < 1 || region.height < 1
      || region.left + region.width > fullWidth || region.top + region.height > fullHeight) {
      throw new RangeError(`PDQ region ${region.width}x${region.height} at ${region.left},${region.top} lies outside the ${fullWidth}x${fullHeight} picture`);
    }
    const resize = region.width > PDQ_READ_DIM || region.height > PDQ_READ_DIM;
    const cols = resize ? PDQ_READ_DIM : region.width;
    const rows = resize ? PDQ_READ_DIM : region.height;
    const us = samplePositions(cols, region.left, region.width, fullWidth, upright.width);
    const vs = samplePositions(rows, region.top, region.height, fullHeight, upright.height);
    const luma = gridBuffer(index, rows * cols);
    // Upright, a grid row is a stored row; transposed, a grid column is.
    const [across, along] = transposed ? [us, vs] : [vs, us];
    const offsets = along.map((a) => storedColumn(o, pixels.width, a) * channels);
    across.forEach((b, k) => {
      lines.push({ storedRow: storedRow(o, pixels.height, b), offsets, luma, at: transposed ? k : k * cols, stride: transposed ? cols : 1 });
    });
    return { rows, cols, luma };
  });
  lines.sort((a, b) => a.storedRow - b.storedRow);
  for (const line of lines) sampleLine(pixels, line);
  return sampled.map((grid) => pdqFromLuma(grid.luma, grid.rows, grid.cols));
}

/** Luma of the samples of one line, from its stored row. */
function sampleLine(pixels: Pixels, line: Line): void {
  const { data, width, channels } = pixels;
  const { offsets, luma, stride } = line;
  const rowStart = line.storedRow * width * channels;
  const n = offsets.length;
  let at = line.at;
  if (channels >= 3) {
    for (let i = 0; i < n; i++, at += stride) luma[at] = lumaOf(data, rowStart + offsets[i]!);
  } else {
    for (let i = 0; i < n; i++, at += stride) luma[at] = data[rowStart + offsets[i]!]!;
  }
}

/**
 * PDQ of the picture turned by `degrees` about its centre (counter-clockwise, as it would be
 * displayed), keeping the frame: each of the 512 x 512 samples is read, nearest neighbour, from the
 * pixel it lands on; samples that fall outside the picture take the nearest edge pixel. Used for
 * rotation-tolerant extra hashes of material the lab holds, never as the plain PDQ.
 */
export function pdqRotated(pixels: Pixels, degrees: number): PdqResult {
  if (orientationOf(pixels) !== 1) throw new RangeError('pdqRotated reads upright pixels only');
  const { data, width, height, channels } = pixels;
  const n = PDQ_READ_DIM;
  if (luma.length < n * n) luma = new Float32Array(n * n);
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const cx = width / 2;
  const cy = height / 2;
  for (let y = 0; y < n; y++) {
    const dy = ((y + 0.5) * height) / n - cy;
    for (let x = 0; x < n; x++) {
      const dx = ((x + 0.5) * width) / n - cx;
      const sx = Math.min(width - 1, Math.max(0, Math.floor(cx + dx * cos - dy * sin)));
      const sy = Math.min(height - 1, Math.max(0, Math.floor(cy + dx * sin + dy * cos)));
      const p = (sy * width + sx) * channels;
      luma[y * n + x] = channels >= 3 ? lumaOf(data, p) : data[p]!;
    }
  }
  return pdqFromLuma(luma, n, n);
}

function lumaOf(data: Uint8Array, p: number): number {
  return Math.fround(Math.fround(RED[data[p]!]! + GREEN[data[p + 1]!]!) + BLUE[data[p + 2]!]!);
}

/**
 * For each of `count` output samples along the span [start, start + length) of an axis of `full`
 * pixels, the index into a copy of that axis reduced to `reduced` pixels. CImg's nearest-neighbour
 * resize takes pixel floor(x * length / count) of what it resizes (top-left, not centred, sampling).
 */
function samplePositions(count: number, start: number, length: number, full: number, reduced: number): Int32Array {
  const out = new Int32Array(count);
  for (let x = 0; x < count; x++) {
    const source = start + Math.floor((x * length) / count);
    out[x] = reduced === full ? source : Math.min(reduced - 1, Math.floor(((source + 0.5) * reduced) / full));
  }
  return out;
}
