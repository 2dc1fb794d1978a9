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
 *
 * The two sides are often hashed at different rates: seized videos at one frame a second, listed
 * ones at every frame. Then every sampled frame of a full copy matches (query 100%) but only the
 * listed frames near a sample do (compared well under 80%), and the percentages alone would call a
 * whole copy a clip. So each side also gets a coverage: the share of its length spanned by its
 * matched frames, runs joined across gaps no longer than the other side's hash interval (or over
 * frames vPDQ left out as duplicates or low quality). A side counts as matched when its percentage
 * or its coverage reaches the threshold; with equal rates the two agree.
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

/** How much of each video a match covers; the match, its JSON line, the review detail and the package all carry these. */
export interface VideoMatchShares {
  queryMatchPercent: number;
  comparedMatchPercent: number;
  /** Share of each video's length spanned by its matched frames (see above). */
  queryCoveragePercent: number;
  comparedCoveragePercent: number;
  /** [start, end] seconds of the seized video that matched, and of the listed video. */
  queryRanges: TimeRange[];
  comparedRanges: TimeRange[];
}

/** A match as recorded in a case: its shares, which frames matched and the rule's thresholds at the time. */
export interface RecordedVideoMatchShares extends VideoMatchShares {
  /** The seized video's frames as decoded (0) or with black bars cut away (1). */
  variant: number;
  qualityThreshold: number;
  matchPercentThreshold: number;
}

export interface VideoMatch extends VideoMatchShares {
  query: number;
  compared: number;
  kind: VideoMatchKind;
  /** The query video's frame numbers that matched, ascending (for marking them in review). */
  queryFrames: number[];
  /** The smallest frame distance seen between the two. */
  minDistance: number;
}

interface PreparedVideo {
  key: number;
  /** Usable features: deduplicated, quality-filtered, in time order. */
  features: VpdqFeature[];
  /** Seconds between hashed frames (the smallest gap), and the first hashed frame's time and the length from it. */
  step: number;
  start: number;
  length: number;
}

interface Prepared {
  videos: PreparedVideo[];
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
  const usable = videos.map((v) => ({ key: v.key, features: usableFeatures(v.features, quality), ...spacing(v.features) }));
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
    const queryCoveragePercent = coverage(qVideo, acc.q, cVideo.step);
    const comparedCoveragePercent = coverage(cVideo, acc.c, qVideo.step);
    const kind = classify(Math.max(queryMatchPercent, queryCoveragePercent), Math.max(comparedMatchPercent, comparedCoveragePercent), rule.matchPercent);
    if (!kind) continue;
    out.push({
      query: qVideo.key, compared: cVideo.key, kind, queryMatchPercent, comparedMatchPercent,
      queryCoveragePercent, comparedCoveragePercent,
      queryRanges: ranges(qVideo.features, acc.q), comparedRanges: ranges(cVideo.features, acc.c),
      queryFrames: [...acc.q].map((p) => qVideo.features[p]!.frame).sort((a, b) => a - b), minDistance: acc.min,
    });
  }
  return out.sort((a, b) => a.query - b.query || a.compared - b.compared);
}

function spacing(features: readonly VpdqFeature[]): { step: number; start: number; length: number } {
  const t = features.map((f) => f.timestamp).sort((a, b) => a - b);
  let step = Infinity;
  for (let i = 1; i < t.length; i++) if (t[i]! > t[i - 1]!) step = Math.min(step, t[i]! - t[i - 1]!);
  if (!Number.isFinite(step)) step = 1;
  return { step, start: t[0] ?? 0, length: t.length === 0 ? 0 : t.at(-1)! - t[0]! + step };
}

/**
 * The share of a video's length its matched frames span: consecutive matched frames (in usable
 * order) are one run, and so are two no further apart than the other side's hash interval; each run
 * counts from its first frame to its last plus the longer of the two intervals (a frame sampled by
 * the other side stands for the time until its next sample), up to the video's end.
 */
function coverage(video: PreparedVideo, matched: ReadonlySet<number>, otherStep: number): number {
  if (video.length <= 0) return 0;
  const positions = [...matched].sort((a, b) => a - b);
  const ts = (p: number) => video.features[p]!.timestamp;
  let covered = 0;
  let start = 0;
  for (let i = 1; i <= positions.length; i++) {
    const joined = i < positions.length &&
      (positions[i] === positions[i - 1]! + 1 || ts(positions[i]!) - ts(positions[i - 1]!) <= otherStep + 1e-6);
    if (joined) continue;
    const end = Math.min(ts(positions[i - 1]!) + Math.max(video.step, otherStep), video.start + video.length);
    covered += end - ts(positions[start]!);
    start = i;
  }
  return Math.min(100, (covered * 100) / video.length);
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
