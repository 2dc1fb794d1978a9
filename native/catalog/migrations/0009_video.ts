import type { Migration } from '../migrate.js';

/**
 * What the catalogue knows about each video: one video_data row per content (probe, decode error,
 * crop found, the sampling its frames were hashed at) and its vPDQ frame features in video_frame,
 * variant 0 the frames as decoded and variant 1 the same frames with black bars cut away. A video
 * that would not decode still gets a row, with decode_error and no frames, so the examiner sees it
 * was tried and why it failed; a video content with no row has not been analysed yet (an intake
 * re-run fills those in). device, gps, crop and algorithms are JSON; contact_sheet is a path
 * relative to the case folder.
 */
export const video: Migration = {
  version: 9,
  name: 'video data: probe, vPDQ frame hashes, contact sheets',
  up(db) {
    db.exec(`
      CREATE TABLE video_data (
        content_id INTEGER PRIMARY KEY REFERENCES content(id),
        container TEXT NULL,
        video_codec TEXT NULL,
        audio_codec TEXT NULL,
        duration_sec REAL NULL,
        frame_rate REAL NULL,
        frame_rate_text TEXT NULL,
        width INTEGER NULL,
        height INTEGER NULL,
        rotation INTEGER NOT NULL DEFAULT 0 CHECK (rotation BETWEEN 0 AND 359),
        frame_count INTEGER NULL,
        bit_rate INTEGER NULL,
        creation_time TEXT NULL,
        device TEXT NULL,
        gps TEXT NULL,
        seconds_per_hash REAL NOT NULL,
        crop TEXT NULL,
        frames_hashed INTEGER NOT NULL DEFAULT 0,
        contact_sheet TEXT NULL,
        decode_error TEXT NULL,
        algorithms TEXT NOT NULL,
        processed_at TEXT NOT NULL
      );
      CREATE INDEX video_data_duration ON video_data(duration_sec);
      CREATE INDEX video_data_codec ON video_data(video_codec);

      CREATE TABLE video_frame (
        content_id INTEGER NOT NULL REFERENCES video_data(content_id),
        variant INTEGER NOT NULL CHECK (variant IN (0, 1)),
        frame INTEGER NOT NULL CHECK (frame >= 0),
        quality INTEGER NOT NULL CHECK (quality BETWEEN 0 AND 100),
        pdq TEXT NOT NULL CHECK (length(pdq) = 64 AND pdq NOT GLOB '*[^0-9a-f]*'),
        timestamp REAL NOT NULL,
        PRIMARY KEY (content_id, variant, frame)
      ) WITHOUT ROWID;
    `);
  },
};
