import type { Migration } from '../migrate.js';

/**
 * Near-duplicate groups record the distance their extra PDQ hashes (border-trimmed, crops) were
 * paired at, beside the plain threshold: a group joined through an extra is only reproducible with
 * both. The grouping state keeps it too, so that a new extras threshold rebuilds the groups (it
 * used to be ignored until content or the plain threshold changed). NULL for groups built before
 * this version.
 */
export const groupExtraThreshold: Migration = {
  version: 15,
  name: 'near-duplicate groups record the extra-hash threshold',
  up(db) {
    db.exec(`
      ALTER TABLE near_duplicate_group ADD COLUMN extra_threshold INTEGER;
      ALTER TABLE near_duplicate_state ADD COLUMN extra_threshold INTEGER;
    `);
  },
};
