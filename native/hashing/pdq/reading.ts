import { LUMA_COEFFICIENTS, pdqFromLuma, type PdqResult } from './pdq.js';
import type { Pixels } from '../pixels.js';

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

/** One region's luma samples: which pixel rows and columns it reads, and where it keeps them. */
interface Grid {
  rows: number;
  cols: number;
  /** Byte offset within a pixel row of each sample column. */
  offsets: Int32Array;
  ys: Int32Array;
  luma: Float32Array;
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
 * PDQ of each rectangle, as pdqOfRegion gives it, with the samples of all of them taken in a single
 * pass down the picture: every pixel row is read once, while it is in the cache, for every region
 * that samples it. Taking them region by region read the whole 36 MB of a 12 MP picture from
 * memory once per region (20 times for the crop set), and that, not the arithmetic, was the
 * larger cost of the extra hashes. Each region's samples, and so its hash, are exactly those it
 * has on its own.
 */
export function pdqOfRegions(pixels: Pixels, fullWidth: number, fullHeight: number, regions: readonly Region[]): PdqResult[] {
  const sampled: Grid[] = regions.map((region, index) => {
    // Samples outside the picture read as undefined and would give a NaN quality, not an error.
    if (region.left < 0 || region.top < 0 || region.width < 1 || region.height < 1
      || region.left + region.width > fullWidth || region.top + region.height > fullHeight) {
      throw new RangeError(`PDQ region ${region.width}x${region.height} at ${region.left},${region.top} lies outside the ${fullWidth}x${fullHeight} picture`);
    }
    const resize = region.width > PDQ_READ_DIM || region.height > PDQ_READ_DIM;
    const cols = resize ? PDQ_READ_DIM : region.width;
    const rows = resize ? PDQ_READ_DIM : region.height;
    return {
      rows,
      cols,
      offsets: samplePositions(cols, region.left, region.width, fullWidth, pixels.width).map((x) => x * pixels.channels),
      ys: samplePositions(rows, region.top, region.height, fullHeight, pixels.height),
      luma: gridBuffer(index, rows * cols),
    };
  });
  const next = new Int32Array(sampled.length);
  for (let y = 0; y < pixels.height; y++) {
    for (let g = 0; g < sampled.length; g++) {
      const grid = sampled[g]!;
      // Sample rows ascend, and a reduced picture may give two samples the same pixel row.
      while (next[g]! < grid.rows && grid.ys[next[g]!] === y) {
        sampleRow(pixels, y, grid.offsets, grid.luma, next[g]! * grid.cols);
        next[g]! += 1;
      }
    }
  }
  return sampled.map((grid) => pdqFromLuma(grid.luma, grid.rows, grid.cols));
}

/** Luma of the pixels at byte offsets `offsets` within pixel row `y`, into out[at...]. */
function sampleRow(pixels: Pixels, y: number, offsets: Int32Array, out: Float32Array, at: number): void {
  const { data, width, channels } = pixels;
  const rowStart = y * width * channels;
  const cols = offsets.length;
  if (channels >= 3) {
    for (let x = 0; x < cols; x++) out[at + x] = lumaOf(data, rowStart + offsets[x]!);
  } else {
    for (let x = 0; x < cols; x++) out[at + x] = data[rowStart + offsets[x]!]!;
  }
}

/**
 * PDQ of the picture turned by `degrees` about its centre (counter-clockwise, as it would be
 * displayed), keeping the frame: each of the 512 x 512 samples is read, nearest neighbour, from the
 * pixel it lands on; samples that fall outside the picture take the nearest edge pixel. Used for
 * rotation-tolerant extra hashes of material the lab holds, never as the plain PDQ.
 */
export function pdqRotated(pixels: Pixels, degrees: number): PdqResult {
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
