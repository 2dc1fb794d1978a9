import { startWorker } from '../util/workerEntry.js';
import { availableParallelism } from 'node:os';
import { HASH_BYTES, MAX_RADIUS, searchBrute, searchRange, type PairList, type RangeJob } from './mih.js';

export type { PairList } from './mih.js';

export interface SearchOptions {
  /** Threads to use (default: one per core). */
  threads?: number;
  /** 'auto' compares all pairs when that is cheap and uses the index otherwise. */
  strategy?: 'auto' | 'index' | 'brute';
}

/** Below this many pairs, comparing all of them beats sorting 16 times. */
const BRUTE_PAIRS = 1 << 26;

/**
 * All (query, list entry) pairs of 256-bit hashes within `radius` bits, each exactly once.
 * Both inputs are packed 32-byte hashes; indexes in the result refer to their positions.
 */
export async function searchHamming(
  list: Uint8Array,
  queries: Uint8Array,
  radius: number,
  options: SearchOptions = {},
): Promise<PairList> {
  if (list.length % HASH_BYTES !== 0 || queries.length % HASH_BYTES !== 0) throw new RangeError('hashes must be packed 32-byte values');
  if (!Number.isInteger(radius) || radius < 0 || radius > MAX_RADIUS) throw new RangeError(`radius must be an integer from 0 to ${MAX_RADIUS}`);
  const n = list.length / HASH_BYTES;
  const m = queries.length / HASH_BYTES;
  const strategy = options.strategy ?? 'auto';
  if (strategy === 'brute' || (strategy === 'auto' && n * m <= BRUTE_PAIRS)) return searchBrute(list, queries, radius);
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), 64));
  if (threads === 1) return searchRange({ list, queries, radius, lo: 0, hi: 65536 });

  const sharedList = shared(list);
  const sharedQueries = shared(queries);
  const step = Math.ceil(65536 / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, t) => runWorker({
      list: sharedList, queries: sharedQueries, radius, lo: t * step, hi: Math.min(65536, (t + 1) * step),
    })),
  );
  return concat(parts);
}

function shared(a: Uint8Array): Uint8Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const s = new Uint8Array(new SharedArrayBuffer(a.length));
  s.set(a);
  return s;
}

function runWorker(job: RangeJob): Promise<PairList> {
  return new Promise((resolve, reject) => {
    const w = startWorker('perceptual.worker', import.meta.url);
    w.once('message', (msg: { ok: true; value: PairList } | { ok: false; error: string }) => {
      void w.terminate();
      if (msg.ok) resolve(msg.value);
      else reject(new Error(`perceptual search thread failed: ${msg.error}`));
    });
    w.once('error', reject);
    w.postMessage(job);
  });
}

function concat(parts: PairList[]): PairList {
  const count = parts.reduce((s, p) => s + p.count, 0);
  const out: PairList = { query: new Uint32Array(count), list: new Uint32Array(count), distance: new Uint8Array(count), count };
  let at = 0;
  for (const p of parts) {
    out.query.set(p.query.subarray(0, p.count), at);
    out.list.set(p.list.subarray(0, p.count), at);
    out.distance.set(p.distance.subarray(0, p.count), at);
    at += p.count;
  }
  return out;
}
