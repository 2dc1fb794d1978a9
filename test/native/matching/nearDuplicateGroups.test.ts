import { describe, expect, it } from 'vitest';
import { groupNearDuplicates, type NearPair } from '../../../native/matching/nearDuplicateGroups.js';
import { hammingHex } from '../../../native/hashing/hamming.js';

const hammingDistance = (x: Buffer, y: Buffer) => hammingHex(x.toString('hex'), y.toString('hex'));

const T = 31;

/** 256-bit hashes as hex, each `flips` bits away from `base` at the given bit positions. */
function flip(base: Buffer, bits: readonly number[]): Buffer {
  const out = Buffer.from(base);
  for (const b of bits) out[b >> 3]! ^= 1 << (b & 7);
  return out;
}

/** Every pair within T among these hashes, as a perceptual search reports them (both ways round). */
function pairsWithin(hashes: readonly Buffer[]): NearPair[] {
  const out: NearPair[] = [];
  for (let i = 0; i < hashes.length; i++) {
    for (let j = 0; j < hashes.length; j++) {
      const d = hammingDistance(hashes[i]!, hashes[j]!);
      if (i !== j && d <= T) out.push({ a: i + 1, b: j + 1, distance: d });
    }
  }
  return out;
}

describe('near-duplicate grouping never chains', () => {
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  const base = Buffer.alloc(32, 0x5a);

  it('does not put A and C in one group when A~B and B~C but d(A,C) > threshold', () => {
    const a = base;
    const b = flip(base, range(0, 20));
    const c = flip(base, range(0, 40)); // 20 from B, 40 from A
    expect(hammingDistance(a, b)).toBe(20);
    expect(hammingDistance(b, c)).toBe(20);
    expect(hammingDistance(a, c)).toBe(40);
    const groups = groupNearDuplicates(pairsWithin([a, b, c]));
    for (const g of groups) expect(g.members.has(1) && g.members.has(3)).toBe(false);
    // B has the most neighbours and represents the group; A (lower id at equal distance) joins it; C cannot.
    expect(groups).toEqual([{ representative: 2, members: new Map([[2, { toRepresentative: 0, nearest: 20 }], [1, { toRepresentative: 20, nearest: 20 }]]) }]);
  });

  it('keeps every two members of every group within the threshold along a long chain', () => {
    // 30 pictures each 12 bits from the last: transitively one group, 348 bits from end to end.
    const chain = range(0, 30).map((i) => flip(base, range(0, 12 * i)));
    const pairs = pairsWithin(chain);
    const groups = groupNearDuplicates(pairs);
    expect(groups.length).toBeGreaterThan(5);
    for (const g of groups) {
      const ids = [...g.members.keys()];
      for (const x of ids) for (const y of ids) expect(hammingDistance(chain[x - 1]!, chain[y - 1]!)).toBeLessThanOrEqual(T);
      for (const [id, m] of g.members) expect(m.toRepresentative).toBe(hammingDistance(chain[id - 1]!, chain[g.representative - 1]!));
    }
    const all = groups.flatMap((g) => [...g.members.keys()]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('groups a tight cluster whole, with the smallest distance either way round', () => {
    const cluster = [base, flip(base, [1, 2]), flip(base, [3]), flip(base, [200, 201, 202])];
    const pairs = pairsWithin(cluster).map((p) => (p.a === 1 && p.b === 4 ? { ...p, distance: 9 } : p));
    const [g, ...rest] = groupNearDuplicates(pairs);
    expect(rest).toEqual([]);
    expect(g!.representative).toBe(1);
    expect([...g!.members.entries()]).toEqual([
      [1, { toRepresentative: 0, nearest: 1 }], [3, { toRepresentative: 1, nearest: 1 }],
      [2, { toRepresentative: 2, nearest: 2 }], [4, { toRepresentative: 3, nearest: 3 }],
    ]);
  });
});
