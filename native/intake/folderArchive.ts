import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../catalog/sqlite.js';
import { openEvidence } from './openEvidence.js';
import type { Materialized } from './archiveIntake.js';

const CHUNK = 1 << 20;

/**
 * An archive found in a folder exhibit, copied into the case's temporary folder for the archive
 * reader. The reader (7-Zip in WASM) opens what it is given through Emscripten's file system, which
 * updates the access time of evidence; the copy is read through openEvidence (O_NOATIME, no link
 * followed) and hashed on the way, and an archive that no longer has the SHA-256 it was catalogued
 * with is refused rather than expanded into members it never held.
 */
export function folderArchiveMaterializer(db: Db, locate: (rel: Buffer) => Buffer) {
  const catalogued = db.prepare('SELECT c.sha256 FROM file_instance f JOIN content c ON c.id = f.content_id WHERE f.id = ?').pluck();
  return async (row: { id: number; path: Buffer }, tmp: string): Promise<Materialized> => {
    const file = join(tmp, `archive-${row.id}`);
    const src = openEvidence(locate(row.path));
    let out: number | null = null;
    try {
      out = openSync(file, 'wx', 0o600);
      const sha256 = createHash('sha256');
      const buf = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const n = readSync(src, buf, 0, CHUNK, null);
        if (n === 0) break;
        sha256.update(buf.subarray(0, n));
        for (let done = 0; done < n;) done += writeSync(out, buf, done, n - done);
        // Hand the event loop back between chunks: the UI server stays responsive during a large copy.
        await new Promise<void>((r) => setImmediate(r));
      }
      const digest = sha256.digest('hex');
      const expected = catalogued.get(row.id) as string | undefined;
      if (digest !== expected) throw new Error(`it changed since it was hashed (SHA-256 now ${digest}, catalogued ${expected ?? 'none'})`);
    } catch (err) {
      if (out !== null) closeSync(out);
      out = null;
      rmSync(file, { force: true });
      throw err;
    } finally {
      if (out !== null) closeSync(out);
      closeSync(src);
    }
    return { path: file, cleanup: () => rmSync(file, { force: true }) };
  };
}
