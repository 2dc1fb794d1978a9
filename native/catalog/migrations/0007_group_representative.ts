import type { Migration } from '../migrate.js';

/**
 * Near-duplicate groups by a rule that cannot chain (native/matching/nearDuplicateGroups.ts):
 * each group names its representative and the rule that built it, each member its distance to the
 * representative. Groups built by the earlier transitive rule could join unrelated pictures through
 * a chain of near ones; they are derived data, so they are dropped here and the next `kestrel match`
 * builds them again (the examiner's decisions are per picture and stay as they were).
 */
export const groupRepresentative: Migration = {
  version: 7,
  name: 'near-duplicate groups: representative, rule, distance to the representative',
  up(db) {
    db.exec(`
      DELETE FROM near_duplicate_member;
      DELETE FROM near_duplicate_group;
      DELETE FROM near_duplicate_state;
      ALTER TABLE near_duplicate_group ADD COLUMN representative INTEGER REFERENCES content(id);
      ALTER TABLE near_duplicate_group ADD COLUMN rule TEXT;
      ALTER TABLE near_duplicate_member ADD COLUMN representative_distance INTEGER;
    `);
  },
};
