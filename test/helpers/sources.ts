import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, lutimesSync, mkdirSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Deterministic bytes (a counter hashed with a seed), so that sources are the same on every run. */
export function pseudoRandom(seed: string, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  let n = 0;
  while (off < size) {
    const block = createHash('sha512').update(`${seed}:${n++}`).digest();
    off += block.copy(out, off, 0, Math.min(block.length, size - off));
  }
  return out;
}

export interface SourceSpec { files: number; folders: number; maxSize: number; bigEvery?: number; bigSize?: number }

/** A folder tree of `files` files spread over `folders` folders, sizes from 0 up. */
export function makeSource(root: string, spec: SourceSpec): void {
  for (let d = 0; d < spec.folders; d++) mkdirSync(join(root, `dir${d}`, `sub${d % 3}`), { recursive: true });
  for (let i = 0; i < spec.files; i++) {
    const dir = join(root, `dir${i % spec.folders}`, i % 2 ? `sub${(i % spec.folders) % 3}` : '');
    const big = spec.bigEvery && i % spec.bigEvery === 0;
    const size = big ? spec.bigSize! : (i * 7919) % (spec.maxSize + 1);
    writeFile(join(dir, `file${i}.bin`), pseudoRandom(`f${i}`, size));
  }
}

function writeFile(path: string, data: Buffer): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

export interface Snapshot { [path: string]: { sha256: string | null; mtimeNs: string; atimeNs: string; mode: number; size: string } }

/**
 * The content hash and times of every entry below root, to prove that an intake changed nothing.
 * Access times are taken for everything but symbolic links: reading a link's target (readlink) moves
 * its access time on a writable mount and no flag prevents that, so an intake cannot promise it there
 * (the read-only mount test covers links). Folders' are kept by the intake (it lists them with
 * O_NOATIME), but listing one here moves it: pass `paths` gathered with listAll before aging.
 */
export function snapshot(root: string, paths: readonly string[] = listAll(root)): Snapshot {
  const out: Snapshot = {};
  for (const r of paths) {
    const st = lstatSync(join(root, r), { bigint: true });
    out[r] = {
      sha256: st.isFile() ? sha256NoAtime(join(root, r)) : null,
      mtimeNs: st.mtimeNs.toString(),
      atimeNs: st.isSymbolicLink() ? '' : st.atimeNs.toString(),
      mode: Number(st.mode),
      size: st.size.toString(),
    };
  }
  return out;
}

/** Every entry below root, folders first. Listing a folder (readdir) moves its access time: list before aging. */
export function listAll(root: string, rel = ''): string[] {
  return readdirSync(join(root, rel)).flatMap((name) => {
    const r = rel ? `${rel}/${name}` : name;
    return lstatSync(join(root, r)).isDirectory() ? [r, ...listAll(root, r)] : [r];
  });
}

/**
 * Sets the access time of each of `paths` (files, folders and links alike) a day before its
 * modification time: with the usual relatime mount option the kernel then updates atime on the next
 * plain read or listing, so a test sees whether we avoided it. Gather `paths` first (listAll): the
 * listing itself moves folders' access times.
 */
export function ageAccessTimes(root: string, paths: readonly string[]): void {
  for (const p of paths) {
    const st = lstatSync(join(root, p));
    lutimesSync(join(root, p), new Date(st.mtimeMs - 86_400_000), st.mtime);
  }
}

/** SHA-256 of a file read without touching its access time (the check must not disturb what it checks). */
export function sha256NoAtime(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NOATIME ?? 0));
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(1 << 20);
    const size = Number(fstatSync(fd).size);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      done += n;
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}
