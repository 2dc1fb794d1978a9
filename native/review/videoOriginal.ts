import { closeSync, fstatSync, readSync, type Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import type { OpenCase } from '../catalog/case.js';
import { openEvidence } from '../intake/openEvidence.js';
import { locateLoose } from './original.js';

/**
 * Videos the player streams from the evidence. The media type is what the <video> element is told;
 * whether the engine it runs in decodes the codec inside is for the element to say (Debian's
 * Chromium plays VP8/VP9/AV1 in WebM and Ogg Theora; H.264 in MP4 only where the build carries it).
 */
const PLAYABLE: Readonly<Record<string, string>> = {
  'video/webm': 'video/webm',
  'video/x-matroska': 'video/webm',
  'video/matroska': 'video/webm',
  'video/mp4': 'video/mp4',
  'video/x-m4v': 'video/mp4',
  'video/quicktime': 'video/mp4',
  'video/ogg': 'video/ogg',
};

/** An open, checked video file of the evidence: the caller streams byte ranges from fd and closes it. */
export interface VideoOriginal {
  fd: number;
  size: number;
  mediaType: string;
  exhibitLabel: string;
  path: string;
}

/** A file already found to hold the catalogued bytes, known by what fstat says of it. */
interface Verified { contentId: number; dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number }

const CHUNK = 1 << 20;

/**
 * Opens the video original of a content read-only (O_NOFOLLOW, O_NOATIME) from the first of its
 * loose files that still holds the catalogued SHA-256. A video is too large to hash on every range
 * request a player makes, so each file is hashed once per session and remembered by device, inode,
 * size and times; a request that finds the file changed in any of them hashes it again. Videos
 * inside disk images or archives are not streamed (the player says so).
 */
export class VideoOriginals {
  private readonly verified = new Map<string, Verified>();

  open(c: OpenCase, contentId: number): VideoOriginal | { unreachable: string } {
    const content = c.db.prepare('SELECT sha256, detected_type FROM content WHERE id = ?').get(contentId) as
      { sha256: string; detected_type: string } | undefined;
    if (!content) return { unreachable: `content ${contentId}: no such item in this case` };
    const mediaType = PLAYABLE[content.detected_type];
    if (!mediaType) return { unreachable: `${content.detected_type} is not a type the player streams` };
    const rows = c.db.prepare(
      `SELECT e.label, e.source_path, f.path, f.path_text, f.address, f.archive_parent FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id
       WHERE f.content_id = ? AND f.read_state = 'done' ORDER BY f.id`,
    ).all(contentId) as { label: string; source_path: string; path: Buffer; path_text: string; address: string | null; archive_parent: number | null }[];
    const loose = rows.filter((r) => r.address === null && r.archive_parent === null);
    if (loose.length === 0) return { unreachable: rows.length ? 'held only inside a disk image or an archive' : 'no file of this content was read at intake' };
    const reasons: string[] = [];
    for (const row of loose) {
      let fd: number | undefined;
      try {
        fd = openEvidence(locateLoose(row));
        const stat = fstatSync(fd);
        if (!stat.isFile()) { reasons.push(`${row.path_text}: no longer a regular file`); continue; }
        const key = `${c.dir}\u0000${row.label}\u0000${row.path.toString('hex')}`;
        if (!this.isVerified(key, contentId, stat)) {
          if (sha256Of(fd, stat.size) !== content.sha256) { reasons.push(`${row.path_text}: its bytes no longer have the catalogued SHA-256`); continue; }
          this.verified.set(key, { contentId, dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs });
        }
        const opened = { fd, size: stat.size, mediaType, exhibitLabel: row.label, path: row.path_text };
        fd = undefined;
        return opened;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        reasons.push(`${row.path_text}: ${e.code ?? e.message}`);
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    }
    return { unreachable: reasons.join('; ') };
  }

  private isVerified(key: string, contentId: number, s: Stats): boolean {
    const v = this.verified.get(key);
    return v !== undefined && v.contentId === contentId && v.dev === s.dev && v.ino === s.ino && v.size === s.size
      && v.mtimeMs === s.mtimeMs && v.ctimeMs === s.ctimeMs;
  }
}

function sha256Of(fd: number, size: number): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  let pos = 0;
  while (pos < size) {
    const n = readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
    if (n === 0) break;
    hash.update(buf.subarray(0, n));
    pos += n;
  }
  return hash.digest('hex');
}

/**
 * The byte range a Range header asks for, within a file of `size` bytes: one range only (a player
 * asks for one), `bytes=a-b`, `bytes=a-` or `bytes=-n`. null: serve the whole file; 'unsatisfiable':
 * answer 416.
 */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
