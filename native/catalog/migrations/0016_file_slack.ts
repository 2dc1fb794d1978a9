import type { Migration } from '../migrate.js';

/**
 * File slack as entries of their own (kestrel intake --file-slack): the bytes an allocated file's
 * last cluster holds past its content, catalogued as `NAME (file slack)` with this flag set, hashed
 * and matched like any file. 0 on every entry recorded before this version.
 */
export const fileSlack: Migration = {
  version: 16,
  name: 'file slack entries',
  up(db) {
    db.exec('ALTER TABLE file_instance ADD COLUMN slack INTEGER NOT NULL DEFAULT 0 CHECK (slack IN (0, 1))');
  },
};
