import type { Db } from '../catalog/sqlite.js';
import { HASH_LENGTH, type Algorithm } from './library.js';

/** Hashes a block holds: big enough that a run is a few hundred rows, small enough to load one at a time. */
export const BLOCK = 65536;
/** Hashes sorted in memory before a run is written; bounds an import's memory (16M x 36 bytes at most). */
const RUN_MAX = 16 * 1024 * 1024;

/** One hash_block row as the importers write it, whatever the engine. */
export interface BlockRow {
  listId: number;
  algorithm: Algorithm;
  run: number;
  block: number;
  firstHash: Buffer;
  count: number;
  /** Valid only during the call: the builder reuses its memory for the next run. */
  hashes: Buffer;
  positions: Buffer;
}

export type BlockSink = (row: BlockRow) => void;

/** Writes blocks straight into a SQLite library, inside the caller's transaction. */
export function sqliteBlockSink(db: Db): BlockSink {
  const insert = db.prepare(
    'INSERT INTO hash_block (list_id, algorithm, run, block, first_hash, count, hashes, positions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  return (r) => { insert.run(r.listId, r.algorithm, r.run, r.block, r.firstHash, r.count, r.hashes, r.positions); };
}

/**
 * Collects one list's hashes of one algorithm with each one's position in the list, and writes them
 * as runs of blocks. Exact-hash runs are sorted so that a lookup is a binary search in one block.
 */
export class RunBuilder {
  private readonly len: number;
  /** The hashes back to back, as words (every hash length is a multiple of 4) and as bytes. */
  private words: Uint32Array;
  private bytes: Uint8Array;
  private positions: Uint32Array;
  private n = 0;
  private run = 0;
  total = 0;

  constructor(private readonly sink: BlockSink, private readonly listId: number, readonly algorithm: Algorithm) {
    this.len = HASH_LENGTH[algorithm];
    this.words = new Uint32Array((this.len >> 2) * 4096);
    this.bytes = new Uint8Array(this.words.buffer);
    this.positions = new Uint32Array(4096);
  }

  add(hash: Uint8Array, position: number): void {
    if (this.n === this.positions.length) {
      const cap = this.n * 2;
      const w = new Uint32Array(cap * (this.len >> 2)); w.set(this.words); this.words = w; this.bytes = new Uint8Array(w.buffer);
      const p = new Uint32Array(cap); p.set(this.positions); this.positions = p;
    }
    // A byte loop: for 16 to 32 bytes it is several times cheaper than a native copy call.
    const bytes = this.bytes;
    for (let k = 0, at = this.n * this.len; k < this.len; k++, at++) bytes[at] = hash[k]!;
    this.positions[this.n] = position;
    this.n++;
    this.total++;
    if (this.n >= RUN_MAX) this.flush();
  }

  flush(): void {
    if (this.n === 0) return;
    const len = this.len;
    if (this.algorithm === 'md5' || this.algorithm === 'sha1' || this.algorithm === 'sha256') sortRun(this.words, this.positions, len, this.n);
    const hashes = Buffer.from(this.words.buffer, 0, this.n * len);
    for (let b = 0, s = 0; s < this.n; b++, s += BLOCK) {
      const e = Math.min(this.n, s + BLOCK);
      const pos = Buffer.allocUnsafe((e - s) * 4);
      const le = new DataView(pos.buffer, pos.byteOffset, pos.length);
      for (let i = s; i < e; i++) le.setUint32((i - s) * 4, this.positions[i]!, true);
      this.sink({ listId: this.listId, algorithm: this.algorithm, run: this.run, block: b, firstHash: hashes.subarray(s * len, s * len + len),
        count: e - s, hashes: hashes.subarray(s * len, e * len), positions: pos });
    }
    this.run++;
    this.n = 0;
  }
}

/**
 * Sorts the first n records (a hash of `len` bytes, a multiple of 4, in `words`, and its position)
 * by hash, in place. Two 16-bit radix passes on the first 32 bits move the records themselves: each
 * pass reads in order, where sorting an index and then gathering the hashes by it reads ten million
 * hashes at random, which cost several times more. The few runs that share their first 32 bits are
 * then finished by comparing whole hashes.
 */
export function sortRun(words: Uint32Array, positions: Uint32Array, len: number, n: number): void {
  const w = len >> 2;
  const count = new Uint32Array(65537);
  let h: Uint32Array = words;
  let p: Uint32Array = positions;
  let th: Uint32Array = new Uint32Array(n * w);
  let tp: Uint32Array = new Uint32Array(n);
  for (const digit of [2, 0]) {
    const b8 = new Uint8Array(h.buffer, h.byteOffset, n * len);
    count.fill(0);
    for (let i = 0, at = digit; i < n; i++, at += len) count[((b8[at]! << 8) | b8[at + 1]!) + 1]!++;
    for (let d = 1; d <= 65536; d++) count[d]! += count[d - 1]!;
    for (let i = 0, at = digit; i < n; i++, at += len) {
      const o = count[(b8[at]! << 8) | b8[at + 1]!]!++;
      tp[o] = p[i]!;
      for (let j = 0, to = o * w, from = i * w; j < w; j++) th[to + j] = h[from + j]!;
    }
    [h, th] = [th, h];
    [p, tp] = [tp, p];
  }
  // After an even number of passes the records are back in the caller's arrays.
  const b8 = new Uint8Array(words.buffer, words.byteOffset, n * len);
  const key = (r: number) => b8.subarray(r * len, r * len + len);
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && words[j * w] === words[i * w]) j++;
    if (j - i > 1) {
      const tie = Array.from({ length: j - i }, (_, k) => i + k).sort((a, b) => Buffer.compare(key(a), key(b)));
      const th2 = words.slice(i * w, j * w);
      const tp2 = positions.slice(i, j);
      tie.forEach((r, k) => {
        words.set(th2.subarray((r - i) * w, (r - i + 1) * w), (i + k) * w);
        positions[i + k] = tp2[r - i]!;
      });
    }
    i = j;
  }
}

