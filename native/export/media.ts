import { closeSync, createReadStream, fstatSync, fsyncSync, openSync, statSync } from 'node:fs';
import { writeAll } from '../util/durableFile.js';
import { openEvidence } from '../intake/openEvidence.js';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { ZipWriter, configure } from '@zip.js/zip.js';
import type { Finding, Instance } from './collect.js';
import { KestrelError, describeError } from '../util/result.js';

/** What the manifest says of the media: for each finding, its entry in the encrypted zip. */
export interface MediaItem {
  entry: string;
  sha256: string;
  size: number;
}

export const MEDIA_ENCRYPTION = 'AES-256 (WinZip AE-2), entries stored';
export const MIN_PASSPHRASE_LENGTH = 12;

configure({ useWebWorkers: false });

/**
 * Writes the media of the findings into an AES-256 ZIP that 7-Zip (and WinZip, and Windows with
 * 7-Zip installed) opens with the passphrase. Each file is read again from the evidence, read-only,
 * and its SHA-256 checked against the catalogue as it streams in: bytes that are not the catalogued
 * content never enter the package. The passphrase is only passed to the encryption; nothing here
 * writes it anywhere.
 *
 * Entries are named by SHA-256 and extension: the paths, which can themselves be evidence, are in
 * the findings files, not in the zip's cleartext directory.
 *
 * The zip's own SHA-256 and size, for the manifest, are taken from the bytes as they are written:
 * reading the zip back would read all the media a second time (and a whole-file read stops at 2 GiB).
 */
export async function writeEncryptedMedia(
  file: string, findings: readonly Finding[], passphrase: string, entryDate: Date,
): Promise<{ items: MediaItem[]; sha256: string; size: number }> {
  checkPassphrase(passphrase);
  const fd = openSync(file, 'wx', 0o600);
  const items: MediaItem[] = [];
  const hash = createHash('sha256');
  let size = 0;
  try {
    const writable = new WritableStream<Uint8Array>({
      write(chunk) {
        // What is hashed must be what is on disk, so a short write is finished rather than ignored.
        writeAll(fd, chunk);
        hash.update(chunk);
        size += chunk.byteLength;
      },
    });
    const zip = new ZipWriter(writable, {
      password: passphrase,
      encryptionStrength: 3,
      zipCrypto: false,
      extendedTimestamp: false,
      lastModDate: entryDate,
      level: 0,
    });
    for (const f of findings) {
      const entry = `${f.sha256}${entryExtension(f)}`;
      await addVerified(zip, entry, f);
      items.push({ entry, sha256: f.sha256, size: f.size });
    }
    await zip.close();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { items, sha256: hash.digest('hex'), size };
}

export function checkPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new KestrelError(`the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`, 'E_PASSPHRASE');
  }
}

function entryExtension(f: Finding): string {
  const ext = f.instances.map((i) => i.extension).find((e): e is string => !!e && /^[A-Za-z0-9]{1,10}$/.test(e));
  return ext ? `.${ext.toLowerCase()}` : '';
}

async function addVerified(zip: ZipWriter<unknown>, entry: string, f: Finding): Promise<void> {
  const failures: string[] = [];
  for (const inst of f.instances) {
    const path = evidencePath(inst);
    let fd: number;
    try {
      fd = openEvidence(path);
      if (!fstatSync(fd).isFile()) {
        closeSync(fd);
        failures.push(`${inst.exhibitLabel}:${inst.pathText}: not a regular file`);
        continue;
      }
    } catch (err) {
      failures.push(`${inst.exhibitLabel}:${inst.pathText}: ${describeError(err)}`);
      continue;
    }
    const hash = createHash('sha256');
    let size = 0;
    const source = Readable.toWeb(createReadStream('', { fd, autoClose: true })) as ReadableStream<Uint8Array>;
    const checked = source.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        hash.update(chunk);
        size += chunk.byteLength;
        ctl.enqueue(chunk);
      },
      flush() {
        const got = hash.digest('hex');
        if (got !== f.sha256 || size !== f.size) {
          throw new KestrelError(
            `${inst.exhibitLabel}:${inst.pathText}: the file on the exhibit no longer has the catalogued content (SHA-256 ${got}, catalogue ${f.sha256}); media not exported`,
            'E_MEDIA_CHANGED',
          );
        }
      },
    }));
    await zip.add(entry, checked);
    return;
  }
  throw new KestrelError(
    `content ${f.sha256}: cannot read it from any of its ${f.instances.length} places on the exhibits (${failures.join('; ')})`,
    'E_MEDIA_UNREADABLE',
  );
}

/** Instance paths are relative to the exhibit's source folder; a source that is one file is its only entry. */
function evidencePath(inst: Instance): Buffer {
  const source = Buffer.from(inst.exhibitSource, 'utf8');
  let isDir = true;
  try {
    isDir = statSync(source).isDirectory();
  } catch {
    // An unreachable source fails below, on open, with the instance's path in the message.
  }
  return isDir ? Buffer.concat([source, Buffer.from('/'), inst.path]) : source;
}

