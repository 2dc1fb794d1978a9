import { KestrelError } from '../util/result.js';

const NIBBLE_BITS = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];
const HEX = /^[0-9a-fA-F]*$/;

/** Number of differing bits between two hex hashes of the same length (PDQ, blockhash). */
export function hammingHex(a: string, b: string): number {
  if (a.length !== b.length) throw new KestrelError(`cannot compare hashes of different lengths (${a.length} and ${b.length} hex digits)`);
  if (!HEX.test(a) || !HEX.test(b)) throw new KestrelError(`not a hex hash: ${HEX.test(a) ? b : a}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d += NIBBLE_BITS[parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16)]!;
  return d;
}
