/**
 * How near-duplicate pictures are grouped, from the pairs a perceptual search found within the
 * threshold. Transitive grouping (union-find over the pairs) chains: A~B and B~C put A and C in one
 * group however far apart they are, and a long enough chain joins unrelated pictures. Here every two
 * members of a group are within the threshold of each other (complete linkage), so a group never
 * holds two pictures the search would not have paired.
 *
 * Greedy and deterministic: pictures are taken in order of how many near-duplicates each has (ties:
 * the lowest content id); one not yet grouped, with neighbours not yet grouped, is a group's
 * representative. Its ungrouped neighbours join, nearest first (ties: lowest id), each only if it
 * is within the threshold of every member already in. Each member is within the threshold of the
 * representative, and its distance to it is kept.
 */
export const GROUPING_RULE = 'complete-linkage: every two members within the threshold; representative: most near-duplicates, then lowest id' as const;

export interface NearPair {
  a: number;
  b: number;
  distance: number;
}

export interface GroupMember {
  /** Distance to the group's representative (0 for the representative itself). */
  toRepresentative: number;
  /** Distance to the nearest other member. */
  nearest: number;
}

export interface NearDuplicateGroup {
  representative: number;
  /** By content id, in the order they joined (the representative first). */
  members: Map<number, GroupMember>;
}

export function groupNearDuplicates(pairs: Iterable<NearPair>): NearDuplicateGroup[] {
  // The smallest distance found between two pictures, either way round (dihedral variants make
  // the search asymmetric), kept for both.
  const near = new Map<number, Map<number, number>>();
  const link = (x: number, y: number, d: number) => {
    let m = near.get(x);
    if (!m) { m = new Map(); near.set(x, m); }
    const prev = m.get(y);
    if (prev === undefined || d < prev) m.set(y, d);
  };
  for (const { a, b, distance } of pairs) {
    if (a === b) continue;
    link(a, b, distance);
    link(b, a, distance);
  }
  const grouped = new Set<number>();
  const groups: NearDuplicateGroup[] = [];
  // Representatives in order of how many near-duplicates each has in all (ties: lowest id): one
  // sort, not a search for the best remaining one after every group (quadratic over a million).
  const order = [...near.keys()].sort((x, y) => near.get(y)!.size - near.get(x)!.size || x - y);
  for (const rep of order) {
    if (grouped.has(rep)) continue;
    const candidates = [...near.get(rep)!.entries()].filter(([y]) => !grouped.has(y)).sort((p, q) => p[1] - q[1] || p[0] - q[0]);
    if (candidates.length === 0) continue;
    const joined = new Map<number, number>([[rep, 0]]);
    for (const [y, d] of candidates) {
      const ny = near.get(y)!;
      let fits = true;
      for (const m of joined.keys()) if (m !== rep && !ny.has(m)) { fits = false; break; }
      if (fits) joined.set(y, d);
    }
    const members = new Map<number, GroupMember>();
    for (const [m, d] of joined) {
      grouped.add(m);
      let nearest = Infinity;
      const nm = near.get(m)!;
      for (const o of joined.keys()) if (o !== m) nearest = Math.min(nearest, nm.get(o)!);
      members.set(m, { toRepresentative: d, nearest });
    }
    groups.push({ representative: rep, members });
  }
  return groups;
}
