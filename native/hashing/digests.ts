import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { MAX_IMAGE_BYTES, mayBeImage } from '../image/formats.js';
import { SNIFF_BYTES } from '../intake/sniff.js';

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
const buffer = Buffer.allocUnsafe(CHUNK);
/** Enough of a file's start for mayBeImage. */
const peek = Buffer.allocUnsafe(16);

/**
 * MD5, SHA-1 and SHA-256 of an open file from one read, from its current position to its end,
 * keeping the bytes of what may be a picture so that it can be analysed without reading the file
 * again. `expectedSize` is the size fstat gave (0 when it gave none, as for a block device).
 */
export function digestOpenFile(fd: number, expectedSize: number): FileDigests {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  let head: Buffer | null = null;
  let size = 0;
  // A picture is read straight into one buffer of the size fstat gave, which then goes to its
  // analysis as it is: the file is read once and its bytes are never copied. The first bytes
  // are looked at (a positioned read, leaving the file position alone) to choose the buffer.
  let kept: Buffer | null = null;
  if (expectedSize > 0 && expectedSize <= MAX_IMAGE_BYTES && mayBeImage(peek.subarray(0, readSync(fd, peek, 0, peek.length, 0)))) {
    kept = Buffer.allocUnsafe(expectedSize);
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
  return {
    md5: md5.digest('hex'),
    sha1: sha1.digest('hex'),
    sha256: sha256.digest('hex'),
    size,
    head: head ?? Buffer.alloc(0),
    bytes: kept ? kept.subarray(0, size) : null,
  };
}

/** The same digests of content already in memory (a picture read out of a disk image). */
export function digestBytes(bytes: Buffer): FileDigests {
  const hex = (algorithm: string) => createHash(algorithm).update(bytes).digest('hex');
  return {
    md5: hex('md5'), sha1: hex('sha1'), sha256: hex('sha256'), size: bytes.length,
    head: bytes.subarray(0, SNIFF_BYTES), bytes: bytes.length <= MAX_IMAGE_BYTES ? bytes : null,
  };
}

/** digestOpenFile of a regular file by its path. Throws the file system's error. */
export function digestFile(path: string): FileDigests {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG', path });
    return digestOpenFile(fd, stat.size);
  } finally {
    closeSync(fd);
  }
}
