import { constants, openSync } from 'node:fs';

/**
 * Opens evidence read-only and never follows a link (a file replaced by a link since it was listed
 * fails rather than leading out of the source); O_NONBLOCK so that a file swapped for a FIFO cannot
 * hang us. O_NOATIME keeps access times as they were; the kernel allows it only to the file's owner
 * or a privileged user, so without it we still read, read-only.
 */
export function openEvidence(path: Buffer): number {
  const base = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  if (constants.O_NOATIME !== undefined) {
    try {
      return openSync(path, base | constants.O_NOATIME);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  return openSync(path, base);
}
