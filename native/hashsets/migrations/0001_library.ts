import type { Migration } from '../../catalog/migrate.js';

/**
 * The lab-wide hash library. One row per imported list version with its provenance; one entry per
 * record of a list (what a match points back to); and the list's hashes packed into blocks, per
 * algorithm, in sorted runs. Packed blocks instead of an indexed row per hash: a B-tree insert per
 * hash made importing tens of millions of hashes several times slower, and matching reads whole
 * runs anyway (sorted for exact lookups, all of them for perceptual search).
 * An entry's id is its list's first_entry plus its position in the list, so blocks store 32-bit
 * positions and a list's entries are one id range (removed with one range delete).
 */
export const libraryInitial: Migration = {
  version: 1,
  name: 'hash library',
  up(db) {
    db.exec(`
      CREATE TABLE hash_list (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('vics', 'icse', 'nsrl', 'nsrl-legacy', 'text', 'pdq')),
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

      CREATE TABLE entry (
        id INTEGER PRIMARY KEY,
        list_id INTEGER NOT NULL,
        record_no INTEGER NOT NULL,
        category TEXT,
        media_id TEXT,
        label TEXT,
        size INTEGER,
        quality INTEGER,
        details TEXT
      );

      CREATE TABLE hash_block (
        list_id INTEGER NOT NULL REFERENCES hash_list(id) ON DELETE CASCADE,
        algorithm TEXT NOT NULL CHECK (algorithm IN ('md5', 'sha1', 'sha256', 'pdq', 'blockhash')),
        run INTEGER NOT NULL,
        block INTEGER NOT NULL,
        first_hash BLOB NOT NULL,
        count INTEGER NOT NULL,
        hashes BLOB NOT NULL,
        positions BLOB NOT NULL,
        PRIMARY KEY (list_id, algorithm, run, block)
      ) WITHOUT ROWID;
    `);
  },
};