export interface ExactHit {
  /** Index of the query in the sorted query array. */
  query: number;
  listId: number;
  position: number;
}

/**
 * Looks up sorted, distinct query hashes in every run of `algorithm` (optionally only some lists).
 * Queries and blocks are both in order, so each block is read at most once per run and each query
 * costs one binary search inside one block.
 */
export function lookupExact(db: Db, algorithm: Algorithm, queries: readonly Buffer[], listIds?: ReadonlySet<number>): ExactHit[] {
  const len = HASH_LENGTH[algorithm];
  const hits: ExactHit[] = [];
  if (queries.length === 0) return hits;
  const fences = db.prepare(
    'SELECT list_id, run, block, first_hash, count FROM hash_block WHERE algorithm = ? ORDER BY list_id, run, block').all(algorithm) as
    { list_id: number; run: number; block: number; first_hash: Buffer; count: number }[];
  const load = db.prepare('SELECT hashes, positions FROM hash_block WHERE list_id = ? AND algorithm = ? AND run = ? AND block = ?');
  let r = 0;
  while (r < fences.length) {
    let e = r;
    while (e < fences.length && fences[e]!.list_id === fences[r]!.list_id && fences[e]!.run === fences[r]!.run) e++;
    const run = fences.slice(r, e);
    r = e;
    const listId = run[0]!.list_id;
    if (listIds && !listIds.has(listId)) continue;
    let b = 0;
    let loaded = -1;
    let hashes: Buffer = Buffer.alloc(0);
    let positions: Buffer = Buffer.alloc(0);
    for (let qi = 0; qi < queries.length; qi++) {
      const q = queries[qi]!;
      if (q.compare(run[0]!.first_hash) < 0) continue;
      while (b + 1 < run.length && q.compare(run[b + 1]!.first_hash) >= 0) b++;
      if (loaded !== b) {
        const row = load.get(listId, algorithm, run[b]!.run, run[b]!.block) as { hashes: Buffer; positions: Buffer };
        hashes = row.hashes;
        positions = row.positions;
        loaded = b;
      }
      // Binary search on the first 32 bits as numbers; whole hashes are compared only on a tie.
      const q0 = q.readUInt32BE(0);
      let lo = 0;
      let hi = run[b]!.count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const h0 = hashes.readUInt32BE(mid * len);
        if (h0 < q0 || (h0 === q0 && hashes.compare(q, 0, len, mid * len, mid * len + len) < 0)) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < run[b]!.count && hashes.readUInt32BE(k * len) === q0 && hashes.compare(q, 0, len, k * len, k * len + len) === 0; k++) {
        hits.push({ query: qi, listId, position: positions.readUInt32LE(k * 4) });
      }
    }
  }
  return hits;
}

export interface PerceptualSet {
  /** Packed 32-byte hashes, shareable with worker threads. */
  hashes: Uint8Array;
  listId: Uint32Array;
  position: Uint32Array;
  count: number;
}

/** Every `algorithm` hash of the given lists, packed for the perceptual search. */
export function loadPerceptual(db: Db, algorithm: 'pdq' | 'blockhash', listIds: readonly number[]): PerceptualSet {
  const rows = db.prepare('SELECT list_id, count FROM hash_block WHERE algorithm = ?').all(algorithm) as { list_id: number; count: number }[];
  const wanted = new Set(listIds);
  const total = rows.filter((r) => wanted.has(r.list_id)).reduce((s, r) => s + r.count, 0);
  const set: PerceptualSet = {
    hashes: new Uint8Array(new SharedArrayBuffer(Math.max(1, total) * 32)).subarray(0, total * 32),
    listId: new Uint32Array(total),
    position: new Uint32Array(total),
    count: total,
  };
  const stmt = db.prepare('SELECT hashes, positions, count FROM hash_block WHERE list_id = ? AND algorithm = ? ORDER BY run, block');
  let at = 0;
  for (const id of listIds) {
    for (const row of stmt.iterate(id, algorithm) as Iterable<{ hashes: Buffer; positions: Buffer; count: number }>) {
      set.hashes.set(row.hashes, at * 32);
      for (let i = 0; i < row.count; i++) {
        set.listId[at + i] = id;
        set.position[at + i] = row.positions.readUInt32LE(i * 4);
      }
      at += row.count;
    }
  }
  return set;
}
