import { closeSync, fstatSync, readSync } from 'node:fs';
import { openEvidence } from './openEvidence.js';
import { createHash } from 'node:crypto';
import { sniff, SNIFF_BYTES } from './sniff.js';
import { nsToIso } from './times.js';
import type { ReadRequest, ReadResponse } from './readRequest.js';
import { analyseImage, notAnalysed, type ImageAnalysis } from '../image/analyse.js';
import { isAnalysableImage, mayBeImage, MAX_IMAGE_BYTES } from '../image/formats.js';

const CHUNK = 1 << 21;
const buffer = Buffer.allocUnsafe(CHUNK);
/** Enough of a file's start for mayBeImage. */
const peek = Buffer.allocUnsafe(16);

/**
 * MD5, SHA-1 and SHA-256 of a file from one read, and its type from its first bytes; for a picture,
 * its analysis from the same bytes when `shouldAnalyse` says its content still needs one.
 */
export async function readFileDigests(req: ReadRequest, shouldAnalyse: (sha256: string) => Promise<boolean>): Promise<ReadResponse> {
  const path = Buffer.from(req.path.buffer, req.path.byteOffset, req.path.byteLength);
  let fd: number | undefined;
  try {
    fd = openEvidence(path);
    const before = fstatSync(fd, { bigint: true });
    if (!before.isFile() && !before.isBlockDevice()) {
      return { id: req.id, ok: false, code: 'ENOTREG', message: 'no longer a regular file' };
    }
    const md5 = createHash('md5');
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    let head: Buffer | null = null;
    let size = 0;
    // A picture is read straight into one buffer of the size fstat gave, which then goes to its
    // analysis as it is: the file is read once and its bytes are never copied. The first bytes
    // are looked at (a positioned read, leaving the file position alone) to choose the buffer.
    let kept: Buffer | null = null;
    const expected = before.isFile() ? Number(before.size) : 0;
    if (expected > 0 && expected <= MAX_IMAGE_BYTES && mayBeImage(peek.subarray(0, readSync(fd, peek, 0, peek.length, 0)))) {
      kept = Buffer.allocUnsafe(expected);
    }
    for (;;) {
      const target = kept && size < kept.length ? kept.subarray(size, size + CHUNK) : buffer;
      const n = readSync(fd, target, 0, target.length, null);
      if (n === 0) break;
      const chunk = target.subarray(0, n);
      if (kept && target === buffer) {
        // The file grew after fstat: the extra bytes are appended, up to the picture limit.
        kept = size + n > MAX_IMAGE_BYTES ? null : Buffer.concat([kept.subarray(0, size), chunk]);
      }
      if (head === null || head.length < SNIFF_BYTES) {
        head = head === null ? Buffer.from(chunk.subarray(0, SNIFF_BYTES)) : Buffer.concat([head, chunk]).subarray(0, SNIFF_BYTES);
      }
      md5.update(chunk);
      sha1.update(chunk);
      sha256.update(chunk);
      size += n;
    }
    const after = fstatSync(fd, { bigint: true });
    const digests = { md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex') };
    const type = await sniff(head ?? Buffer.alloc(0), size);
    let image: ImageAnalysis | null = null;
    if (isAnalysableImage(type.mime)) {
      if (!kept) {
        image = notAnalysed(size > MAX_IMAGE_BYTES ? `not analysed: larger than ${MAX_IMAGE_BYTES} bytes` : 'not analysed: no picture signature the decoder knows');
      } else if (await shouldAnalyse(digests.sha256)) {
        image = await analyseImage(kept.subarray(0, size));
      }
    }
    return {
      id: req.id,
      ok: true,
      ...digests,
      size,
      mime: type.mime,
      ext: type.ext,
      changedDuringIntake:
        (before.isFile() && size !== req.listedSize) ||
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
