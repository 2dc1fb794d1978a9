import { closeSync, fstatSync } from 'node:fs';
import { openEvidence } from './openEvidence.js';
import { sniff } from './sniff.js';
import { nsToIso } from './times.js';
import type { ReadRequest, ReadResponse } from './readRequest.js';
import { analyseImage, notAnalysed, type ImageAnalysis } from '../image/analyse.js';
import { isAnalysableImage, MAX_IMAGE_BYTES } from '../image/formats.js';
import { digestBytes, digestOpenFile, type FileDigests } from '../hashing/digests.js';

/**
 * MD5, SHA-1 and SHA-256 of a file from one read, and its type from its first bytes; for a picture,
 * its analysis from the same bytes when `shouldAnalyse` says its content still needs one.
 */
export async function readFileDigests(req: ReadRequest, shouldAnalyse: (sha256: string) => Promise<boolean>): Promise<ReadResponse> {
  if (req.content) return digestContent(req, Buffer.from(req.content.buffer, req.content.byteOffset, req.content.byteLength), shouldAnalyse);
  const path = Buffer.from(req.path.buffer, req.path.byteOffset, req.path.byteLength);
  let fd: number | undefined;
  try {
    fd = openEvidence(path);
    const before = fstatSync(fd, { bigint: true });
    if (!before.isFile() && !before.isBlockDevice()) {
      return { id: req.id, ok: false, code: 'ENOTREG', message: 'no longer a regular file' };
    }
    const d = digestOpenFile(fd, before.isFile() ? Number(before.size) : 0);
    const after = fstatSync(fd, { bigint: true });
    const { type, image } = await typeAndImage(d, shouldAnalyse);
    return {
      id: req.id,
      ok: true,
      md5: d.md5,
      sha1: d.sha1,
      sha256: d.sha256,
      size: d.size,
      mime: type.mime,
      ext: type.ext,
      changedDuringIntake:
        (before.isFile() && d.size !== req.listedSize) ||
        nsToIso(before.mtimeNs) !== req.listedMtime ||
        after.mtimeNs !== before.mtimeNs ||
        after.size !== before.size,
      image,
    };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { id: req.id, ok: false, code: e.code ?? 'EIO', message: e.message ?? String(err) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function typeAndImage(d: FileDigests, shouldAnalyse: (sha256: string) => Promise<boolean>): Promise<{ type: { mime: string; ext: string | null }; image: ImageAnalysis | null }> {
  const type = await sniff(d.head, d.size);
  let image: ImageAnalysis | null = null;
  if (isAnalysableImage(type.mime)) {
    if (!d.bytes) {
      image = notAnalysed(d.size > MAX_IMAGE_BYTES ? `not analysed: larger than ${MAX_IMAGE_BYTES} bytes` : 'not analysed: no picture signature the decoder knows');
    } else if (await shouldAnalyse(d.sha256)) {
      image = await analyseImage(d.bytes);
    }
  }
  return { type, image };
}

async function digestContent(req: ReadRequest, bytes: Buffer, shouldAnalyse: (sha256: string) => Promise<boolean>): Promise<ReadResponse> {
  try {
    const d = digestBytes(bytes);
    const { type, image } = await typeAndImage(d, shouldAnalyse);
    return { id: req.id, ok: true, md5: d.md5, sha1: d.sha1, sha256: d.sha256, size: d.size, mime: type.mime, ext: type.ext, changedDuringIntake: false, image };
  } catch (err) {
    return { id: req.id, ok: false, code: 'EIO', message: err instanceof Error ? err.message : String(err) };
  }
}
