import { bmvbhash } from 'blockhash-core';
import type { Pixels } from './pixels.js';

export const BLOCKHASH_ALGORITHM = { name: 'blockhash', method: 'bmvbhash', bits: 16, library: 'blockhash-core@0.1.0' } as const;

const BITS = BLOCKHASH_ALGORITHM.bits;

/**
 * The 256-bit blockhash (precise method, 16x16 blocks) of decoded pixels. blockhash-core reads
 * every pixel as 4 bytes RGBA, so anything with fewer channels is expanded first: handing it RGB
 * bytes gives a hash that looks plausible and is wrong.
 */
export function blockhash(pixels: Pixels): string {
  if (pixels.channels >= 3 && pixels.width % BITS === 0 && pixels.height % BITS === 0) return evenBlocks(pixels);
  return bmvbhash({ width: pixels.width, height: pixels.height, data: toRgba(pixels) }, BITS);
}

/**
 * blockhash-core's own path for sides that divide into whole blocks (every working copy of a
 * large picture does), computed the same way: the same integer block totals (r+g+b, a fully
 * transparent pixel counting as white) and the same median rule, so the same bits. It reads RGB
 * or RGBA as they are and walks memory in order, instead of expanding RGB to RGBA first and
 * visiting each block in turn (measured 1.2 -> 0.4 ms on a 768x576 picture).
 */
function evenBlocks({ data, width, height, channels }: Pixels): string {
  const blockWidth = width / BITS;
  const blockHeight = height / BITS;
  const totals = new Array<number>(BITS * BITS).fill(0);
  const alpha = channels === 4;
  for (let y = 0; y < height; y++) {
    const rowOfBlocks = Math.floor(y / blockHeight) * BITS;
    let p = y * width * channels;
    for (let bx = 0; bx < BITS; bx++) {
      let total = 0;
      const end = p + blockWidth * channels;
      if (alpha) {
        for (; p < end; p += 4) total += data[p + 3] === 0 ? 765 : data[p]! + data[p + 1]! + data[p + 2]!;
      } else {
        for (; p < end; p += 3) total += data[p]! + data[p + 1]! + data[p + 2]!;
      }
      totals[rowOfBlocks + bx] = totals[rowOfBlocks + bx]! + total;
    }
  }
  return blocksToHex(totals, blockWidth * blockHeight);
}

/**
 * blockhash-core's translateBlocksToBits and bitsToHexhash: per horizontal band of blocks, a 1
 * for a block brighter than the band's median; a block equal to the median counts as brighter
 * when the median is in the upper half of the value range (so flat pictures do not hash to all
 * zeros). Four bits to a hex digit, first bit most significant.
 */
function blocksToHex(totals: number[], pixelsPerBlock: number): string {
  const halfBlockValue = (pixelsPerBlock * 256 * 3) / 2;
  const bandSize = totals.length / 4;
  const bits: number[] = [];
  for (let band = 0; band < 4; band++) {
    const values = totals.slice(band * bandSize, (band + 1) * bandSize);
    const sorted = [...values].sort((a, b) => a - b);
    const median = (sorted[bandSize / 2 - 1]! + sorted[bandSize / 2]!) / 2;
    for (const v of values) bits.push(v > median || (Math.abs(v - median) < 1 && median > halfBlockValue) ? 1 : 0);
  }
  let hex = '';
  for (let i = 0; i < bits.length; i += 4) hex += ((bits[i]! << 3) | (bits[i + 1]! << 2) | (bits[i + 2]! << 1) | bits[i + 3]!).toString(16);
  return hex;
}

function toRgba({ data, width, height, channels }: Pixels): Uint8Array {
  if (channels === 4) return data;
  const n = width * height;
  const out = new Uint8Array(n * 4);
  for (let i = 0, p = 0, q = 0; i < n; i++, p += channels, q += 4) {
    if (channels >= 3) {
      out[q] = data[p]!;
      out[q + 1] = data[p + 1]!;
      out[q + 2] = data[p + 2]!;
    } else {
      out[q] = out[q + 1] = out[q + 2] = data[p]!;
    }
    out[q + 3] = channels === 2 ? data[p + 1]! : 255;
  }
  return out;
}
