import type { Db } from '../catalog/sqlite.js';
import type { RecordedVideoMatchShares } from '../video/vpdqMatch.js';

export interface VideoFrameMark {
  frame: number;
  timestamp: number;
  quality: number;
  /** True when a vPDQ match of this video counted this frame. */
  matched: boolean;
}

export interface VideoMatchEvidence extends RecordedVideoMatchShares {
  list: string;
  listVersion: number;
  listSha256: string;
  /** The listed video (its hash file's name). */
  entryLabel: string | null;
  entryRecord: number;
  kind: 'whole' | 'query-inside-compared' | 'compared-inside-query';
  minDistance: number;
  distanceThreshold: number;
  category: string | null;
  scheme: string | null;
  known: boolean;
  matchedAt: string;
}

export interface VideoDetail {
  container: string | null;
  videoCodec: string | null;
  audioCodec: string | null;
  durationSec: number | null;
  frameRate: number | null;
  width: number | null;
  height: number | null;
  rotation: number;
  creationTime: string | null;
  secondsPerHash: number;
  decodeError: string | null;
  hasContactSheet: boolean;
  /** The hashed frames (as decoded), in time order, with the ones any match counted marked. */
  frames: VideoFrameMark[];
  matches: VideoMatchEvidence[];
}

/** What the review screen shows of a video: its probe, its hashed frames and its vPDQ matches. */
export function videoDetail(db: Db, contentId: number): VideoDetail | null {
  const v = db.prepare('SELECT * FROM video_data WHERE content_id = ?').get(contentId) as {
    container: string | null; video_codec: string | null; audio_codec: string | null; duration_sec: number | null; frame_rate: number | null;
    width: number | null; height: number | null; rotation: number; creation_time: string | null; seconds_per_hash: number;
    decode_error: string | null; contact_sheet: string | null;
  } | undefined;
  if (!v) return null;
  const rows = db.prepare(
    `SELECT u.list_name, u.list_version, u.list_sha256, m.* FROM video_match m JOIN hashlist_use u ON u.id = m.use_id
     WHERE m.content_id = ? ORDER BY m.known, m.kind <> 'whole', m.query_match_percent DESC, u.list_name`,
  ).all(contentId) as {
    list_name: string; list_version: number; list_sha256: string; entry_label: string | null; entry_record: number; kind: VideoMatchEvidence['kind'];
    query_match_percent: number; compared_match_percent: number; query_coverage_percent: number; compared_coverage_percent: number;
    query_ranges: string; compared_ranges: string; query_frames: string; variant: number; min_distance: number; distance_threshold: number;
    quality_threshold: number; match_percent_threshold: number; category: string | null; scheme: string | null; known: number; matched_at: string;
  }[];
  const matched = new Set<number>();
  for (const r of rows) for (const f of JSON.parse(r.query_frames) as number[]) matched.add(f);
  const frames = (db.prepare('SELECT frame, timestamp, quality FROM video_frame WHERE content_id = ? AND variant = 0 ORDER BY frame')
    .all(contentId) as { frame: number; timestamp: number; quality: number }[]).map((f) => ({ ...f, matched: matched.has(f.frame) }));
  return {
    container: v.container, videoCodec: v.video_codec, audioCodec: v.audio_codec, durationSec: v.duration_sec, frameRate: v.frame_rate,
    width: v.width, height: v.height, rotation: v.rotation, creationTime: v.creation_time, secondsPerHash: v.seconds_per_hash,
    decodeError: v.decode_error, hasContactSheet: v.contact_sheet !== null, frames,
    matches: rows.map((r) => ({
      list: r.list_name, listVersion: r.list_version, listSha256: r.list_sha256, entryLabel: r.entry_label, entryRecord: r.entry_record,
      kind: r.kind, queryMatchPercent: r.query_match_percent, comparedMatchPercent: r.compared_match_percent,
      queryCoveragePercent: r.query_coverage_percent, comparedCoveragePercent: r.compared_coverage_percent,
      queryRanges: JSON.parse(r.query_ranges) as [number, number][], comparedRanges: JSON.parse(r.compared_ranges) as [number, number][],
      variant: r.variant, minDistance: r.min_distance, distanceThreshold: r.distance_threshold, qualityThreshold: r.quality_threshold,
      matchPercentThreshold: r.match_percent_threshold, category: r.category, scheme: r.scheme, known: r.known === 1, matchedAt: r.matched_at,
    })),
  };
}
