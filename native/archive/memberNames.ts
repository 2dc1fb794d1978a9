import { closeSync, createWriteStream, openSync, readSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { ZipReader, configure } from '@zip.js/zip.js';
import { FileHandleReader } from '../util/zipFileHandle.js';
import type { ArchiveMember } from './archiveClient.js';

configure({ useWebWorkers: false });

/**
 * Member names as the archive stores them. 7-Zip in WASM turns a zip or tar name that is not UTF-8
 * (CP437, Latin-1 or Shift-JIS from Windows tools and old Unix tars) into other characters, and
 * swallows bytes around them ('café' in CP437 came out as 'caf' and a character U+AEB38, '.tx'
 * gone), so the catalogue would show a name the evidence never held. The names are therefore read
 * again from the archive's own headers, as bytes:
 *  - zip: the central directory through zip.js (already a dependency; it keeps each entry's
 *    raw name bytes and checks the Info-ZIP Unicode Path extra field's CRC against them). A name
 *    flagged UTF-8 (bit 11) is taken as stored; otherwise a valid Unicode Path field's UTF-8 name;
 *    otherwise the stored bytes, whatever code page wrote them.
 *  - tar: the headers walked here (ustar name and prefix, pax `path` records, GNU long names).
 *    tar-stream decodes pax records as UTF-8 text, which is the loss this module exists to avoid,
 *    and reads through every member's content to reach the next header; a walk seeks.
 * Names stay bytes: the catalogue shows what is not UTF-8 as \xNN (util/pathBytes.ts).
 * 7-Zip still extracts the members whose names are UTF-8 (its listing then names the file it
 * writes). For the others, the name it lists is not even the name it writes (a Latin-1 'été.txt'
 * was listed as '鴩.txt' and written as '\ufffdt\ufffd.txt'), so those members are copied out
 * here by their place in the archive: a tar member's bytes from its offset, a zip member through
 * zip.js (stored, deflate and deflate64, CRC checked, cut off at its declared size).
 */
export interface NamedMember extends ArchiveMember {
  /** The member's name as the archive stores it (without a folder's trailing '/'). */
  name: Buffer;
  /** Where 7-Zip writes the member below its extraction folder; null when it is copied out here (`StoredArchive.extract`). */
  diskPath: string | null;
  /** The member's place in the archive. */
  index: number;
}

export interface NamedListing {
  members: NamedMember[];
  /** 'archive headers' when the names are the stored bytes, '7-Zip' when 7-Zip's reading was kept. */
  names: 'archive headers' | '7-Zip';
  /** Why the stored names were not used, when they were not. */
  namesNote: string | null;
}

export interface StoredName { name: Buffer; isDir: boolean; size: number }
interface TarMember extends StoredName { dataOffset: number; regular: boolean }

/** A zip or tar archive opened to read its members' stored names and copy members out by index. */
export interface StoredArchive {
  names: StoredName[];
  /** Writes member `index` to `dest`; throws saying why it cannot. */
  extract(index: number, dest: string): Promise<void>;
  close(): Promise<void>;
}

/** A zip or tar archive opened, or null for the other types (7z stores UTF-16 names, RAR5 UTF-8; RAR4 and gzip names stay 7-Zip's). */
export async function openStored(file: string, type: string | null): Promise<StoredArchive | null> {
  if (type === 'zip') return openZip(file);
  if (type === 'tar') return openTar(file);
  return null;
}

/**
 * 7-Zip's listing with each member's stored name. 7-Zip lists a zip's and a tar's members in the
 * order the archive holds them; the pairing is checked member by member (kind, size, and the name
 * itself wherever the stored bytes are UTF-8) and 7-Zip's names are kept if any check fails.
 */
export function nameMembers(archive: StoredArchive | null, members: ArchiveMember[]): NamedListing {
  const sevenZip = (note: string | null): NamedListing => ({
    members: members.map((m, index) => ({ ...m, name: Buffer.from(m.path, 'utf8'), diskPath: m.path, index })), names: '7-Zip', namesNote: note,
  });
  if (archive === null) return sevenZip(null);
  const stored = archive.names;
  if (stored.length !== members.length) return sevenZip(`the headers hold ${stored.length} members, 7-Zip listed ${members.length}`);
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    const s = stored[i]!;
    const text = utf8(s.name);
    const mismatch = m.isDir !== s.isDir ? 'kind'
      : !m.isDir && m.size !== null && m.size !== s.size ? 'size'
      : text !== null && slashes(text) !== slashes(m.path) ? 'name'
      : null;
    if (mismatch) return sevenZip(`member ${i + 1} differs in ${mismatch} between the headers and 7-Zip's listing`);
  }
  return {
    members: members.map((m, index) => ({ ...m, name: stored[index]!.name, diskPath: utf8(stored[index]!.name) === null ? null : m.path, index })),
    names: 'archive headers',
    namesNote: null,
  };
}

