import { lstatSync, readlinkSync, type BigIntStats } from 'node:fs';
import { basename } from 'node:path';
import { listFolder } from '../fsnoatime/listFolder.js';

export type EntryType = 'file' | 'directory' | 'symlink' | 'fifo' | 'socket' | 'char-device' | 'block-device' | 'unknown';

export interface WalkEntry {
  /** Path relative to the source root, as the raw bytes of the names joined by '/'. */
  rel: Buffer;
  abs: Buffer;
  type: EntryType;
  stat: BigIntStats | null;
  linkTarget: Buffer | null;
  /** Set when the entry could not be examined (or, for a folder, listed). */
  error: { code: string; message: string } | null;
}

const SLASH = Buffer.from('/');

export function entryType(st: BigIntStats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char-device';
  if (st.isBlockDevice()) return 'block-device';
  return 'unknown';
}

function osError(err: unknown): { code: string; message: string } {
  const e = err as NodeJS.ErrnoException;
  return { code: e.code ?? 'UNKNOWN', message: e.message ?? String(err) };
}

function examine(abs: Buffer, rel: Buffer): WalkEntry {
  let stat: BigIntStats;
  try {
    stat = lstatSync(abs, { bigint: true });
  } catch (err) {
    return { rel, abs, type: 'unknown', stat: null, linkTarget: null, error: osError(err) };
  }
  const type = entryType(stat);
  let linkTarget: Buffer | null = null;
  let error: WalkEntry['error'] = null;
  if (type === 'symlink') {
    try {
      linkTarget = readlinkSync(abs, { encoding: 'buffer' });
    } catch (err) {
      error = osError(err);
    }
  }
  return { rel, abs, type, stat, linkTarget, error };
}

/**
 * Every entry below a source folder, depth first, names in byte order so that two walks of the same
 * source give the same sequence. Uses lstat only: symbolic links are recorded, never followed, so the
 * walk cannot leave the source. Nothing is opened for writing; folders are listed with O_NOATIME where
 * the kernel permits it (see listFolder). A source that is a single file (a disk image, say) yields
 * that one entry.
 */
export function* walkSource(source: Buffer): Generator<WalkEntry> {
  const root = examine(source, Buffer.from(basename(source.toString('latin1')), 'latin1'));
  if (root.type !== 'directory') {
    yield root;
    return;
  }
  // The root itself is the exhibit's source, recorded on the exhibit; entries are what lies below it.
  const stack: WalkEntry[] = [{ ...root, rel: Buffer.alloc(0) }];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const isRoot = dir.rel.length === 0;
    let names: Buffer[];
    try {
      names = listFolder(dir.abs).names;
    } catch (err) {
      if (isRoot) throw err;
      yield { ...dir, error: listError(err) };
      continue;
    }
    names.sort(Buffer.compare);
    const subdirs: WalkEntry[] = [];
    for (const name of names) {
      const rel = isRoot ? name : Buffer.concat([dir.rel, SLASH, name]);
      const entry = examine(Buffer.concat([dir.abs, SLASH, name]), rel);
      // A folder is yielded once it has been listed, so that a listing error lands on its own row.
      if (entry.type === 'directory' && entry.error === null) subdirs.push(entry);
      else yield entry;
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
    if (!isRoot) yield dir;
  }
}

function listError(err: unknown): { code: string; message: string } {
  const e = osError(err);
  return { code: e.code, message: `cannot list folder: ${e.message}` };
}
