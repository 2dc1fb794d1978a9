import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ZipReader, configure, type Entry, type FileEntry } from '@zip.js/zip.js';
import { FileHandleReader } from '../util/zipFileHandle.js';
import { KestrelError, describeError } from '../util/result.js';
import { compareText } from './manifest.js';

configure({ useWebWorkers: false });

/**
 * A package's files as verify sees them, read from a folder or a zip without trusting either: only
 * regular files are opened (never followed links, FIFOs or devices, which hung verify or fed it
 * /dev/zero), zip members are streamed with their expansion bounded, and a name that two zip
 * entries share, or that is not a plain relative path, is refused rather than read one way.
 */
export interface PackageFiles {
  /** Every name in the package, refused ones included. */
  names: string[];
  /** Names that are not read, with the reason (a link, a FIFO, a duplicate, a bomb). */
  refused: Map<string, string>;
  /**
   * Streams a file to `onChunk`, stopping once more than `limit` bytes came out. Undefined when the
   * package has no such readable file; a string when reading failed (the reason).
   */
  consume(name: string, limit: number, onChunk: (chunk: Uint8Array) => void): Promise<{ bytes: number; overLimit: boolean } | string | undefined>;
  close(): Promise<void>;
}

/** Expansion allowed for a zip member: the package's text files compress about 5-20 times; deflate's own limit is 1032. */
export const MAX_ZIP_RATIO = 100;
/** Below this a member may expand as it likes (a small JSON of repeated spaces is not a bomb). */
const RATIO_FREE_BYTES = 1 << 20;

export async function openPackage(path: string): Promise<PackageFiles> {
  let st: Stats;
  try {
    // The path the examiner named may be a link to the package; inside it, nothing is followed.
    st = statSync(path);
  } catch {
    throw new KestrelError(`${path}: no such file or folder`, 'E_NO_PACKAGE');
  }
  if (st.isDirectory()) return folderFiles(path);
  if (st.isFile()) return zipFiles(path);
  throw new KestrelError(`${path}: neither a package folder nor a zip (${fileKind(st)})`, 'E_NO_PACKAGE');
}

function fileKind(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

function folderFiles(dir: string): PackageFiles {
  const names: string[] = [];
  const refused = new Map<string, string>();
  const walk = (folder: string, prefix: string) => {
    for (const name of readdirSync(folder)) {
      const full = join(folder, name);
      const relative = `${prefix}${name}`;
      const st = lstatSync(full);
      if (st.isDirectory()) {
        walk(full, `${relative}/`);
        continue;
      }
      names.push(relative);
      if (st.isSymbolicLink()) refused.set(relative, `a symbolic link (to ${readlinkSync(full)}), not followed: a package holds regular files only`);
      else if (!st.isFile()) refused.set(relative, `${fileKind(st)}, not opened: a package holds regular files only`);
    }
  };
  walk(dir, '');
  names.sort(compareText);
  const known = new Set(names);
  return {
    names,
    refused,
    async consume(name, limit, onChunk) {
      if (!known.has(name) || refused.has(name)) return undefined;
      let fd: number;
      try {
        // No-follow and non-blocking: a file swapped for a link or a FIFO since the walk is refused, not waited on.
        fd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      } catch (err) {
        return describeError(err);
      }
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) return `${fileKind(st)}, not read: a package holds regular files only`;
        const buffer = Buffer.allocUnsafe(1 << 20);
        let bytes = 0;
        for (;;) {
          const n = readSync(fd, buffer, 0, buffer.length, null);
          if (n === 0) return { bytes, overLimit: false };
          bytes += n;
          if (bytes > limit) return { bytes, overLimit: true };
          onChunk(buffer.subarray(0, n));
        }
      } catch (err) {
        return describeError(err);
      } finally {
        closeSync(fd);
      }
    },
    close: async () => undefined,
  };
}

