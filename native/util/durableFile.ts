import { closeSync, fsyncSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KestrelError, describeError } from './result.js';

/**
 * Outputs (case packages, their zip, shared hash lists) are written under a `.partial-PID` name,
 * synced, and only then given their final name, so a file under its final name is always whole:
 * a kill or a full disk leaves at most a `.partial-PID` file, which the next run to the same name
 * removes.
 */
export function partialName(final: string): string {
  return `${final}.partial-${process.pid}`;
}

/** Writes every byte (a short write is continued, not ignored). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength;) done += writeSync(fd, bytes, done);
}

/** A new file (never over an existing one) holding BYTES, on the disk before this returns. */
export function writeFileDurable(path: string, bytes: Uint8Array, mode = 0o644): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeAll(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename or a new name in DIR survive a power cut (the entry lives in the folder). */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes what interrupted runs left beside FINAL (`FINAL.partial-PID`, files or folders) when their
 * process is gone; returns what was removed. A live process's partial output is left alone.
 */
export function removeStalePartials(final: string): string[] {
  const dir = dirname(final);
  const prefix = `${basename(final)}.partial-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isSafeInteger(pid) || pid <= 0 || (pid !== process.pid && processAlive(pid))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system or the file size limit',
  EROFS: 'the file system is read-only',
  EIO: 'input/output error on the device',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/** One line naming the file a write failed on and why, in words (Node's own text names no path). */
export function writeFailure(path: string, err: unknown, consequence: string): KestrelError {
  if (err instanceof KestrelError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const why = code && WRITE_FAILURES[code] ? `${WRITE_FAILURES[code]} (${code})` : describeError(err);
  return new KestrelError(`${path}: cannot write: ${why}; ${consequence}`, code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' ? 'E_DISK_FULL' : 'E_WRITE');
}
