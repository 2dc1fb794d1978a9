import { bmvbhash } from 'blockhash-core';
import type { Pixels } from './pixels.js';

export const BLOCKHASH_ALGORITHM = { name: 'blockhash', method: 'bmvbhash', bits: 16, library: 'blockhash-core@0.1.0' } as const;

/**
 * The 256-bit blockhash (precise method, 16x16 blocks) of decoded pixels. blockhash-core reads
 * every pixel as 4 bytes RGBA, so anything with fewer channels is expanded first: handing it RGB
 * bytes gives a hash that looks plausible and is wrong.
 */
export function blockhash(pixels: Pixels): string {
  return bmvbhash({ width: pixels.width, height: pixels.height, data: toRgba(pixels) }, BLOCKHASH_ALGORITHM.bits);
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