/** The archive opened for its stored names, or a note saying why they cannot be read (7-Zip's names are kept then). */
export async function tryOpenStored(file: string, type: string | null): Promise<StoredArchive | null | { note: string }> {
  try {
    return await openStored(file, type);
  } catch (err) {
    return { note: `stored names not readable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function utf8(b: Buffer): string | null {
  try {
    return strictUtf8.decode(b);
  } catch {
    return null;
  }
}

function slashes(s: string): string {
  return s.replace(/\\/g, '/');
}

/** A folder's trailing '/' goes, as 7-Zip drops it (a leading './' stays, as 7-Zip keeps it). */
function trimName(b: Buffer): Buffer {
  let end = b.length;
  while (end > 1 && b[end - 1] === 0x2f) end -= 1;
  return Buffer.from(b.subarray(0, end));
}

async function openZip(file: string): Promise<StoredArchive> {
  const handle = await open(file, 'r');
  try {
    const reader = new ZipReader(new FileHandleReader(handle, (await handle.stat()).size));
    const entries = await reader.getEntries({ filenameValidation: 'tolerant' });
    const names = entries.map((e) => {
      const unicodePath = e.extraFieldUnicodePath;
      const bytes = !e.bitFlag?.languageEncodingFlag && unicodePath?.valid ? unicodePath.data.subarray(5) : e.rawFilename;
      return { name: trimName(Buffer.from(bytes)), isDir: e.directory, size: e.uncompressedSize };
    });
    return {
      names,
      async extract(index, dest) {
        const entry = entries[index];
        if (!entry || entry.directory) throw new Error('not a file in the zip');
        const out = createWriteStream(dest, { flags: 'wx', mode: 0o600 });
        let bytes = 0;
        // The header's size bounds the stream: a member that inflates past what it declares is refused.
        const sink = new WritableStream<Uint8Array>({
          async write(chunk) {
            bytes += chunk.length;
            if (bytes > entry.uncompressedSize) throw new Error(`expands beyond the ${entry.uncompressedSize} bytes its zip header declares`);
            if (!out.write(chunk)) await once(out, 'drain');
          },
        });
        try {
          await entry.getData(sink, { checkSignature: true });
        } finally {
          await new Promise<void>((r) => out.end(r));
        }
      },
      close: async () => {
        await reader.close();
        await handle.close();
      },
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

const BLOCK = 512;

function openTar(file: string): StoredArchive {
  const names = tarMembers(file);
  return {
    names,
    async extract(index, dest) {
      const m = names[index];
      if (!m || !m.regular) throw new Error('not a regular file in the tar');
      const from = openSync(file, 'r');
      const to = openSync(dest, 'wx', 0o600);
      try {
        const buf = Buffer.allocUnsafe(Math.min(m.size, 1 << 20));
        for (let done = 0; done < m.size;) {
          const n = readSync(from, buf, 0, Math.min(buf.length, m.size - done), m.dataOffset + done);
          if (n === 0) throw new Error(`the tar ends ${m.size - done} bytes short of the member`);
          writeSync(to, buf, 0, n);
          done += n;
          // Hand the event loop back between chunks, as every long copy in the intake does.
          await new Promise<void>((r) => setImmediate(r));
        }
      } finally {
        closeSync(from);
        closeSync(to);
      }
    },
    close: async () => undefined,
  };
}

function tarMembers(file: string): TarMember[] {
  const fd = openSync(file, 'r');
  try {
    const out: TarMember[] = [];
    const header = Buffer.alloc(BLOCK);
    let offset = 0;
    let paxPath: Buffer | null = null;
    let longName: Buffer | null = null;
    for (;;) {
      if (readSync(fd, header, 0, BLOCK, offset) < BLOCK || header.every((b) => b === 0)) break;
      if (!checksumOk(header)) throw new Error(`tar header at offset ${offset} has a wrong checksum`);
      const type = String.fromCharCode(header[156]!);
      const size = octal(header.subarray(124, 136));
      const dataAt = offset + BLOCK;
      offset = dataAt + Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'x' || type === 'L') {
        const data = Buffer.alloc(size);
        if (readSync(fd, data, 0, size, dataAt) < size) throw new Error(`tar record at offset ${dataAt - BLOCK} is cut short`);
        if (type === 'L') longName = cString(data);
        else paxPath = paxRecord(data, 'path') ?? paxPath;
        continue;
      }
      // Global pax records and GNU long link names name no member.
      if (type === 'g' || type === 'K') continue;
      const magic = header.subarray(257, 262).toString('latin1');
      const prefix = magic === 'ustar' ? cString(header.subarray(345, 500)) : Buffer.alloc(0);
      const short = cString(header.subarray(0, 100));
      const name = paxPath ?? longName ?? (prefix.length ? Buffer.concat([prefix, Buffer.from('/'), short]) : short);
      const isDir = type === '5' || (name.length > 0 && name[name.length - 1] === 0x2f);
      // GNU sparse members ('S') hold a map, not the bytes: 7-Zip alone reads them.
      const regular = !isDir && (type === '0' || type === '\0' || type === '7');
      out.push({ name: trimName(name), isDir, size: isDir ? 0 : size, dataOffset: dataAt, regular });
      paxPath = null;
      longName = null;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function cString(b: Buffer): Buffer {
  const nul = b.indexOf(0);
  return Buffer.from(nul < 0 ? b : b.subarray(0, nul));
}

/** Octal, or GNU's base-256 (first byte 0x80) for sizes of 8 GiB and more. */
function octal(field: Buffer): number {
  if (field[0]! & 0x80) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = cString(field).toString('latin1').trim();
  return text ? parseInt(text, 8) : 0;
}

function checksumOk(header: Buffer): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  const stored = octal(header.subarray(148, 156));
  return stored === unsigned || stored === signed;
}

/** A pax record's value as its bytes (`LEN key=value\n` records; with hdrcharset=BINARY the bytes are whatever the writer had). */
function paxRecord(data: Buffer, key: string): Buffer | null {
  let found: Buffer | null = null;
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = parseInt(data.subarray(i, space).toString('latin1'), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > data.length) break;
    const record = data.subarray(space + 1, i + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq > 0 && record.subarray(0, eq).toString('latin1') === key) found = Buffer.from(record.subarray(eq + 1));
    i += len;
  }
  return found;
}
