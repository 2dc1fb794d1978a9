import type { Migration } from '../migrate.js';

/**
 * Matching results. hashlist_use records, per case, each library list version matched (by its uid,
 * with name, version and SHA-256 copied so the record survives the list's removal from the library),
 * the thresholds used and how far through the catalogue it got (content_watermark), so that a later
 * run only does new work. hash_match rows are the tool's findings: the list's category on a match
 * is a precategorisation (view `precategorisation`), kept apart from the examiner's decisions.
 * Known-file lists (NSRL) give known = 1 rows: ignorable, never alerts.
 * Near-duplicate groups are derived from the case's own PDQ hashes and rebuilt when content changes.
 */
export const matching: Migration = {
  version: 3,
  name: 'hash list matching',
  up(db) {
    db.exec(`
      CREATE TABLE hashlist_use (
        id INTEGER PRIMARY KEY,
        list_uid TEXT NOT NULL UNIQUE,
        list_name TEXT NOT NULL,
        list_version INTEGER NOT NULL,
        list_format TEXT NOT NULL,
        list_format_version TEXT,
        list_sha256 TEXT NOT NULL,
        known INTEGER NOT NULL CHECK (known IN (0, 1)),
        scheme TEXT,
        pdq_threshold INTEGER NOT NULL,
        blockhash_threshold INTEGER NOT NULL,
        content_watermark INTEGER NOT NULL,
        first_matched_at TEXT NOT NULL,
        matched_at TEXT NOT NULL,
        tool_version TEXT NOT NULL
      );

      CREATE TABLE hash_match (
        id INTEGER PRIMARY KEY,
        content_id INTEGER NOT NULL REFERENCES content(id),
        use_id INTEGER NOT NULL REFERENCES hashlist_use(id),
        entry_id INTEGER NOT NULL,
        entry_record INTEGER NOT NULL,
        entry_hash TEXT NOT NULL,
        entry_media_id TEXT,
        entry_label TEXT,
        algorithm TEXT NOT NULL CHECK (algorithm IN ('md5', 'sha1', 'sha256', 'pdq', 'blockhash')),
        distance INTEGER NOT NULL CHECK (distance >= 0),
        threshold INTEGER NOT NULL CHECK (threshold >= 0),
        dihedral INTEGER CHECK (dihedral IS NULL OR dihedral BETWEEN 0 AND 7),
        category TEXT,
        scheme TEXT CHECK (scheme IS NULL OR scheme IN ('vic-us', 'dhs', 'caid-uk', 'custom')),
        known INTEGER NOT NULL CHECK (known IN (0, 1)),
        matched_at TEXT NOT NULL,
        CHECK (category IS NULL OR scheme IS NOT NULL),
        UNIQUE (content_id, use_id, entry_id, algorithm)
      );
      CREATE INDEX hash_match_content ON hash_match(content_id);
      CREATE INDEX hash_match_use ON hash_match(use_id);

      CREATE VIEW precategorisation AS
        SELECT m.content_id, m.scheme, m.category, m.id AS match_id, u.list_name, u.list_version, m.algorithm, m.distance
        FROM hash_match m JOIN hashlist_use u ON u.id = m.use_id
        WHERE m.category IS NOT NULL AND m.known = 0;

      CREATE TABLE perceptual_skip (
        content_id INTEGER NOT NULL REFERENCES content(id),
        algorithm TEXT NOT NULL CHECK (algorithm IN ('pdq', 'blockhash')),
        reason TEXT NOT NULL,
        quality INTEGER,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (content_id, algorithm)
      );

      CREATE TABLE near_duplicate_group (
        id INTEGER PRIMARY KEY,
        algorithm TEXT NOT NULL CHECK (algorithm = 'pdq'),
        threshold INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE near_duplicate_member (
        content_id INTEGER PRIMARY KEY REFERENCES content(id),
        group_id INTEGER NOT NULL REFERENCES near_duplicate_group(id),
        nearest_distance INTEGER NOT NULL
      );
      CREATE INDEX near_duplicate_member_group ON near_duplicate_member(group_id);

      CREATE TABLE near_duplicate_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        threshold INTEGER NOT NULL,
        content_watermark INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
    `);
  },
};
