import { closeSync, fstatSync, statSync } from 'node:fs';
import type { OpenCase } from '../catalog/case.js';
import { openEvidence } from '../intake/openEvidence.js';
import { digestOpenFile } from '../hashing/digests.js';
import { MAX_IMAGE_BYTES } from '../image/formats.js';
import { previewRelPath } from '../image/store.js';
import { insideFolder } from '../util/insideFolder.js';
import type { ImageRead } from './imageOriginal.js';

/** Reads a content again from inside containers (disk images, archives): native/review/evidenceReaders.ts. */
export interface ContainerReaders {
  read(c: OpenCase, contentId: number, sha256: string): Promise<ImageRead | { unreachable: string[] }>;
}

/**
 * What the viewer shows for a content: the original read from the evidence when it is reachable
 * and still has the catalogued SHA-256, or else the preview stored at intake. Nothing is ever
 * written to the evidence, and a file that changed since intake is never shown as the original.
 */

/** Types every browser engine Kestrel runs in draws by itself (TIFF and HEIC are not among them). */
const DRAWABLE: Readonly<Record<string, string>> = {
  'image/jpeg': 'image/jpeg',
  'image/png': 'image/png',
  'image/apng': 'image/png',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
  'image/bmp': 'image/bmp',
  'image/avif': 'image/avif',
};

export interface OriginalImage {
  bytes: Buffer;
  mediaType: string;
  /** The file it was read from, as the examiner knows it. */
  exhibitLabel: string;
  path: string;
}

export type ViewSource =
  | { source: 'original'; exhibitLabel: string; path: string }
  | { source: 'preview'; reason: string }
  | { source: 'none'; reason: string };

/** address: where an entry of a disk image is in it (read through the Sleuth Kit); archive_parent: the archive a member is in; both null for a loose file. */
interface InstanceRow { label: string; source_path: string; path: Buffer; path_text: string; address: string | null; archive_parent: number | null }

function instances(c: OpenCase, contentId: number): { sha256: string; type: string; rows: InstanceRow[] } | null {
  const content = c.db.prepare('SELECT sha256, detected_type FROM content WHERE id = ?').get(contentId) as
    { sha256: string; detected_type: string } | undefined;
  if (!content) return null;
  const rows = c.db.prepare(
    `SELECT e.label, e.source_path, f.path, f.path_text, f.address, f.archive_parent FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id
     WHERE f.content_id = ? AND f.read_state = 'done' ORDER BY f.id`,
  ).all(contentId) as InstanceRow[];
  return { sha256: content.sha256, type: content.detected_type, rows };
}

/** Where a loose file of the evidence is on disk now: below its folder source, or the source itself when the exhibit was one file. */
export function locateLoose(row: { source_path: string; path: Buffer }): Buffer {
  const source = Buffer.from(row.source_path);
  try {
    if (statSync(row.source_path).isDirectory()) return Buffer.concat([source, Buffer.from('/'), row.path]);
  } catch {
    // Unreachable source: the open below fails and says so.
  }
  return source;
}

/**
 * The original bytes of a content from the first of its files that is reachable and still holds
 * the catalogued SHA-256, read read-only (O_NOFOLLOW, O_NOATIME); otherwise why not.
 */
export function readOriginal(c: OpenCase, contentId: number): OriginalImage | { unreachable: string } {
  const r = readFromFolders(c, contentId);
  return 'bytes' in r || r.found === null ? r : { unreachable: r.unreachable };
}

/**
 * As readOriginal, then, for a content found only inside disk images (or whose loose copies are
 * gone), its bytes read again from the image through the Sleuth Kit helper, checked the same way.
 */
export async function readOriginalAnywhere(c: OpenCase, readers: ContainerReaders, contentId: number): Promise<OriginalImage | { unreachable: string }> {
  const r = readFromFolders(c, contentId);
  if ('bytes' in r || r.found === null || !r.mediaType) return 'bytes' in r ? r : { unreachable: r.unreachable };
  const fromImage = await readers.read(c, contentId, r.found.sha256);
  if ('bytes' in fromImage) return { ...fromImage, mediaType: r.mediaType };
  return { unreachable: [r.unreachable, ...fromImage.unreachable].filter(Boolean).join('; ') || 'no file of this content was read at intake' };
}

type FolderRead = OriginalImage | { unreachable: string; found: ReturnType<typeof instances>; mediaType?: string };

function readFromFolders(c: OpenCase, contentId: number): FolderRead {
  const found = instances(c, contentId);
  if (!found) return { unreachable: `content ${contentId}: no such item in this case`, found: null };
  const mediaType = DRAWABLE[found.type];
  if (!mediaType) return { unreachable: `${found.type} is not a type the viewer draws`, found: null };
  const loose = found.rows.filter((r) => r.address === null && r.archive_parent === null);
  if (found.rows.length === 0) return { unreachable: 'no file of this content was read at intake', found, mediaType };
  const reasons: string[] = [];
  for (const row of loose) {
    let fd: number | undefined;
    try {
      fd = openEvidence(locateLoose(row));
      const stat = fstatSync(fd);
      if (!stat.isFile()) { reasons.push(`${row.path_text}: no longer a regular file`); continue; }
      if (stat.size > MAX_IMAGE_BYTES) { reasons.push(`${row.path_text}: larger than ${MAX_IMAGE_BYTES} bytes`); continue; }
      const d = digestOpenFile(fd, stat.size);
      if (d.sha256 !== found.sha256 || !d.bytes) { reasons.push(`${row.path_text}: its bytes no longer have the catalogued SHA-256`); continue; }
      return { bytes: d.bytes, mediaType, exhibitLabel: row.label, path: row.path_text };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      reasons.push(`${row.path_text}: ${e.code ?? e.message}`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  if (loose.length === 0 && reasons.length === 0) reasons.push('held only inside a disk image or an archive');
  return { unreachable: reasons.join('; '), found, mediaType };
}

/** The stored preview of a content, inside the case folder, or null when intake made none. */
export function previewFile(c: OpenCase, contentId: number): string | null {
  const row = c.db.prepare('SELECT sha256 FROM content WHERE id = ?').get(contentId) as { sha256: string } | undefined;
  return row ? insideFolder(c.dir, previewRelPath(row.sha256)) : null;
}

/** What the viewer will get for a content, decided the way the media routes decide it. */
export async function viewSource(c: OpenCase, readers: ContainerReaders, contentId: number): Promise<ViewSource> {
  const original = await readOriginalAnywhere(c, readers, contentId);
  if ('bytes' in original) return { source: 'original', exhibitLabel: original.exhibitLabel, path: original.path };
  return previewFile(c, contentId)
    ? { source: 'preview', reason: original.unreachable }
    : { source: 'none', reason: original.unreachable };
}
