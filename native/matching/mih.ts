import { createKernel, type HammingKernel } from './hammingKernel.js';

/**
 * Exact radius search over 256-bit hashes (PDQ, blockhash) by multi-index hashing.
 *
 * The hash is cut into 16 chunks of 16 bits. Two hashes within r bits differ by at most
 * floor(r / 16) bits in at least one chunk (pigeonhole), so every true pair is found by looking,
 * chunk by chunk, only at list entries whose chunk is within that chunk radius of the query's.
 * For r = 31 that is 17 of the 65536 buckets per chunk. Instead of probing buckets query by query
 * (a cache miss per probe), both sides are counting-sorted by the chunk value and each list bucket
 * is compared, in cache, with the query buckets next to it, by the WebAssembly kernel.
 * A pair found through several chunks is kept only from the first chunk that finds it, so every
 * pair is reported once and the answer is exactly the brute-force answer.
 */

export const HASH_BYTES = 32;
const CHUNKS = 16;
const BUCKETS = 65536;
/** Largest threshold served (chunk radius 2); PDQ's is 31, blockhash's far lower. */
export const MAX_RADIUS = 47;

export interface RangeJob {
  /** n list hashes of 32 bytes. */
  list: Uint8Array;
  /** m query hashes of 32 bytes. */
  queries: Uint8Array;
  radius: number;
  /** This job covers list buckets [lo, hi) of every chunk, so jobs split the work without overlap. */
  lo: number;
  hi: number;
}

export interface PairList {
  query: Uint32Array;
  list: Uint32Array;
  distance: Uint8Array;
  count: number;
}

function chunkRadius(radius: number): number {
  return Math.floor(radius / CHUNKS);
}

/** Every 16-bit value within `rc` bits of 0, as XOR masks (0 first). */
function neighbourMasks(rc: number): number[] {
  const masks = [0];
  if (rc >= 1) for (let a = 0; a < 16; a++) masks.push(1 << a);
  if (rc >= 2) for (let a = 0; a < 16; a++) for (let b = a + 1; b < 16; b++) masks.push((1 << a) | (1 << b));
  return masks;
}

class PairBuffer implements PairList {
  query = new Uint32Array(1024);
  list = new Uint32Array(1024);
  distance = new Uint8Array(1024);
  count = 0;

  push(q: number, l: number, d: number): void {
    if (this.count === this.query.length) {
      const grow = this.count * 2;
      const nq = new Uint32Array(grow); nq.set(this.query); this.query = nq;
      const nl = new Uint32Array(grow); nl.set(this.list); this.list = nl;
      const nd = new Uint8Array(grow); nd.set(this.distance); this.distance = nd;
    }
    this.query[this.count] = q;
    this.list[this.count] = l;
    this.distance[this.count] = d;
    this.count++;
  }

  trimmed(): PairList {
    return {
      query: this.query.slice(0, this.count),
      list: this.list.slice(0, this.count),
      distance: this.distance.slice(0, this.count),
      count: this.count,
    };
  }
}

/** Query tiles are bounded so that the kernel's output (12 bytes a pair) stays small. */
const TILE_QUERIES = 64;
const TILE_LIST = 16384;

