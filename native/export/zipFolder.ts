import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ZipWriter, Uint8ArrayReader } from '@zip.js/zip.js';
import { compareText } from './manifest.js';

/**
 * A zip of a package folder: its files under one folder of the package's name, in name order, with
 * the case's "as of" time as every entry's date and no extra time fields, so the same folder always
 * gives the same zip.
 */
export async function zipFolder(dir: string, zipPath: string, entryDate: Date): Promise<void> {
  const prefix = basename(dir);
  const names = readdirSync(dir).sort(compareText);
  const fd = openSync(zipPath, 'wx');
  try {
    const writable = new WritableStream<Uint8Array>({ write(chunk) { writeSync(fd, chunk); } });
    const zip = new ZipWriter(writable, { extendedTimestamp: false, lastModDate: entryDate, level: 6 });
    for (const name of names) {
      await zip.add(`${prefix}/${name}`, new Uint8ArrayReader(readFileSync(join(dir, name))));
    }
    await zip.close();
  } finally {
    closeSync(fd);
  }
}
