import type { Migration } from '../migrate.js';

/**
 * What a list entry carried beside its hashes (PhotoDNA, Series, victim and offender flags,
 * IsDistributed, RelativeFilePath, DateUpdated, Tags), copied onto the match as canonical JSON so the
 * case keeps it when the list leaves the library, and passes it on in its exports. NULL when the entry
 * carried none of these, and on matches recorded before this version.
 */
export const matchCarried: Migration = {
  version: 13,
  name: 'list data carried on matches',
  up(db) {
    db.exec('ALTER TABLE hash_match ADD COLUMN entry_carried TEXT CHECK (entry_carried IS NULL OR json_valid(entry_carried))');
  },
};
