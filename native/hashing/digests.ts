import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { MAX_IMAGE_BYTES, mayBeImage } from '../image/formats.js';

export interface FileDigests {
  md5: string;
  sha1: string;
  sha256: string;
  size: number;
  /** The first bytes, for type sniffing. */
  head: Buffer;
  /** The whole content when it may be a picture (kept from the same read), otherwise null. */
  bytes: Buffer | null;
}

const CHUNK = 1 << 21;

/**
 * MD5, SHA-1 and SHA-256 of a file from one read, keeping the bytes of what may be a picture so
 * that it can be analysed without reading the file again. Throws the file system's error.
 */
export function digestFile(path: string): FileDigests {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG', path });
    const md5 = createHash('md5');
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    const chunks: Buffer[] = [];
    let keep = stat.size <= MAX_IMAGE_BYTES;
    let head: Buffer | null = null;
    let size = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      const data = chunk.subarray(0, n);
      if (head === null) {
        head = Buffer.from(data.subarray(0, 4100));
        keep &&= mayBeImage(head);
      }
      md5.update(data);
      sha1.update(data);
      sha256.update(data);
      if (keep) chunks.push(data);
      size += n;
    }
    return {
      md5: md5.digest('hex'),
      sha1: sha1.digest('hex'),
      sha256: sha256.digest('hex'),
      size,
      head: head ?? Buffer.alloc(0),
      bytes: keep ? Buffer.concat(chunks) : null,
    };
  } finally {
    closeSync(fd);
  }
}
