import type { Db } from '../catalog/sqlite.js';
import { VIDEO_ALGORITHMS, type VideoAnalysis } from './analyse.js';
import type { VpdqFeature } from './vpdq.js';

/**
 * The video_data row and frame features of a content. Call inside one transaction, so that a video
 * is either fully recorded or not at all (and an interrupted intake simply does it again). A
 * content that already has a row keeps it: the same bytes give the same analysis.
 */
export function insertVideoData(db: Db, contentId: number, a: VideoAnalysis, contactSheet: string | null): void {
  const p = a.probe;
  const inserted = db.prepare(
    `INSERT INTO video_data (content_id, container, video_codec, audio_codec, duration_sec, frame_rate, frame_rate_text,
       width, height, rotation, frame_count, bit_rate, creation_time, device, gps, seconds_per_hash, crop, frames_hashed,
       contact_sheet, decode_error, algorithms, processed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (content_id) DO NOTHING`,
  ).run(
    contentId, p?.container ?? null, p?.videoCodec ?? null, p?.audioCodec ?? null, p?.durationSec ?? null, p?.frameRate ?? null,
    p?.frameRateText ?? null, p?.width ?? null, p?.height ?? null, p?.rotation ?? 0, p?.frameCount ?? null, p?.bitRate ?? null,
    p?.creationTime ?? null, p && Object.keys(p.device).length ? JSON.stringify(p.device) : null, p?.gps ? JSON.stringify(p.gps) : null,
    a.secondsPerHash, a.crop ? JSON.stringify(a.crop) : null, a.features.length, contactSheet, a.decodeError,
    JSON.stringify(VIDEO_ALGORITHMS), new Date().toISOString(),
  );
  if (inserted.changes === 0) return;
  const frame = db.prepare('INSERT INTO video_frame (content_id, variant, frame, quality, pdq, timestamp) VALUES (?, ?, ?, ?, ?, ?)');
  for (const f of a.features) frame.run(contentId, 0, f.frame, f.quality, f.hash, f.timestamp);
  for (const f of a.croppedFeatures ?? []) frame.run(contentId, 1, f.frame, f.quality, f.hash, f.timestamp);
}

/** A video's frame features as stored (variant 0: as decoded; 1: black bars cut away). */
export function videoFeatures(db: Db, contentId: number, variant: 0 | 1 = 0): VpdqFeature[] {
  return db.prepare('SELECT frame, quality, pdq AS hash, timestamp FROM video_frame WHERE content_id = ? AND variant = ? ORDER BY frame')
    .all(contentId, variant) as VpdqFeature[];
}