export function searchRange(job: RangeJob, kernel: HammingKernel = createKernel()): PairList {
  const { list, queries, radius, lo, hi } = job;
  const n = list.length / HASH_BYTES;
  const m = queries.length / HASH_BYTES;
  const rc = chunkRadius(radius);
  if (rc > 2) throw new RangeError(`radius ${radius} is above the largest supported (${MAX_RADIUS})`);
  const masks = neighbourMasks(rc);
  const out = new PairBuffer();
  if (n === 0 || m === 0) return out.trimmed();

  const listIds = new Uint32Array(n);
  const queryIds = new Uint32Array(m);
  const listStart = new Uint32Array(hi - lo + 1);
  const queryStart = new Uint32Array(BUCKETS + 1);
  const listWords = new Int32Array(list.buffer, list.byteOffset, list.length / 4);
  const queryWords = new Int32Array(queries.buffer, queries.byteOffset, queries.length / 4);

  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    const byte = chunk * 2;
    // Counting sort of the list entries whose chunk falls in this job's bucket range.
    listStart.fill(0);
    let inRange = 0;
    for (let i = 0, o = byte; i < n; i++, o += HASH_BYTES) {
      const v = (list[o]! << 8) | list[o + 1]!;
      if (v >= lo && v < hi) { listStart[v - lo + 1]!++; inRange++; }
    }
    for (let b = 1; b <= hi - lo; b++) listStart[b]! += listStart[b - 1]!;
    queryStart.fill(0);
    for (let i = 0, o = byte; i < m; i++, o += HASH_BYTES) queryStart[((queries[o]! << 8) | queries[o + 1]!) + 1]!++;
    for (let b = 1; b <= BUCKETS; b++) queryStart[b]! += queryStart[b - 1]!;

    const qBase = 0;
    const hBase = m * HASH_BYTES;
    const outBase = hBase + inRange * HASH_BYTES;
    kernel.ensure(outBase + TILE_QUERIES * TILE_LIST * 12);
    const mem = new Int32Array(kernel.memory.buffer);

    const fillL = listStart.slice(0, hi - lo);
    for (let i = 0, o = byte; i < n; i++, o += HASH_BYTES) {
      const v = (list[o]! << 8) | list[o + 1]!;
      if (v < lo || v >= hi) continue;
      const slot = fillL[v - lo]!++;
      listIds[slot] = i;
      const dst = (hBase >> 2) + slot * 8;
      const src = i * 8;
      for (let w = 0; w < 8; w++) mem[dst + w] = listWords[src + w]!;
    }
    const fillQ = queryStart.slice(0, BUCKETS);
    for (let i = 0, o = byte; i < m; i++, o += HASH_BYTES) {
      const slot = fillQ[(queries[o]! << 8) | queries[o + 1]!]!++;
      queryIds[slot] = i;
      const dst = (qBase >> 2) + slot * 8;
      const src = i * 8;
      for (let w = 0; w < 8; w++) mem[dst + w] = queryWords[src + w]!;
    }

    for (let v = lo; v < hi; v++) {
      const h0 = listStart[v - lo]!;
      const h1 = listStart[v - lo + 1]!;
      if (h0 === h1) continue;
      for (const mask of masks) {
        const u = v ^ mask;
        const q0 = queryStart[u]!;
        const q1 = queryStart[u + 1]!;
        for (let qs = q0; qs < q1; qs += TILE_QUERIES) {
          const qn = Math.min(TILE_QUERIES, q1 - qs);
          for (let hs = h0; hs < h1; hs += TILE_LIST) {
            const hn = Math.min(TILE_LIST, h1 - hs);
            const found = kernel.scan(qBase + qs * HASH_BYTES, qn, hBase + hs * HASH_BYTES, hn, radius, outBase);
            if (found === 0) continue;
            const res = new Int32Array(kernel.memory.buffer, outBase, found * 3);
            for (let k = 0; k < found; k++) {
              const qi = queryIds[qs + res[k * 3]!]!;
              const li = listIds[hs + res[k * 3 + 1]!]!;
              if (foundByEarlierChunk(list, li * HASH_BYTES, queries, qi * HASH_BYTES, chunk, rc)) continue;
              out.push(qi, li, res[k * 3 + 2]!);
            }
          }
        }
      }
    }
  }
  return out.trimmed();
}

function foundByEarlierChunk(list: Uint8Array, lo: number, queries: Uint8Array, qo: number, chunk: number, rc: number): boolean {
  for (let c = 0; c < chunk; c++) {
    const x = ((list[lo + 2 * c]! ^ queries[qo + 2 * c]!) << 8) | (list[lo + 2 * c + 1]! ^ queries[qo + 2 * c + 1]!);
    if (popcount16(x) <= rc) return true;
  }
  return false;
}

function popcount16(x: number): number {
  x -= (x >> 1) & 0x5555;
  x = (x & 0x3333) + ((x >> 2) & 0x3333);
  x = (x + (x >> 4)) & 0x0f0f;
  return (x + (x >> 8)) & 0x1f;
}

/** Every pair within `radius`, comparing all pairs: the reference the index is tested against, and
 * the faster path when one side is small. */
export function searchBrute(list: Uint8Array, queries: Uint8Array, radius: number, kernel: HammingKernel = createKernel()): PairList {
  const n = list.length / HASH_BYTES;
  const m = queries.length / HASH_BYTES;
  const out = new PairBuffer();
  const hBase = m * HASH_BYTES;
  const tileList = Math.min(n, TILE_LIST);
  const outBase = hBase + tileList * HASH_BYTES;
  kernel.ensure(outBase + TILE_QUERIES * TILE_LIST * 12);
  const mem = new Uint8Array(kernel.memory.buffer);
  mem.set(queries, 0);
  for (let hs = 0; hs < n; hs += tileList) {
    const hn = Math.min(tileList, n - hs);
    mem.set(list.subarray(hs * HASH_BYTES, (hs + hn) * HASH_BYTES), hBase);
    for (let qs = 0; qs < m; qs += TILE_QUERIES) {
      const qn = Math.min(TILE_QUERIES, m - qs);
      const found = kernel.scan(qs * HASH_BYTES, qn, hBase, hn, radius, outBase);
      const res = new Int32Array(kernel.memory.buffer, outBase, found * 3);
      for (let k = 0; k < found; k++) out.push(qs + res[k * 3]!, hs + res[k * 3 + 1]!, res[k * 3 + 2]!);
    }
  }
  return out.trimmed();
}
