import { closeSync, openSync, readSync } from 'node:fs';
import type { Statement } from 'better-sqlite3';
import { openSqlite } from '../catalog/sqlite.js';
import { findCategory, type SchemeId } from '../catalog/schemes.js';
import { KestrelError, describeError } from '../util/result.js';
import { ChunkSource, LineScanner, lines, splitDelimited } from './source.js';
import { HASH_LENGTH, type Algorithm, type ListFormat } from './library.js';

export interface ListHash { algorithm: Algorithm; hash: Buffer }

export interface ListRecord {
  hashes: ListHash[];
  category: string | null;
  mediaId: string | null;
  label: string | null;
  size: number | null;
  quality: number | null;
  details: Record<string, unknown> | null;
}

/** A record read or refused; `at` names where it is in the file ("line 12", "record 4 (line 30)"). */
export type ReadItem = { ok: true; record: ListRecord } | { ok: false; at: string; reason: string };

export interface ListReader {
  formatVersion: string | null;
  items: Generator<ReadItem>;
  /** Reads the rest of the file and returns its SHA-256 (call once the items are consumed). */
  finish(): string;
  close(): void;
}

export interface ReaderOptions {
  /** The scheme a list's category codes belong to (VICS defaults to vic-us). */
  scheme: SchemeId | null;
}

const HEX = /^[0-9a-fA-F]+$/;

class RecordError extends Error {}

function hexHash(algorithm: Algorithm, value: unknown, field: string): ListHash | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') throw new RecordError(`${field} is not a string`);
  const v = value.trim();
  const want = HASH_LENGTH[algorithm] * 2;
  if (v.length !== want || !HEX.test(v)) throw new RecordError(`${field} "${v.slice(0, 80)}" is not a ${want}-digit hex ${algorithm.toUpperCase()}`);
  return { algorithm, hash: Buffer.from(v, 'hex') };
}

/** VICS and ICSE write booleans as JSON booleans, as strings, or as 0/1. */
function bool(value: unknown, field: string): boolean | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true' || v === '1' || v === 'yes' || v === 'y') return true;
    if (v === 'false' || v === '0' || v === 'no' || v === 'n') return false;
  }
  throw new RecordError(`${field} ${JSON.stringify(value)} is not a boolean`);
}

function int(value: unknown, field: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new RecordError(`${field} ${JSON.stringify(value)} is not a whole number`);
  return n;
}

/**
 * A category as stored: the scheme's own code. DHS lists write bare numbers for CAT-n, so those are
 * turned into the scheme's codes; a code the scheme does not have is refused, never guessed.
 */
export function categoryCode(scheme: SchemeId | null, value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const raw = String(value).trim();
  if (scheme === null) throw new RecordError(`category ${JSON.stringify(raw)} given but the list has no category scheme (use --scheme)`);
  if (scheme === 'custom') return raw;
  let code = raw;
  if (scheme === 'dhs' && /^\d+$/.test(raw)) code = `CAT-${raw}`;
  if (scheme === 'dhs') code = code.toUpperCase();
  if (scheme === 'caid-uk') code = code.toUpperCase();
  if (!findCategory(scheme, code)) throw new RecordError(`category ${JSON.stringify(raw)} is not a ${scheme} category`);
  return code;
}

function emptyRecord(): ListRecord {
  return { hashes: [], category: null, mediaId: null, label: null, size: null, quality: null, details: null };
}

function guard(at: string, build: () => ListRecord): ReadItem {
  try {
    const record = build();
    if (record.hashes.length === 0) return { ok: false, at, reason: 'no hash in the record' };
    return { ok: true, record };
  } catch (err) {
    if (err instanceof RecordError) return { ok: false, at, reason: err.message };
    throw err;
  }
}

