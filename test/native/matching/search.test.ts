import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { searchHamming, type PairList } from '../../../native/matching/perceptualSearch.js';
import { searchRange } from '../../../native/matching/mih.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const REF = join(REPO, '..', 'shared', 'reference', 'pdq');

/** Deterministic bytes, so a failure can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function flip(hash: Uint8Array, bits: number, rand: () => number): Uint8Array {
  const out = Uint8Array.from(hash);
  const chosen = new Set<number>();
  while (chosen.size < bits) chosen.add(Math.floor(rand() * 256));
  for (const b of chosen) out[b >> 3]! ^= 1 << (b & 7);
  return out;
}

/** Families of near variants, as real lists are, plus queries planted at every distance 0..40. */
function clustered(seed: number, families: number, perFamily: number, queries: number) {
  const rand = rng(seed);
  const list = new Uint8Array(families * perFamily * 32);
  for (let f = 0; f < families; f++) {
    const base = Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256));
    for (let k = 0; k < perFamily; k++) list.set(k === 0 ? base : flip(base, Math.floor(rand() * 20), rand), (f * perFamily + k) * 32);
  }
  const q = new Uint8Array(queries * 32);
  const n = families * perFamily;
  for (let i = 0; i < queries; i++) {
    if (i % 3 === 2) q.set(Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256)), i * 32);
    else {
      const src = Math.floor(rand() * n);
      q.set(flip(list.subarray(src * 32, src * 32 + 32), i % 41, rand), i * 32);
    }
  }
  return { list, q };
}

/** Independent reference: nibble-table Hamming distance over every pair. */
function bruteForce(list: Uint8Array, q: Uint8Array, radius: number): Set<string> {
  const pop = Uint8Array.from({ length: 256 }, (_, i) => { let c = 0; for (let x = i; x; x >>= 1) c += x & 1; return c; });
  const out = new Set<string>();
  for (let i = 0; i < q.length / 32; i++) {
    for (let j = 0; j < list.length / 32; j++) {
      let d = 0;
      for (let b = 0; b < 32 && d <= radius; b++) d += pop[q[i * 32 + b]! ^ list[j * 32 + b]!]!;
      if (d <= radius) out.add(`${i},${j},${d}`);
    }
  }
  return out;
}

function asSet(p: PairList): Set<string> {
  const s = new Set<string>();
  for (let i = 0; i < p.count; i++) s.add(`${p.query[i]},${p.list[i]},${p.distance[i]}`);
  expect(s.size).toBe(p.count);
  return s;
}

describe('Hamming radius search', () => {
  const { list, q } = clustered(7, 400, 10, 600);

  it.each([31, 10, 0, 40])('the multi-index search equals brute force at radius %i (one thread)', (radius) => {
    const expected = bruteForce(list, q, radius);
    expect(expected.size).toBeGreaterThan(radius === 0 ? 5 : 100);
    expect(asSet(searchRange({ list, queries: q, radius, lo: 0, hi: 65536 }))).toEqual(expected);
  });

  it('split over worker threads, each pair is reported once and the answer is the same', async () => {
    const expected = bruteForce(list, q, 31);
    expect(asSet(await searchHamming(list, q, 31, { strategy: 'index', threads: 2 }))).toEqual(expected);
    expect(asSet(await searchHamming(list, q, 31, { strategy: 'brute' }))).toEqual(expected);
  });

  it('refuses radii it cannot answer exactly', async () => {
    await expect(searchHamming(list, q, 48)).rejects.toThrow(/radius must be an integer from 0 to 47/);
  });

  it('finds in the reference haystack exactly what brute force finds for the reference needles', () => {
    const read = (f: string) => readFileSync(join(REF, f), 'utf8').split('\n').map((l) => l.trim()).filter((l) => /^[0-9a-f]{64}$/.test(l));
    const hay = read('haystack.txt');
    const needles = read('needles.txt');
    expect(hay.length).toBeGreaterThan(1000);
    expect(needles.length).toBeGreaterThan(50);
    const pack = (hs: string[]) => { const b = new Uint8Array(hs.length * 32); hs.forEach((h, i) => b.set(Buffer.from(h, 'hex'), i * 32)); return b; };
    const H = pack(hay);
    const N = pack(needles);
    const expected = bruteForce(H, N, 31);
    expect(expected.size).toBeGreaterThan(0);
    expect(asSet(searchRange({ list: H, queries: N, radius: 31, lo: 0, hi: 65536 }))).toEqual(expected);
  });
});
