import type { Migration } from '../migrate.js';

/**
 * Video matches against vPDQ lists: one row per (seized video, listed video, list version), kept
 * apart from hash_match because a video match is not a distance between two hashes but shares of
 * matching frames on both sides. kind says whether the whole video matched or which side contains
 * the other (a clip cut from a listed video: query-inside-compared; a listed clip inside a longer
 * recording: compared-inside-query); the coverages are the shares of each video's length its
 * matched frames span (native/video/vpdqMatch.ts), which decide it when the sides were hashed at
 * different rates. The rule's thresholds are stored with every row; the matched
 * time ranges on both sides and the seized video's matched frame numbers are JSON arrays, so the
 * review screen can mark which frames matched. variant is the seized video's frame variant that
 * matched (video_frame.variant: 0 as decoded, 1 with black bars cut away).
 */
export const videoMatch: Migration = {
  version: 11,
  name: 'video matches against vPDQ lists',
  up(db) {
    db.exec(`
      CREATE TABLE video_match (
        id INTEGER PRIMARY KEY,
        content_id INTEGER NOT NULL REFERENCES video_data(content_id),
        use_id INTEGER NOT NULL REFERENCES hashlist_use(id),
        entry_id INTEGER NOT NULL,
        entry_record INTEGER NOT NULL,
        entry_label TEXT,
        variant INTEGER NOT NULL CHECK (variant IN (0, 1)),
        kind TEXT NOT NULL CHECK (kind IN ('whole', 'query-inside-compared', 'compared-inside-query')),
        query_match_percent REAL NOT NULL CHECK (query_match_percent BETWEEN 0 AND 100),
        compared_match_percent REAL NOT NULL CHECK (compared_match_percent BETWEEN 0 AND 100),
        query_coverage_percent REAL NOT NULL CHECK (query_coverage_percent BETWEEN 0 AND 100),
        compared_coverage_percent REAL NOT NULL CHECK (compared_coverage_percent BETWEEN 0 AND 100),
        query_ranges TEXT NOT NULL,
        compared_ranges TEXT NOT NULL,
        query_frames TEXT NOT NULL,
        min_distance INTEGER NOT NULL CHECK (min_distance >= 0),
        distance_threshold INTEGER NOT NULL,
        quality_threshold INTEGER NOT NULL,
        match_percent_threshold REAL NOT NULL,
        category TEXT,
        scheme TEXT CHECK (scheme IS NULL OR scheme IN ('vic-us', 'dhs', 'caid-uk', 'custom')),
        known INTEGER NOT NULL CHECK (known IN (0, 1)),
        matched_at TEXT NOT NULL,
        CHECK (category IS NULL OR scheme IS NOT NULL),
        UNIQUE (content_id, use_id, entry_id)
      );
      CREATE INDEX video_match_use ON video_match(use_id);
    `);
  },
};
