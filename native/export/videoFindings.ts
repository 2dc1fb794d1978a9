import type { Db } from '../catalog/sqlite.js';
import { isSchemeId, type SchemeId } from '../catalog/schemes.js';
import type { AuditEntry } from '../audit/log.js';
import type { RecordedVideoMatchShares } from '../video/vpdqMatch.js';

/** What the catalogue says of a finding that is a video: its probe and how its frames were hashed. */
export interface VideoData {
  container: string | null;
  videoCodec: string | null;
  audioCodec: string | null;
  durationSec: number | null;
  frameRate: number | null;
  width: number | null;
  height: number | null;
  /** Seconds between hashed frames (vPDQ's secondsPerHash; 0 = every frame). */
  secondsPerHash: number;
  framesHashed: number;
  /** Why it could not be decoded (then it has no frame hashes). */
  decodeError: string | null;
}

/**
 * A seized video matched to a listed video by vPDQ: not a distance between two hashes but shares
 * of matching frames on both sides, kept as the match command's --json lines name them.
 */
export interface VideoMatchData extends RecordedVideoMatchShares {
  list: string;
  listVersion: string;
  /** The listed video: its hash file's name, or its record number. */
  entry: string;
  algorithm: 'vpdq';
  /** vPDQ's version and matching rule as the match recorded them in the audit log. */
  algorithmVersion: string;
  rule: string;
  /** whole: both videos match; partial: one contains the other (containment says which). */
  match: 'whole' | 'partial';
  containment: 'query-inside-compared' | 'compared-inside-query' | null;
  minDistance: number;
  distanceThreshold: number;
  scheme: SchemeId | null;
  category: string | null;
  matchedAt: string;
}

export function readVideoData(db: Db): Map<number, VideoData> {
  const rows = db.prepare(
    `SELECT content_id, container, video_codec, audio_codec, duration_sec, frame_rate, width, height, seconds_per_hash, frames_hashed, decode_error
       FROM video_data ORDER BY content_id`,
  ).all() as {
    content_id: number; container: string | null; video_codec: string | null; audio_codec: string | null; duration_sec: number | null;
    frame_rate: number | null; width: number | null; height: number | null; seconds_per_hash: number; frames_hashed: number; decode_error: string | null;
  }[];
  return new Map(rows.map((r) => [r.content_id, {
    container: r.container, videoCodec: r.video_codec, audioCodec: r.audio_codec, durationSec: r.duration_sec, frameRate: r.frame_rate,
    width: r.width, height: r.height, secondsPerHash: r.seconds_per_hash, framesHashed: r.frames_hashed, decodeError: r.decode_error,
  }]));
}

/**
 * Each content's vPDQ matches against lists of known material. Matches on known-file lists mark
 * videos to ignore, never findings, so they are left out (as for hash matches). The algorithm's
 * version and rule come from the match.video audit entry that recorded the match.
 */
export function readVideoMatches(db: Db, audit: readonly AuditEntry[]): Map<number, VideoMatchData[]> {
  const recorded = new Map<string, { version: string; rule: string }>();
  for (const e of audit) {
    if (e.action !== 'match.video') continue;
    const list = e.details['list'] as { name?: unknown; version?: unknown } | undefined;
    recorded.set(`${String(list?.name)}\u0000${String(list?.version)}`, {
      version: String(e.details['version'] ?? 'not recorded'), rule: String(e.details['rule'] ?? 'not recorded'),
    });
  }
  const rows = db.prepare(
    `SELECT m.content_id, u.list_name, u.list_version, m.entry_label, m.entry_record, m.kind, m.query_match_percent, m.compared_match_percent,
            m.query_coverage_percent, m.compared_coverage_percent, m.query_ranges, m.compared_ranges, m.variant, m.min_distance,
            m.distance_threshold, m.quality_threshold, m.match_percent_threshold, m.scheme, m.category, m.matched_at
       FROM video_match m JOIN hashlist_use u ON u.id = m.use_id
      WHERE m.known = 0
      ORDER BY m.content_id, u.list_name, u.list_version, m.entry_record, m.id`,
  ).all() as {
    content_id: number; list_name: string; list_version: number; entry_label: string | null; entry_record: number;
    kind: 'whole' | 'query-inside-compared' | 'compared-inside-query'; query_match_percent: number; compared_match_percent: number;
    query_coverage_percent: number; compared_coverage_percent: number; query_ranges: string; compared_ranges: string; variant: number;
    min_distance: number; distance_threshold: number; quality_threshold: number; match_percent_threshold: number;
    scheme: string | null; category: string | null; matched_at: string;
  }[];
  const out = new Map<number, VideoMatchData[]>();
  for (const r of rows) {
    const how = recorded.get(`${r.list_name}\u0000${r.list_version}`) ?? { version: 'not recorded', rule: 'not recorded' };
    const list = out.get(r.content_id) ?? [];
    list.push({
      list: r.list_name,
      listVersion: String(r.list_version),
      entry: r.entry_label ?? `record ${r.entry_record}`,
      algorithm: 'vpdq',
      algorithmVersion: how.version,
      rule: how.rule,
      match: r.kind === 'whole' ? 'whole' : 'partial',
      containment: r.kind === 'whole' ? null : r.kind,
      queryMatchPercent: r.query_match_percent,
      comparedMatchPercent: r.compared_match_percent,
      queryCoveragePercent: r.query_coverage_percent,
      comparedCoveragePercent: r.compared_coverage_percent,
      queryRanges: JSON.parse(r.query_ranges) as [number, number][],
      comparedRanges: JSON.parse(r.compared_ranges) as [number, number][],
      variant: r.variant,
      minDistance: r.min_distance,
      distanceThreshold: r.distance_threshold,
      qualityThreshold: r.quality_threshold,
      matchPercentThreshold: r.match_percent_threshold,
      scheme: r.scheme !== null && isSchemeId(r.scheme) ? r.scheme : null,
      category: r.category,
      matchedAt: r.matched_at,
    });
    out.set(r.content_id, list);
  }
  return out;
}

