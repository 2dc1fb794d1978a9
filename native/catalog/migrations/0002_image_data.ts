import type { Migration } from '../migrate.js';

/**
 * What the catalogue knows about each picture: one row per content (the same bytes found twice are
 * analysed once). A picture that would not decode still gets a row, with decode_error and no
 * hashes, so that the examiner sees it was tried and why it failed; a content of image type with
 * no row at all has not been analysed yet (an intake re-run fills those in).
 * width/height are as displayed, after EXIF orientation; pdq_dihedral is a JSON array of the 8
 * dihedral hashes, [0] the picture as displayed; exif and algorithms are JSON; thumbnail is a path
 * relative to the case folder.
 */
export const imageData: Migration = {
  version: 2,
  name: 'image data: perceptual hashes, EXIF, thumbnails',
  up(db) {
    db.exec(`
      CREATE TABLE image_data (
        content_id INTEGER PRIMARY KEY REFERENCES content(id),
        width INTEGER,
        height INTEGER,
        pdq TEXT NULL CHECK (pdq IS NULL OR (length(pdq) = 64 AND pdq NOT GLOB '*[^0-9a-f]*')),
        pdq_quality INTEGER NULL CHECK (pdq_quality IS NULL OR pdq_quality BETWEEN 0 AND 100),
        pdq_dihedral TEXT NULL,
        blockhash TEXT NULL CHECK (blockhash IS NULL OR (length(blockhash) = 64 AND blockhash NOT GLOB '*[^0-9a-f]*')),
        exif TEXT NULL,
        orientation INTEGER NULL,
        thumbnail TEXT NULL,
        decode_error TEXT NULL,
        algorithms TEXT NOT NULL,
        processed_at TEXT NOT NULL,
        CHECK ((decode_error IS NULL) = (pdq IS NOT NULL))
      );
    `);
  },
};