/** Why a member's name cannot be taken as a package path, or null when it can. */
function unsafeName(name: string): string | null {
  if (name.includes('\0')) return 'a NUL byte in its name';
  if (name.includes('\\')) return 'a backslash in its name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute name';
  if (name.split('/').some((part) => part === '' || part === '.' || part === '..')) return 'an empty, "." or ".." part in its name';
  return null;
}

/** A zip holds the package's files either at its root or under one folder (as `kestrel export --zip` writes it). */
async function zipFiles(file: string): Promise<PackageFiles> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new KestrelError(`${file}: cannot be opened (${describeError(err)})`, 'E_NO_PACKAGE');
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new KestrelError(`${file}: neither a package folder nor a zip (${fileKind(st)})`, 'E_NO_PACKAGE');
  }
  const reader = new ZipReader(new FileHandleReader(handle, st.size), { checkOverlappingEntry: true });
  let entries: Entry[];
  try {
    // Names are checked below, one member at a time, so that the refusal names the member.
    entries = await reader.getEntries({ filenameValidation: 'tolerant' });
  } catch (err) {
    await handle.close();
    throw new KestrelError(`${file}: not a readable zip (${describeError(err)})`, 'E_NO_PACKAGE');
  }
  const members = entries.filter((e): e is FileEntry => !e.directory);
  const all = members.map((e) => e.filename);
  const top = all.length > 0 && all.every((n) => n.includes('/')) ? all[0]!.slice(0, all[0]!.indexOf('/') + 1) : '';
  const strip = top && all.every((n) => n.startsWith(top)) ? top : '';
  const byName = new Map<string, FileEntry[]>();
  for (const e of members) {
    const name = e.filename.slice(strip.length);
    byName.set(name, [...(byName.get(name) ?? []), e]);
  }
  const refused = new Map<string, string>();
  for (const [name, list] of byName) {
    const e = list[0]!;
    const unsafe = unsafeName(name);
    const ratio = e.compressedSize > 0 ? e.uncompressedSize / e.compressedSize : Infinity;
    if (list.length > 1) refused.set(name, `${list.length} entries of this name in the zip (readers would disagree on which one counts), none read`);
    else if (unsafe) refused.set(name, `${unsafe}, not read`);
    else if (e.symlink) refused.set(name, 'a symbolic link, not followed: a package holds regular files only');
    else if (e.encrypted) refused.set(name, 'encrypted in the zip, not read: a package zip is not encrypted (media.zip inside it is)');
    else if (e.uncompressedSize > RATIO_FREE_BYTES && ratio > MAX_ZIP_RATIO) {
      refused.set(name, `would expand ${e.compressedSize} bytes to ${e.uncompressedSize} (${ratio === Infinity ? 'from nothing' : `${Math.round(ratio)} times`}; at most ${MAX_ZIP_RATIO} allowed), not extracted`);
    }
  }
  return {
    names: [...byName.keys()].sort(compareText),
    refused,
    async consume(name, limit, onChunk) {
      const entry = byName.get(name)?.[0];
      if (!entry || refused.has(name)) return undefined;
      // The header's size bounds the stream too: a member that inflates past what it declared is cut off there.
      const cap = Math.min(limit, entry.uncompressedSize);
      let bytes = 0;
      let overLimit = false;
      const sink = new WritableStream<Uint8Array>({
        write(chunk) {
          bytes += chunk.length;
          if (bytes > cap) {
            overLimit = true;
            throw new Error('over the limit');
          }
          onChunk(chunk);
        },
      });
      try {
        await entry.getData(sink, { checkSignature: true });
      } catch (err) {
        if (!overLimit) return describeError(err);
      }
      if (overLimit && bytes > entry.uncompressedSize && entry.uncompressedSize < limit) {
        return `expands beyond the ${entry.uncompressedSize} bytes its zip header declares; cut off there`;
      }
      return { bytes, overLimit };
    },
    async close() {
      await reader.close();
      await handle.close();
    },
  };
}