// ---- format detection ---------------------------------------------------------------------------

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Guesses the format from the first few kilobytes; refuses when two formats fit equally well. */
export function detectFormat(file: string): ListFormat {
  let head: Buffer;
  try {
    const fd = openSync(file, 'r');
    try {
      head = Buffer.alloc(8192);
      head = head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new KestrelError(`${file}: cannot read: ${describeError(err)}`, 'E_READ');
  }
  if (head.subarray(0, 16).toString('latin1') === SQLITE_MAGIC) return 'nsrl';
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return 'vics';
  const firstLine = (trimmed.split('\n')[0] ?? '').replace(/\r$/, '');
  if (/^"?SHA-1"?,"?MD5"?/i.test(firstLine)) return 'nsrl-legacy';
  if (/^MD5;SHA1;/i.test(firstLine)) return 'icse';
  if (/^[0-9a-fA-F]{32}([0-9a-fA-F]{8})?([0-9a-fA-F]{24})?( |\t)/.test(firstLine) || /^[0-9a-fA-F]{32}([0-9a-fA-F]{8})?$/.test(firstLine)) return 'text';
  if (/^[0-9a-fA-F]{64},/.test(firstLine)) return 'pdq';
  if (/^[0-9a-fA-F]{64}$/.test(firstLine)) {
    throw new KestrelError(`${file}: line 1 is a bare 64-digit hash: a SHA-256 list and a PDQ list look the same; give --format text or --format pdq`, 'E_FORMAT');
  }
  throw new KestrelError(`${file}: unrecognised hash list format (line 1: ${JSON.stringify(firstLine.slice(0, 60))}); give --format`, 'E_FORMAT');
}

// ---- readers ------------------------------------------------------------------------------------

export function openReader(file: string, format: ListFormat, options: ReaderOptions): ListReader {
  switch (format) {
    case 'text': return textReader(file);
    case 'pdq': return lineReader(file, null, pdqRecord);
    case 'icse': return icseReader(file);
    case 'nsrl-legacy': return nsrlLegacyReader(file);
    case 'nsrl': return nsrlReader(file);
    case 'vics': return vicsReader(file, options);
  }
}

function lineReader(file: string, formatVersion: string | null, parse: (line: string, at: string) => ReadItem | null): ListReader {
  const src = new ChunkSource(file);
  function* items(): Generator<ReadItem> {
    for (const [line, no] of lines(src)) {
      const item = parse(line, `line ${no}`);
      if (item) yield item;
    }
  }
  return { formatVersion, items: items(), finish: () => src.finish(), close: () => src.close() };
}

/** Each byte's value as a hex digit, or -1. */
const HEX_DIGIT = Int8Array.from({ length: 256 }, (_, b) =>
  b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x41 && b <= 0x46 ? b - 0x37 : b >= 0x61 && b <= 0x66 ? b - 0x57 : -1);

/**
 * md5sum / sha1sum / sha256sum lists run to tens of millions of lines, so the common line (a hash in
 * hex, then a space or tab and a name, or nothing) is parsed from its bytes. Every other line (blank,
 * an escaped name, a bad hash) goes through textRecord, which reads it exactly as the fast path would
 * have if it applied.
 */
function textReader(file: string): ListReader {
  const src = new ChunkSource(file);
  function* items(): Generator<ReadItem> {
    const scan = new LineScanner(src);
    while (scan.next()) {
      const { buf, start, end } = scan;
      let i = start;
      while (i < end && HEX_DIGIT[buf[i]!]! >= 0) i++;
      const digits = i - start;
      const algorithm: Algorithm | undefined = digits === 32 ? 'md5' : digits === 40 ? 'sha1' : digits === 64 ? 'sha256' : undefined;
      if (algorithm === undefined || (i < end && buf[i] !== 0x20 && buf[i] !== 0x09)) {
        const item = textRecord(scan.text(), `line ${scan.lineNo}`);
        if (item) yield item;
        continue;
      }
      const hash = Buffer.allocUnsafe(digits >> 1);
      for (let k = 0, at = start; k < hash.length; k++, at += 2) hash[k] = (HEX_DIGIT[buf[at]!]! << 4) | HEX_DIGIT[buf[at + 1]!]!;
      let label: string | null = null;
      if (i < end) {
        // As textRecord: the separator, then one more space or the binary-mode star.
        let from = i + 1;
        if (from < end && (buf[from] === 0x20 || buf[from] === 0x2a)) from++;
        label = buf.toString('utf8', from, end);
      }
      yield { ok: true, record: { hashes: [{ algorithm, hash }], category: null, mediaId: null, label, size: null, quality: null, details: null } };
    }
  }
  return { formatVersion: null, items: items(), finish: () => src.finish(), close: () => src.close() };
}

/** md5sum / sha1sum / sha256sum: "HASH  NAME" or "HASH *NAME" (binary mode), or a bare hash. */
function textRecord(line: string, at: string): ReadItem | null {
  if (line.trim() === '') return null;
  let body = line;
  let escaped = false;
  if (body.startsWith('\\')) { escaped = true; body = body.slice(1); }
  const space = body.search(/[ \t]/);
  const hex = space < 0 ? body : body.slice(0, space);
  let label: string | null = space < 0 ? null : body.slice(space).replace(/^[ \t]/, '').replace(/^[ *]/, '');
  if (label !== null && escaped) label = label.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
  const algorithm: Algorithm | undefined = hex.length === 32 ? 'md5' : hex.length === 40 ? 'sha1' : hex.length === 64 ? 'sha256' : undefined;
  if (!algorithm || !HEX.test(hex)) {
    return { ok: false, at, reason: `"${hex.slice(0, 80)}" is not an MD5, SHA-1 or SHA-256 in hex` };
  }
  return { ok: true, record: { ...emptyRecord(), hashes: [{ algorithm, hash: Buffer.from(hex, 'hex') }], label } };
}

/** PDQ lines: hash[,quality][,label]. */
function pdqRecord(line: string, at: string): ReadItem | null {
  if (line.trim() === '') return null;
  return guard(at, () => {
    const parts = line.split(',');
    const rec = emptyRecord();
    const h = hexHash('pdq', parts[0], 'PDQ hash');
    if (h) rec.hashes.push(h);
    let rest = parts.slice(1);
    if (rest.length > 0 && /^\s*\d+\s*$/.test(rest[0]!)) {
      const q = Number(rest[0]);
      if (q > 100) throw new RecordError(`PDQ quality ${q} is above 100`);
      rec.quality = q;
      rest = rest.slice(1);
    }
    if (rest.length > 0) rec.label = rest.join(',');
    return rec;
  });
}

function icseReader(file: string): ListReader {
  let header: string[] | null = null;
  return lineReader(file, null, (line, at) => {
    if (line.trim() === '') return null;
    const fields = splitDelimited(line, ';');
    if (!header) {
      header = fields.map((f) => f.trim().toLowerCase());
      const missing = ['md5', 'sha1'].filter((c) => !header!.includes(c));
      if (missing.length > 0) throw new KestrelError(`${file}: ${at}: not an ICSE header (no ${missing.join(', ')} column)`, 'E_FORMAT');
      return null;
    }
    const columns = header;
    const row = new Map(columns.map((h, i) => [h, fields[i]?.trim() ?? '']));
    return guard(at, () => {
      if (fields.length !== columns.length) throw new RecordError(`${fields.length} fields where the header has ${columns.length}`);
      const rec = emptyRecord();
      for (const [alg, col] of [['md5', 'md5'], ['sha1', 'sha1']] as const) {
        const h = hexHash(alg, row.get(col), col.toUpperCase());
        if (h) rec.hashes.push(h);
      }
      rec.mediaId = row.get('image id') || null;
      rec.label = row.get('series name') || null;
      rec.details = {
        isDistributed: bool(row.get('is distributed'), 'Is distributed'),
        victimIdentified: bool(row.get('victim identified'), 'Victim identified'),
        offenderIdentified: bool(row.get('offender identified'), 'Offender identified'),
        series: row.get('series name') || null,
        submissions: int(row.get('number of submissions'), 'Number of submissions'),
        fileAvailable: bool(row.get('file available'), 'File available'),
        mediaType: row.get('media type') || null,
        baseline: bool(row.get('baseline'), 'Baseline'),
      };
      return rec;
    });
  });
}

function nsrlLegacyReader(file: string): ListReader {
  let header: string[] | null = null;
  return lineReader(file, 'legacy', (line, at) => {
    if (line.trim() === '') return null;
    const fields = splitDelimited(line, ',');
    if (!header) {
      header = fields.map((f) => f.trim().toLowerCase());
      if (!header.includes('sha-1') || !header.includes('md5')) throw new KestrelError(`${file}: ${at}: not an NSRLFile.txt header ("SHA-1","MD5",...)`, 'E_FORMAT');
      return null;
    }
    const columns = header;
    const get = (c: string) => fields[columns.indexOf(c)]?.trim();
    return guard(at, () => {
      const rec = emptyRecord();
      for (const [alg, col] of [['sha1', 'sha-1'], ['md5', 'md5']] as const) {
        const h = hexHash(alg, get(col), col.toUpperCase());
        if (h) rec.hashes.push(h);
      }
      rec.label = get('filename') ?? null;
      rec.size = int(get('filesize'), 'FileSize');
      const product = get('productcode');
      rec.details = product ? { productCode: product, opSystemCode: get('opsystemcode') ?? null } : null;
      return rec;
    });
  });
}

/** NSRL RDSv3: a SQLite database with a FILE view; read with the one SQLite opener, read-only. */
function nsrlReader(file: string): ListReader {
  let db;
  try {
    db = openSqlite(file, { readonly: true, mustExist: true });
  } catch (err) {
    throw new KestrelError(`${file}: cannot open as NSRL RDSv3 SQLite: ${describeError(err)}`, 'E_FORMAT');
  }
  const nsrlDb = db;
  let version: string | null = null;
  try {
    const v = nsrlDb.prepare('SELECT * FROM VERSION LIMIT 1').get() as Record<string, unknown> | undefined;
    if (v) version = String(v['version'] ?? v['VERSION'] ?? Object.values(v)[0] ?? '') || null;
  } catch {
    // RDSv3 subsets may leave out the VERSION table; the version then stays unknown.
  }
  let stmt: Statement<[], Record<string, unknown>>;
  try {
    stmt = nsrlDb.prepare<[], Record<string, unknown>>('SELECT sha256, sha1, md5, file_name, file_size, package_id FROM FILE');
  } catch (err) {
    nsrlDb.close();
    throw new KestrelError(`${file}: not an NSRL RDSv3 database (no FILE view with sha256, sha1, md5, file_name, file_size, package_id): ${describeError(err)}`, 'E_FORMAT');
  }
  function* items(): Generator<ReadItem> {
    let no = 0;
    for (const row of stmt.iterate()) {
      no++;
      yield guard(`record ${no}`, () => {
        const rec = emptyRecord();
        for (const alg of ['sha256', 'sha1', 'md5'] as const) {
          const h = hexHash(alg, row[alg], alg.toUpperCase());
          if (h) rec.hashes.push(h);
        }
        rec.label = row['file_name'] == null ? null : String(row['file_name']);
        rec.size = int(row['file_size'], 'file_size');
        rec.details = row['package_id'] == null ? null : { packageId: row['package_id'] };
        return rec;
      });
    }
  }
  return {
    formatVersion: version ? `RDSv3 ${version}` : 'RDSv3',
    items: items(),
    finish: () => {
      nsrlDb.close();
      const src = new ChunkSource(file);
      return src.finish();
    },
    close: () => { if (nsrlDb.open) nsrlDb.close(); },
  };
}

// ---- VICS JSON ----------------------------------------------------------------------------------

/**
 * VICS files can be hundreds of megabytes, so the text is scanned once: the root object's header
 * strings (odata.metadata or @odata.context) are kept, and each object of the root `value` array is
 * cut out and parsed on its own, so a bad record is reported with its number and line and the rest
 * are still read.
 */
function vicsReader(file: string, options: ReaderOptions): ListReader {
  const src = new ChunkSource(file);
  const header: Record<string, string> = {};
  const scheme = options.scheme ?? 'vic-us';
  const reader: ListReader = {
    formatVersion: null,
    items: items(),
    finish: () => src.finish(),
    close: () => src.close(),
  };
  function* items(): Generator<ReadItem> {
    let depth = 0;
    let inString = false;
    let escape = false;
    let str = '';
    let lastKey: string | null = null;
    let pending: string | null = null;
    let afterColon = false;
    let inValue = false;
    let sawValue = false;
    let capture: string[] | null = null;
    let captureStartLine = 0;
    let line = 1;
    let recordNo = 0;
    let carry: Buffer | null = null;
    for (let chunk = src.next(); chunk !== null; chunk = src.next()) {
      const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = null;
      // Keep an incomplete UTF-8 sequence at the end for the next chunk.
      let end = data.length;
      let back = 0;
      while (back < 3 && end - back - 1 >= 0 && (data[end - back - 1]! & 0xc0) === 0x80) back++;
      if (end - back - 1 >= 0 && data[end - back - 1]! >= 0xc0) { end = end - back - 1; carry = Buffer.from(data.subarray(end)); }
      const text = data.toString('utf8', 0, end);
      let captureFrom = capture ? 0 : -1;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) line++;
        if (inString) {
          if (escape) escape = false;
          else if (c === 92) escape = true;
          else if (c === 34) {
            inString = false;
            if (depth === 1 && !capture) {
              if (afterColon && lastKey !== null) { header[lastKey] = str; afterColon = false; }
              else pending = str;
            }
          } else if (depth === 1 && !capture) str += text[i];
          continue;
        }
        if (c === 34) { inString = true; str = ''; continue; }
        if (c === 58 && depth === 1) { lastKey = pending; pending = null; afterColon = true; continue; }
        if (c === 44 && depth === 1) { afterColon = false; continue; }
        if (c === 123 || c === 91) {
          if (depth === 0 && c !== 123) throw new KestrelError(`${file}: line ${line}: a VICS file is a JSON object`, 'E_FORMAT');
          if (depth === 1 && c === 91 && lastKey === 'value') { inValue = true; sawValue = true; }
          if (depth === 2 && inValue && c === 123) { capture = []; captureFrom = i; captureStartLine = line; }
          depth++;
          afterColon = false;
          continue;
        }
        if (c === 125 || c === 93) {
          depth--;
          if (depth < 0) throw new KestrelError(`${file}: line ${line}: unbalanced JSON`, 'E_FORMAT');
          if (depth === 2 && capture && c === 125) {
            capture.push(text.slice(captureFrom, i + 1));
            const objText = capture.join('');
            capture = null;
            captureFrom = -1;
            recordNo++;
            yield* vicsObject(objText, recordNo, captureStartLine, scheme);
          }
          if (depth === 1 && inValue) inValue = false;
          continue;
        }
      }
      if (capture && captureFrom >= 0) capture.push(text.slice(captureFrom));
    }
    if (depth !== 0 || inString) throw new KestrelError(`${file}: line ${line}: the JSON ends early (truncated file?)`, 'E_FORMAT');
    if (!sawValue) throw new KestrelError(`${file}: not a VICS file: no "value" array at the top level`, 'E_FORMAT');
    reader.formatVersion = vicsVersion(header);
    if (reader.formatVersion === null) throw new KestrelError(`${file}: not a VICS file: neither "odata.metadata" (v1.x) nor "@odata.context" (v2.0) is present`, 'E_FORMAT');
  }
  return reader;
}

