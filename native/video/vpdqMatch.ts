import { PDQ_MATCH_DISTANCE, PDQ_MIN_MATCH_QUALITY } from '../hashing/pdq/pdq.js';
import { searchHamming, type SearchOptions } from '../matching/perceptualSearch.js';
import type { VpdqFeature } from './vpdq.js';

/**
 * vPDQ matching as python-threatexchange's brute matcher does it: each side's features deduplicated
 * by hash and kept only at quality >= 50; a frame matches when any frame of the other video is
 * within 31 bits; queryMatchPercent is the share of the query's frames that match, and
 * comparedMatchPercent the share of the compared video's. Both are reported. A whole match has
 * both at or above the threshold (80%, python-threatexchange's query threshold); a clip cut from a
 * listed video matches on the query side only, a listed clip inside a longer recording on the
 * compared side only: both are reported as partial matches, with the time ranges that matched.
 */
export const VPDQ_MATCH_RULE = {
  algorithm: 'vpdq',
  distance: PDQ_MATCH_DISTANCE,
  quality: PDQ_MIN_MATCH_QUALITY,
  matchPercent: 80,
  reference: 'python-threatexchange vpdq_brute_matcher (dedupe, quality filter, distance <= 31)',
} as const;

export interface VpdqRule { distance: number; quality: number; matchPercent: number }

export type VideoMatchKind = 'whole' | 'query-inside-compared' | 'compared-inside-query';

export interface VideoFeatures {
  /** The caller's key for the video (a content id, a list entry id). */
  key: number;
  features: readonly VpdqFeature[];
}

/** [start, end] seconds of a run of consecutive hashed frames that matched. */
export type TimeRange = [number, number];

export interface VideoMatch {
  query: number;
  compared: number;
  kind: VideoMatchKind;
  queryMatchPercent: number;
  comparedMatchPercent: number;
  queryRanges: TimeRange[];
  comparedRanges: TimeRange[];
  /** The smallest frame distance seen between the two. */
  minDistance: number;
}

interface Prepared {
  /** Per video: its usable features (deduplicated, quality-filtered, in time order). */
  videos: { key: number; features: VpdqFeature[] }[];
  packed: Uint8Array;
  /** Per packed frame: its video (index into videos) and position in that video's features. */
  video: Uint32Array;
  position: Uint32Array;
}

/** The features vPDQ compares: one per distinct hash (the first), quality at least the rule's. */
export function usableFeatures(features: readonly VpdqFeature[], quality: number): VpdqFeature[] {
  const seen = new Set<string>();
  const out: VpdqFeature[] = [];
  for (const f of [...features].sort((a, b) => a.timestamp - b.timestamp || a.frame - b.frame)) {
    if (seen.has(f.hash)) continue;
    seen.add(f.hash);
    if (f.quality >= quality) out.push(f);
  }
  return out;
}

function prepare(videos: readonly VideoFeatures[], quality: number): Prepared {
  const usable = videos.map((v) => ({ key: v.key, features: usableFeatures(v.features, quality) }));
  const total = usable.reduce((s, v) => s + v.features.length, 0);
  const packed = new Uint8Array(total * 32);
  const video = new Uint32Array(total);
  const position = new Uint32Array(total);
  let at = 0;
  usable.forEach((v, vi) => v.features.forEach((f, pi) => {
    packed.set(Buffer.from(f.hash, 'hex'), at * 32);
    video[at] = vi;
    position[at] = pi;
    at += 1;
  }));
  return { videos: usable, packed, video, position };
}

/**
 * Every (query video, compared video) pair that matches by the vPDQ rule, from one multi-index
 * Hamming search over all their frames (the same search pictures use).
 */
export async function matchVideos(
  queries: readonly VideoFeatures[],
  compared: readonly VideoFeatures[],
  rule: VpdqRule = VPDQ_MATCH_RULE,
  search: SearchOptions = {},
): Promise<VideoMatch[]> {
  const q = prepare(queries, rule.quality);
  const c = prepare(compared, rule.quality);
  if (q.video.length === 0 || c.video.length === 0) return [];
  const pairs = await searchHamming(c.packed, q.packed, rule.distance, search);
  const byPair = new Map<string, { q: Set<number>; c: Set<number>; qv: number; cv: number; min: number }>();
  for (let i = 0; i < pairs.count; i++) {
    const qf = pairs.query[i]!;
    const cf = pairs.list[i]!;
    const qv = q.video[qf]!;
    const cv = c.video[cf]!;
    const key = `${qv}:${cv}`;
    let acc = byPair.get(key);
    if (!acc) byPair.set(key, (acc = { q: new Set(), c: new Set(), qv, cv, min: 256 }));
    acc.q.add(q.position[qf]!);
    acc.c.add(c.position[cf]!);
    acc.min = Math.min(acc.min, pairs.distance[i]!);
  }
  const out: VideoMatch[] = [];
  for (const acc of byPair.values()) {
    const qVideo = q.videos[acc.qv]!;
    const cVideo = c.videos[acc.cv]!;
    const queryMatchPercent = (acc.q.size * 100) / qVideo.features.length;
    const comparedMatchPercent = (acc.c.size * 100) / cVideo.features.length;
    const kind = classify(queryMatchPercent, comparedMatchPercent, rule.matchPercent);
    if (!kind) continue;
    out.push({
      query: qVideo.key, compared: cVideo.key, kind, queryMatchPercent, comparedMatchPercent,
      queryRanges: ranges(qVideo.features, acc.q), comparedRanges: ranges(cVideo.features, acc.c), minDistance: acc.min,
    });
  }
  return out.sort((a, b) => a.query - b.query || a.compared - b.compared);
}

function classify(qp: number, cp: number, threshold: number): VideoMatchKind | null {
  if (qp >= threshold && cp >= threshold) return 'whole';
  if (qp >= threshold) return 'query-inside-compared';
  if (cp >= threshold) return 'compared-inside-query';
  return null;
}

/** Runs of consecutive usable features that matched, as [first, last] timestamps. */
export function ranges(features: readonly VpdqFeature[], matched: ReadonlySet<number>): TimeRange[] {
  const out: TimeRange[] = [];
  let start = -1;
  for (let i = 0; i <= features.length; i++) {
    const hit = i < features.length && matched.has(i);
    if (hit && start < 0) start = i;
    if (!hit && start >= 0) {
      out.push([round3(features[start]!.timestamp), round3(features[i - 1]!.timestamp)]);
      start = -1;
    }
  }
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
