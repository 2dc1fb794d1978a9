import type { Migration } from '../migrate.js';

/**
 * Extra PDQ hashes of a picture's parts (inside uniform borders, a fixed crop set), made at intake
 * from the same decode as the plain PDQ, so that a list entry hashed from a cropped or bordered
 * copy still matches. They live apart from image_data.pdq so that nothing reading the standard
 * hash (exports, lists shared with other tools) can pick one up by mistake.
 *
 * hash_match.via names the extra a PDQ match was made through (NULL: the plain hash or one of its
 * dihedral variants), so the evidence says which hash and which region met the list entry.
 * hashlist_use.pdq_extra_threshold is the distance extras were matched at (NULL: matched before
 * extras existed), so that changing it re-runs the perceptual match like the other thresholds.
 */
export const pdqExtras: Migration = {
  version: 12,
  name: 'extra PDQ hashes (border-trimmed, crops) and the hash a match was made through',
  up(db) {
    db.exec(`
      CREATE TABLE pdq_extra (
        content_id INTEGER NOT NULL REFERENCES image_data(content_id),
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('trimmed', 'crop', 'rotated')),
        region_left INTEGER NOT NULL CHECK (region_left >= 0),
        region_top INTEGER NOT NULL CHECK (region_top >= 0),
        region_width INTEGER NOT NULL CHECK (region_width > 0),
        region_height INTEGER NOT NULL CHECK (region_height > 0),
        degrees REAL NOT NULL,
        pdq TEXT NOT NULL CHECK (length(pdq) = 64 AND pdq NOT GLOB '*[^0-9a-f]*'),
        quality INTEGER NOT NULL CHECK (quality BETWEEN 0 AND 100),
        PRIMARY KEY (content_id, name)
      ) WITHOUT ROWID;

      ALTER TABLE hash_match ADD COLUMN via TEXT NULL;
      ALTER TABLE hashlist_use ADD COLUMN pdq_extra_threshold INTEGER NULL;
    `);
  },
};
