import type { Db } from '../catalog/sqlite.js';
import { HASH_LENGTH, type Algorithm } from './library.js';

/** Hashes a block holds: big enough that a run is a few hundred rows, small enough to load one at a time. */
export const BLOCK = 65536;
/** Hashes sorted in memory before a run is written; bounds an import's memory (16M x 36 bytes at most). */
const RUN_MAX = 16 * 1024 * 1024;

/**
 * Collects one list's hashes of one algorithm with each one's position in the list, and writes them
 * as runs of blocks. Exact-hash runs are sorted so that a lookup is a binary search in one block.
 */
export class RunBuilder {
  private readonly len: number;
  private hashes: Buffer;
  private positions: Uint32Array;
  private n = 0;
  private run = 0;
  total = 0;
  private readonly insert;

  constructor(db: Db, private readonly listId: number, readonly algorithm: Algorithm) {
    this.len = HASH_LENGTH[algorithm];
    this.hashes = Buffer.allocUnsafe(this.len * 4096);
    this.positions = new Uint32Array(4096);
    this.insert = db.prepare(
      'INSERT INTO hash_block (list_id, algorithm, run, block, first_hash, count, hashes, positions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  }

  add(hash: Buffer, position: number): void {
    if (this.n === this.positions.length) {
      const cap = this.n * 2;
      const h = Buffer.allocUnsafe(cap * this.len); this.hashes.copy(h, 0, 0, this.n * this.len); this.hashes = h;
      const p = new Uint32Array(cap); p.set(this.positions); this.positions = p;
    }
    // A byte loop: for 16 to 32 bytes it is several times cheaper than a native Buffer.copy call.
    const hs = this.hashes;
    for (let k = 0, at = this.n * this.len; k < this.len; k++, at++) hs[at] = hash[k]!;
    this.positions[this.n] = position;
    this.n++;
    this.total++;
    if (this.n >= RUN_MAX) this.flush();
  }

  flush(): void {
    if (this.n === 0) return;
    const len = this.len;
    let hashes = this.hashes.subarray(0, this.n * len);
    let positions = this.positions.subarray(0, this.n);
    if (this.algorithm === 'md5' || this.algorithm === 'sha1' || this.algorithm === 'sha256') {
      const order = sortedOrder(hashes, len, this.n);
      const sh = Buffer.allocUnsafe(this.n * len);
      const sp = new Uint32Array(this.n);
      for (let i = 0; i < this.n; i++) {
        const k = order[i]!;
        for (let j = 0, to = i * len, from = k * len; j < len; j++) sh[to + j] = hashes[from + j]!;
        sp[i] = positions[k]!;
      }
      hashes = sh;
      positions = sp;
    }
    for (let b = 0, s = 0; s < this.n; b++, s += BLOCK) {
      const e = Math.min(this.n, s + BLOCK);
      const pos = Buffer.allocUnsafe((e - s) * 4);
      for (let i = s; i < e; i++) pos.writeUInt32LE(positions[i]!, (i - s) * 4);
      this.insert.run(this.listId, this.algorithm, this.run, b, hashes.subarray(s * len, s * len + len), e - s,
        hashes.subarray(s * len, e * len), pos);
    }
    this.run++;
    this.n = 0;
  }
}

/**
 * The order of n hashes of `len` bytes: two radix passes on the first 32 bits, then the few runs
 * that share those 32 bits are finished by comparing whole hashes.
 */
export function sortedOrder(buf: Buffer, len: number, n: number): Uint32Array {
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = buf.readUInt32BE(i * len);
  let order: Uint32Array = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let tmp: Uint32Array = new Uint32Array(n);
  const count = new Uint32Array(65537);
  for (const shift of [0, 16]) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[((keys[order[i]!]! >>> shift) & 0xffff) + 1]!++;
    for (let b = 1; b <= 65536; b++) count[b]! += count[b - 1]!;
    for (let i = 0; i < n; i++) {
      const k = order[i]!;
      tmp[count[(keys[k]! >>> shift) & 0xffff]!++] = k;
    }
    [order, tmp] = [tmp, order];
  }
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && keys[order[j]!] === keys[order[i]!]) j++;
    if (j - i > 1) {
      const tie = Array.from(order.subarray(i, j));
      tie.sort((a, b) => buf.compare(buf, b * len, b * len + len, a * len, a * len + len));
      order.set(tie, i);
    }
    i = j;
  }
  return order;
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