function vicsVersion(header: Record<string, string>): string | null {
  const ctx = header['@odata.context'];
  if (ctx !== undefined) return /(\d+\.\d+)/.exec(ctx)?.[1] ?? '2.0';
  const meta = header['odata.metadata'];
  if (meta !== undefined) return /(1\.\d+)/.exec(meta)?.[1] ?? '1.x';
  return null;
}

function* vicsObject(text: string, recordNo: number, line: number, scheme: SchemeId): Generator<ReadItem> {
  const at = `record ${recordNo} (line ${line})`;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    yield { ok: false, at, reason: `invalid JSON: ${describeError(err)}` };
    return;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    yield { ok: false, at, reason: 'not a JSON object' };
    return;
  }
  const o = obj as Record<string, unknown>;
  // Cases exports nest the Media under each case.
  if (Array.isArray(o['Media']) && !('MD5' in o) && !('SHA1' in o)) {
    let k = 0;
    for (const m of o['Media'] as unknown[]) {
      k++;
      yield guard(`${at} media ${k}`, () => vicsMedia(m, scheme));
    }
    return;
  }
  yield guard(at, () => vicsMedia(o, scheme));
}

function vicsMedia(m: unknown, scheme: SchemeId): ListRecord {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new RecordError('not a JSON object');
  const o = m as Record<string, unknown>;
  const rec = emptyRecord();
  for (const [alg, field] of [['md5', 'MD5'], ['sha1', 'SHA1'], ['sha256', 'SHA256']] as const) {
    const h = hexHash(alg, o[field], field);
    if (h) rec.hashes.push(h);
  }
  const alt = o['AlternativeHashes'];
  if (alt !== undefined && alt !== null) {
    if (!Array.isArray(alt)) throw new RecordError('AlternativeHashes is not an array');
    alt.forEach((a, i) => {
      const ah = a as Record<string, unknown> | null;
      const hname = String(ah?.['HashName'] ?? '').trim().toLowerCase();
      const algorithm: Algorithm | null = hname === 'pdq' ? 'pdq' : hname === 'blockhash' || hname === 'bmvbhash' ? 'blockhash'
        : hname === 'sha256' || hname === 'sha-256' ? 'sha256' : null;
      if (!algorithm) return;
      const h = hexHash(algorithm, ah?.['HashValue'], `AlternativeHashes[${i}] (${hname})`);
      if (h) rec.hashes.push(h);
    });
  }
  rec.category = categoryCode(scheme, o['Category']);
  rec.mediaId = o['MediaID'] == null ? null : String(o['MediaID']);
  rec.size = int(o['MediaSize'], 'MediaSize');
  rec.label = typeof o['Series'] === 'string' && o['Series'] ? o['Series'] : null;
  rec.details = {
    victimIdentified: bool(o['VictimIdentified'], 'VictimIdentified'),
    offenderIdentified: bool(o['OffenderIdentified'], 'OffenderIdentified'),
    isDistributed: bool(o['IsDistributed'], 'IsDistributed'),
    series: o['Series'] ?? null,
    tags: o['Tags'] ?? null,
    photoDna: typeof o['PhotoDNA'] === 'string' && o['PhotoDNA'] ? true : null,
  };
  return rec;
}
