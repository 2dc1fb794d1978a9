import type { Migration } from '../migrate.js';

/**
 * The case catalogue: unique content stored once (keyed by SHA-256), and every place it was found
 * as a file instance of an exhibit — the split VICS makes between Media and MediaFiles.
 * Paths are kept as the raw bytes found on disk (path) with a lossless text form (path_text).
 * Times are ISO 8601 UTC strings with nanoseconds, as the file system gave them.
 */
export const initial: Migration = {
  version: 1,
  name: 'initial catalogue',
  up(db) {
    db.exec(`
      CREATE TABLE case_info (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        case_uuid TEXT NOT NULL,
        case_number TEXT NOT NULL,
        examiner TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL,
        tool_version TEXT NOT NULL
      );

      CREATE TABLE exhibit (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL UNIQUE,
        description TEXT,
        source_path TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE intake_run (
        id INTEGER PRIMARY KEY,
        exhibit_id INTEGER NOT NULL REFERENCES exhibit(id),
        source_path TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'interrupted', 'complete')),
        tool_version TEXT NOT NULL
      );

      CREATE TABLE content (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        sha1 TEXT NOT NULL,
        md5 TEXT NOT NULL,
        size INTEGER NOT NULL,
        detected_type TEXT NOT NULL
      );
      CREATE INDEX content_md5 ON content(md5);
      CREATE INDEX content_sha1 ON content(sha1);

      CREATE TABLE file_instance (
        id INTEGER PRIMARY KEY,
        exhibit_id INTEGER NOT NULL REFERENCES exhibit(id),
        intake_run_id INTEGER NOT NULL REFERENCES intake_run(id),
        path BLOB NOT NULL,
        path_text TEXT NOT NULL,
        entry_type TEXT NOT NULL CHECK (entry_type IN
          ('file', 'directory', 'symlink', 'fifo', 'socket', 'char-device', 'block-device', 'unknown')),
        size INTEGER,
        mode INTEGER,
        uid INTEGER,
        gid INTEGER,
        inode TEXT,
        nlink INTEGER,
        mtime TEXT,
        ctime TEXT,
        atime TEXT,
        birthtime TEXT,
        link_target BLOB,
        link_target_text TEXT,
        content_id INTEGER REFERENCES content(id),
        -- pending: listed, not yet read; done: hashed (or nothing to read); error: see error/error_code
        read_state TEXT NOT NULL CHECK (read_state IN ('pending', 'done', 'error')),
        extension TEXT,
        type_mismatch INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        error_code TEXT,
        UNIQUE (exhibit_id, path)
      );
      CREATE INDEX file_instance_content ON file_instance(content_id);
      CREATE INDEX file_instance_pending ON file_instance(exhibit_id, id) WHERE read_state = 'pending';

      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `);
  },
};
