import { closeSync, fsyncSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZipWriter, Uint8ArrayReader } from '@zip.js/zip.js';
import { compareText } from './manifest.js';
import { writeAll } from '../util/durableFile.js';

/**
 * A zip of a package folder: its files under one folder named PREFIX (the package's name), in name
 * order, with the case's "as of" time as every entry's date and no extra time fields, so the same
 * folder always gives the same zip. On the disk (fsync) when this returns.
 */
export async function zipFolder(dir: string, zipPath: string, prefix: string, entryDate: Date): Promise<void> {
  const names = readdirSync(dir).sort(compareText);
  const fd = openSync(zipPath, 'wx');
  try {
    const writable = new WritableStream<Uint8Array>({ write(chunk) { writeAll(fd, chunk); } });
    const zip = new ZipWriter(writable, { extendedTimestamp: false, lastModDate: entryDate, level: 6 });
    for (const name of names) {
      await zip.add(`${prefix}/${name}`, new Uint8ArrayReader(readFileSync(join(dir, name))));
    }
    await zip.close();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
