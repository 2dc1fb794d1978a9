import type { Migration } from '../../catalog/migrate.js';

/**
 * vPDQ lists: hash_list takes the format 'vpdq' (its CHECK is rebuilt, rows and ids kept), and each
 * listed video's frame features live in one video_hash row per entry, packed (see
 * native/hashsets/videoHashes.ts): a video is matched as a whole, by the share of its frames that
 * match, so its frames are always read together and never looked up one by one.
 * VIDEO_POSTGRES is the same step on a PostgreSQL library, which can alter the CHECK in place.
 */
export const VIDEO_POSTGRES = `
  ALTER TABLE hash_list DROP CONSTRAINT hash_list_format_check;
  ALTER TABLE hash_list ADD CONSTRAINT hash_list_format_check
    CHECK (format IN ('vics', 'icse', 'nsrl', 'nsrl-legacy', 'text', 'pdq', 'vpdq'));
  CREATE TABLE video_hash (
    entry_id BIGINT PRIMARY KEY,
    list_id BIGINT NOT NULL REFERENCES hash_list(id) ON DELETE CASCADE,
    frame_count INTEGER NOT NULL CHECK (frame_count > 0),
    duration_sec DOUBLE PRECISION NOT NULL CHECK (duration_sec >= 0),
    features BYTEA NOT NULL
  );
  CREATE INDEX video_hash_list ON video_hash(list_id);
`;

/** The SQLite step: hash_list rebuilt (SQLite cannot alter a CHECK), then the same video_hash. */
export const libraryVideo: Migration = {
  version: 3,
  name: 'vpdq video lists',
  rebuildsTables: true,
  up(db) {
    db.exec(`
      CREATE TABLE hash_list_new (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('vics', 'icse', 'nsrl', 'nsrl-legacy', 'text', 'pdq', 'vpdq')),
        format_version TEXT,
        scheme TEXT CHECK (scheme IN ('vic-us', 'dhs', 'caid-uk', 'custom')),
        known INTEGER NOT NULL CHECK (known IN (0, 1)),
        source_file TEXT NOT NULL,
        file_sha256 TEXT NOT NULL,
        file_size INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        records_read INTEGER NOT NULL,
        records_imported INTEGER NOT NULL,
        records_rejected INTEGER NOT NULL,
        reject_report TEXT,
        first_entry INTEGER NOT NULL,
        entry_count INTEGER NOT NULL,
        tool_version TEXT NOT NULL,
        UNIQUE (name, version)
      );
      INSERT INTO hash_list_new SELECT id, uid, name, version, format, format_version, scheme, known, source_file, file_sha256,
        file_size, imported_at, records_read, records_imported, records_rejected, reject_report, first_entry, entry_count, tool_version
        FROM hash_list;
      DROP TABLE hash_list;
      ALTER TABLE hash_list_new RENAME TO hash_list;

      CREATE TABLE video_hash (
        entry_id INTEGER PRIMARY KEY,
        list_id INTEGER NOT NULL REFERENCES hash_list(id) ON DELETE CASCADE,
        frame_count INTEGER NOT NULL CHECK (frame_count > 0),
        duration_sec REAL NOT NULL CHECK (duration_sec >= 0),
        features BLOB NOT NULL
      );
      CREATE INDEX video_hash_list ON video_hash(list_id);
    `);
  },
};
