import type { Migration } from '../migrate.js';

/**
 * Archive members as entries of their own: a member of `a/b.zip` is catalogued at
 * `a/b.zip!/member/path` with archive_parent pointing at the archive's row and archive_depth its
 * nesting (1 for a member of a top-level archive). encrypted marks a member (or an archive whose
 * names are encrypted) that cannot be read without a password; it is never guessed.
 * On an archive's own row, archive_state records how its expansion ended (expanded, encrypted,
 * limit: a depth, ratio, size or count limit was hit, error: the reader failed) and archive_detail
 * the numbers and messages behind it; NULL means not expanded yet (an interrupted run resumes it).
 */
export const archives: Migration = {
  version: 8,
  name: 'archives: members as children of their archive',
  up(db) {
    db.exec(`
      ALTER TABLE file_instance ADD COLUMN archive_parent INTEGER REFERENCES file_instance(id);
      ALTER TABLE file_instance ADD COLUMN archive_depth INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE file_instance ADD COLUMN encrypted INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE file_instance ADD COLUMN archive_state TEXT
        CHECK (archive_state IS NULL OR archive_state IN ('expanded', 'encrypted', 'limit', 'error'));
      ALTER TABLE file_instance ADD COLUMN archive_detail TEXT;
      CREATE INDEX file_instance_archive_parent ON file_instance(archive_parent) WHERE archive_parent IS NOT NULL;
    `);
  },
};