/** Seconds as the report writes them: at most three decimals, no trailing zeros. */
export function seconds(s: number): string {
  return String(Math.round(s * 1000) / 1000);
}

/** A share as the report writes it: at most two decimals (coverages are computed in floating point). */
export function percent(p: number): string {
  return `${Math.round(p * 100) / 100}%`;
}

/** Time ranges as "0-2.2, 5-7.04" (seconds), the form findings.csv and the report use. */
export function formatRanges(ranges: readonly [number, number][]): string {
  return ranges.map(([a, b]) => `${seconds(a)}-${seconds(b)}`).join(', ');
}

/** What kind of match, in words: whole, or which side contains the other. */
export function videoMatchKind(v: VideoMatchData): string {
  if (v.match === 'whole') return 'whole video';
  return v.containment === 'query-inside-compared' ? 'partial: this video is a part of the listed video' : 'partial: the listed video is a part of this video';
}

/** One sentence stating a vPDQ match with everything needed to weigh it. */
export function videoMatchStatement(v: VideoMatchData): string {
  const cat = v.category !== null && v.scheme ? `; the list gives category ${v.category} in scheme ${v.scheme}` : '';
  return `Matched listed video ${v.entry} of ${v.list} version ${v.listVersion} by vPDQ ${v.algorithmVersion} (${videoMatchKind(v)}): `
    + `${percent(v.queryMatchPercent)} of this video's hashed frames and ${percent(v.comparedMatchPercent)} of the listed video's matched `
    + `(spanning ${percent(v.queryCoveragePercent)} and ${percent(v.comparedCoveragePercent)} of their lengths); `
    + `this video ${formatRanges(v.queryRanges)} s matched the listed video ${formatRanges(v.comparedRanges)} s; `
    + `closest frame distance ${v.minDistance}${v.variant === 1 ? ', frames with black bars cut away' : ''}; `
    + `thresholds: frame distance <= ${v.distanceThreshold}, frame quality >= ${v.qualityThreshold}, whole match >= ${v.matchPercentThreshold}% of frames${cat}`;
}

/** The probe facts of a video in one line: "12.5 s, h264 320x240 at 25 fps, mov,mp4,m4a,3gp,3g2,mj2". */
export function videoFacts(v: VideoData): string {
  const parts = [
    v.durationSec !== null ? `${seconds(v.durationSec)} s` : 'duration unknown',
    `${v.videoCodec ?? 'unknown codec'}${v.width !== null && v.height !== null ? ` ${v.width}x${v.height}` : ''}${v.frameRate !== null ? ` at ${seconds(v.frameRate)} fps` : ''}`,
    ...(v.audioCodec ? [`audio ${v.audioCodec}`] : []),
    ...(v.container ? [v.container] : []),
  ];
  const hashed = v.decodeError
    ? `not decoded: ${v.decodeError}`
    : `${v.framesHashed} frame(s) hashed ${v.secondsPerHash > 0 ? `every ${seconds(v.secondsPerHash)} s` : 'at every frame'}`;
  return `${parts.join(', ')}; ${hashed}`;
}
