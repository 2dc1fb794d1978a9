import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Db } from '../catalog/sqlite.js';
import { DERIVED_DIR } from '../catalog/case.js';
import type { ImageAnalysis } from './analyse.js';

/** Where a content's thumbnail lives, relative to the case folder (named by the content's SHA-256). */
function thumbnailRelPath(sha256: string): string {
  return `${DERIVED_DIR}/thumbnails/${sha256.slice(0, 2)}/${sha256}.jpg`;
}

/**
 * Where a content's stored preview lives, relative to the case folder. Named by the SHA-256 like
 * the thumbnail, so the catalogue needs no column for it: the file is there or it is not.
 */
export function previewRelPath(sha256: string): string {
  return `${DERIVED_DIR}/previews/${sha256.slice(0, 2)}/${sha256}.jpg`;
}

/** Written whole under a temporary name and then renamed, so a crash never leaves half a file under the real name. */
function writeWhole(caseDir: string, rel: string, bytes: Uint8Array): void {
  const file = join(caseDir, rel);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

/**
 * Writes the thumbnail of an analysis, and the viewer's stored preview beside it, into the case
 * folder and returns the thumbnail's relative path, or null when the analysis has none. A re-run
 * simply writes them again.
 */
export function saveThumbnail(caseDir: string, sha256: string, analysis: ImageAnalysis): string | null {
  if (analysis.preview) writeWhole(caseDir, previewRelPath(sha256), analysis.preview.jpeg);
  if (!analysis.thumbnail) return null;
  const rel = thumbnailRelPath(sha256);
  writeWhole(caseDir, rel, analysis.thumbnail.jpeg);
  return rel;
}

/**
 * The image_data row for a content. Call inside the transaction that writes the content row. A
 * content that already has a row keeps it: the same bytes give the same analysis.
 */
export function insertImageData(db: Db, contentId: number, analysis: ImageAnalysis, thumbnail: string | null): void {
  db.prepare(
    `INSERT INTO image_data (content_id, width, height, pdq, pdq_quality, pdq_dihedral, blockhash, exif,
       orientation, thumbnail, decode_error, algorithms, processed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (content_id) DO NOTHING`,
  ).run(
    contentId,
    analysis.width,
    analysis.height,
    analysis.pdq,
    analysis.pdqQuality,
    analysis.pdqDihedral ? JSON.stringify(analysis.pdqDihedral) : null,
    analysis.blockhash,
    analysis.exif ? JSON.stringify(analysis.exif) : null,
    analysis.orientation,
    thumbnail,
    analysis.decodeError,
    JSON.stringify(analysis.algorithms),
    new Date().toISOString(),
  );
  if (analysis.pdqExtras && analysis.pdqExtras.length > 0) {
    const extra = db.prepare(
      `INSERT INTO pdq_extra (content_id, name, kind, region_left, region_top, region_width, region_height, degrees, pdq, quality)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (content_id, name) DO NOTHING`,
    );
    for (const e of analysis.pdqExtras) {
      extra.run(contentId, e.name, e.kind, e.region.left, e.region.top, e.region.width, e.region.height, e.degrees, e.hash, e.quality);
    }
  }
}

/** Thumbnail file plus row: the whole of storing one analysis for a content. */
export function storeImageAnalysis(db: Db, caseDir: string, contentId: number, sha256: string, analysis: ImageAnalysis): void {
  insertImageData(db, contentId, analysis, saveThumbnail(caseDir, sha256, analysis));
}
