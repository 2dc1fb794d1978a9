import type { Migration } from '../migrate.js';

/**
 * Evidence that is not a folder: disk images read through the Sleuth Kit.
 *
 * An exhibit records what it was taken in from (source_kind), its container format and every
 * segment with the SHA-256 of the file as received, the E01 verification (verified / mismatch /
 * no stored hash / not verified, with details) and the acquisition metadata stored in the image,
 * and the volumes found (partition table, file systems, TSK's message where none was found).
 *
 * An entry from an image keeps the address it can be read again from (volume, inode or MFT entry,
 * sequence, attribute: JSON in `address`), the file system it lives on, and the flags examiners
 * filter on: deleted (name unallocated), meta_reallocated (the name's metadata now belongs to
 * another file, so its content is not this file's), orphan (metadata with no name, under
 * $OrphanFiles), alt_stream (an NTFS alternate data stream), content_unverified (content read
 * from where deleted metadata points, which the file system cannot guarantee: FAT assumes
 * contiguous clusters, ext3/4 zero block pointers). Folder entries leave them NULL/0.
 */
export const diskImages: Migration = {
  version: 5,
  name: 'disk images: exhibit provenance, entry addresses and deletion flags',
  up(db) {
    db.exec(`
      ALTER TABLE exhibit ADD COLUMN source_kind TEXT NOT NULL DEFAULT 'folder'
        CHECK (source_kind IN ('folder', 'file', 'image'));
      ALTER TABLE exhibit ADD COLUMN image_format TEXT;
      ALTER TABLE exhibit ADD COLUMN image_segments TEXT;
      ALTER TABLE exhibit ADD COLUMN verification TEXT
        CHECK (verification IS NULL OR verification IN ('verified', 'mismatch', 'no stored hash', 'not verified'));
      ALTER TABLE exhibit ADD COLUMN verification_detail TEXT;
      ALTER TABLE exhibit ADD COLUMN acquisition TEXT;
      ALTER TABLE exhibit ADD COLUMN volumes TEXT;

      ALTER TABLE file_instance ADD COLUMN address TEXT;
      ALTER TABLE file_instance ADD COLUMN fs_type TEXT;
      ALTER TABLE file_instance ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE file_instance ADD COLUMN meta_reallocated INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE file_instance ADD COLUMN orphan INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE file_instance ADD COLUMN alt_stream INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE file_instance ADD COLUMN content_unverified INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX file_instance_deleted ON file_instance(exhibit_id) WHERE deleted = 1;
    `);
  },
};
