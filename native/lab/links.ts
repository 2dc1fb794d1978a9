import { DEFAULT_PDQ_THRESHOLD, PDQ_MIN_QUALITY } from '../matching/matcher.js';
import { searchHamming } from '../matching/perceptualSearch.js';
import type { LabStore, LinkItem } from './store.js';

export interface LinkedCase {
  caseNumber: string;
  examiner: string;
  contributedBy: string;
  contributedAt: string;
  items: number;
  series: string[];
}

export interface CaseLink {
  /** The two cases, in case-number order. */
  a: string;
  b: string;
  /** Contents (by SHA-256) both cases hold. */
  exact: number;
  /** Pairs of different contents, one in each case, within the PDQ threshold (any dihedral variant). */
  nearDuplicate: number;
  /** exact + nearDuplicate: the weight of the edge. */
  items: number;
  /** Smallest PDQ distance among the near-duplicate pairs (null when there are none). */
  minDistance: number | null;
  /** Series labels on the shared or near-duplicate items, on either side. */
  series: string[];
}

export interface SeriesProposal {
  /** The case whose item could join the series, and the item's SHA-256. */
  caseNumber: string;
  sha256: string;
  series: string;
  /** The labelled item it resembles. */
  fromCase: string;
  fromSha256: string;
  algorithm: 'sha256' | 'pdq';
  distance: number;
}

export interface Seriality {
  libraryVersion: number;
  pdqThreshold: number;
  cases: LinkedCase[];
  links: CaseLink[];
  /** Unlabelled items resembling a labelled member of a series: proposals for the examiner, never decisions. */
  proposals: SeriesProposal[];
}

/**
 * The seriality of the library: which active cases share material, exact or near-duplicate, and
 * through which series. Computed in process from the items, like perceptual matching, whichever
 * engine holds them.
 */
export async function libraryLinks(store: LabStore, options: { pdqThreshold?: number; threads?: number } = {}): Promise<Seriality> {
  const threshold = options.pdqThreshold ?? DEFAULT_PDQ_THRESHOLD;
  const version = await store.version();
  const cases = (await store.cases()).filter((c) => c.withdrawnAt === null);
  const number = new Map(cases.map((c) => [c.id, c.caseNumber]));
  const items = (await store.linkItems()).filter((i) => number.has(i.caseId));
  const edges = new Map<string, { exact: Set<string>; near: Set<string>; min: number | null; series: Set<string> }>();
  const proposals = new Map<string, SeriesProposal>();
  const edge = (x: LinkItem, y: LinkItem) => {
    const [a, b] = [number.get(x.caseId)!, number.get(y.caseId)!].sort();
    const key = `${a}\u0000${b}`;
    let e = edges.get(key);
    if (!e) { e = { exact: new Set(), near: new Set(), min: null, series: new Set() }; edges.set(key, e); }
    for (const s of [...x.series, ...y.series]) e.series.add(s);
    return e;
  };
  const propose = (x: LinkItem, y: LinkItem, algorithm: 'sha256' | 'pdq', distance: number) => {
    for (const [to, from] of [[x, y], [y, x]] as const) {
      for (const s of from.series) {
        if (to.series.includes(s)) continue;
        const key = `${to.id}\u0000${s}`;
        const prev = proposals.get(key);
        if (prev && prev.distance <= distance) continue;
        proposals.set(key, { caseNumber: number.get(to.caseId)!, sha256: to.sha256, series: s, fromCase: number.get(from.caseId)!,
          fromSha256: from.sha256, algorithm, distance });
      }
    }
  };

  const bySha = new Map<string, LinkItem[]>();
  for (const it of items) {
    const list = bySha.get(it.sha256);
    if (list) list.push(it); else bySha.set(it.sha256, [it]);
  }
  for (const [sha, group] of bySha) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        if (group[i]!.caseId === group[j]!.caseId) continue;
        edge(group[i]!, group[j]!).exact.add(sha);
        propose(group[i]!, group[j]!, 'sha256', 0);
      }
    }
  }

  const withPdq = items.filter((i) => i.pdq !== null && (i.pdqQuality ?? 0) >= PDQ_MIN_QUALITY);
  if (withPdq.length > 1) {
    const originals = new Uint8Array(withPdq.length * 32);
    withPdq.forEach((it, k) => originals.set(Buffer.from(it.pdq!, 'hex'), k * 32));
    const variants: number[] = [];
    const packed: Buffer[] = [];
    withPdq.forEach((it, k) => {
      for (const h of it.pdqDihedral ?? [it.pdq!]) { packed.push(Buffer.from(h, 'hex')); variants.push(k); }
    });
    const pairs = await searchHamming(originals, Buffer.concat(packed), threshold, options.threads === undefined ? {} : { threads: options.threads });
    const best = new Map<string, number>();
    for (let p = 0; p < pairs.count; p++) {
      const x = withPdq[variants[pairs.query[p]!]!]!;
      const y = withPdq[pairs.list[p]!]!;
      if (x.caseId === y.caseId || x.sha256 === y.sha256) continue;
      const [lo, hi] = x.id < y.id ? [x, y] : [y, x];
      const key = `${lo.id}:${hi.id}`;
      const d = pairs.distance[p]!;
      if ((best.get(key) ?? Infinity) <= d) continue;
      best.set(key, d);
    }
    const byId = new Map(withPdq.map((i) => [i.id, i]));
    for (const [key, d] of best) {
      const [lo, hi] = key.split(':').map((s) => byId.get(Number(s))!) as [LinkItem, LinkItem];
      const e = edge(lo, hi);
      e.near.add(key);
      e.min = e.min === null ? d : Math.min(e.min, d);
      propose(lo, hi, 'pdq', d);
    }
  }

  const links: CaseLink[] = [...edges.entries()].map(([key, e]) => {
    const [a, b] = key.split('\u0000') as [string, string];
    return { a, b, exact: e.exact.size, nearDuplicate: e.near.size, items: e.exact.size + e.near.size, minDistance: e.min, series: [...e.series].sort() };
  }).sort((x, y) => y.items - x.items || x.a.localeCompare(y.a) || x.b.localeCompare(y.b));

  const seriesOf = new Map<number, Set<string>>();
  for (const it of items) {
    const s = seriesOf.get(it.caseId) ?? new Set<string>();
    for (const label of it.series) s.add(label);
    seriesOf.set(it.caseId, s);
  }
  return {
    libraryVersion: version,
    pdqThreshold: threshold,
    cases: cases.map((c) => ({
      caseNumber: c.caseNumber, examiner: c.caseExaminer, contributedBy: c.contributedBy, contributedAt: c.contributedAt,
      items: c.itemCount, series: [...(seriesOf.get(c.id) ?? [])].sort(),
    })).sort((x, y) => x.caseNumber.localeCompare(y.caseNumber)),
    links,
    proposals: [...proposals.values()].sort((x, y) => x.series.localeCompare(y.series) || x.caseNumber.localeCompare(y.caseNumber) ||
      x.sha256.localeCompare(y.sha256)),
  };
}
