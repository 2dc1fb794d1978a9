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

/** MD5, SHA-1 and SHA-256 of a file from one read, and its type from its first bytes. */
export async function readFileDigests(req: ReadRequest): Promise<ReadResponse> {
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
    // A picture's bytes are kept from this read for its analysis, so it is read once.
    let kept: Buffer[] | null = null;
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      const chunk = buffer.subarray(0, n);
      if (size === 0 && before.isFile() && mayBeImage(chunk)) kept = [];
      if (kept && size + n > MAX_IMAGE_BYTES) kept = null;
      kept?.push(Buffer.from(chunk));
      if (head === null || head.length < SNIFF_BYTES) {
        head = head === null ? Buffer.from(chunk.subarray(0, SNIFF_BYTES)) : Buffer.concat([head, chunk]).subarray(0, SNIFF_BYTES);
      }
      md5.update(chunk);
      sha1.update(chunk);
      sha256.update(chunk);
      size += n;
    }
    const after = fstatSync(fd, { bigint: true });
    const type = await sniff(head ?? Buffer.alloc(0), size);
    let image: ImageAnalysis | null = null;
    if (isAnalysableImage(type.mime)) {
      image = kept
        ? await analyseImage(Buffer.concat(kept))
        : notAnalysed(size > MAX_IMAGE_BYTES ? `not analysed: larger than ${MAX_IMAGE_BYTES} bytes` : 'not analysed: no picture signature the decoder knows');
    }
    return {
      id: req.id,
      ok: true,
      md5: md5.digest('hex'),
      sha1: sha1.digest('hex'),
      sha256: sha256.digest('hex'),
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
