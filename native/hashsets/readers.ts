import { closeSync, openSync, readSync } from 'node:fs';
import type { Statement } from 'better-sqlite3';
import { openSqlite } from '../catalog/sqlite.js';
import { KestrelError, describeError } from '../util/result.js';
import { ChunkSource, LineScanner, lines, splitDelimited } from './source.js';
import type { Algorithm, ListFormat } from './library.js';
import {
  bool, decodeName, emptyRecord, guard, hexHash, HEX, int, printable, RecordError,
  type ListReader, type ReaderOptions, type ReadItem,
} from './readersCommon.js';
import { vicsReader } from './readersVics.js';
import { HMA_FORMAT_VERSION, HMA_LINE, hmaRecord, isPdqHasherVariant, pdqHasherRecord, PDQ_HASHER_DETAILS } from './readersThreatExchange.js';

export { categoryCode, printable, type ListHash, type ListReader, type ListRecord, type ReaderOptions, type ReadItem } from './readersCommon.js';

// ---- format detection ---------------------------------------------------------------------------

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Guesses the format from the first few kilobytes; refuses when two formats fit equally well. */
export function detectFormat(file: string): ListFormat {
  const head = readHead(file);
  if (head.subarray(0, 16).toString('latin1') === SQLITE_MAGIC) return 'nsrl';
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return 'vics';
  if (text.startsWith(HASHDEEP_MAGIC)) return 'text';
  const untrimmedFirst = (text.split('\n')[0] ?? '').replace(/\r$/, '');
  if (SIZE_FIRST.test(untrimmedFirst) || EXCHANGE_LINE.test(untrimmedFirst)) return 'text';
  const firstLine = (trimmed.split('\n')[0] ?? '').replace(/\r$/, '');
  if (/^"?SHA-1"?,("?MD4"?,)?"?MD5"?/i.test(firstLine)) return 'nsrl-legacy';
  if (/^MD5;SHA1;/i.test(firstLine)) return 'icse';
  if (/^\\?[0-9a-fA-F]{32}([0-9a-fA-F]{8})?([0-9a-fA-F]{24})?( |\t)/.test(firstLine) || /^[0-9a-fA-F]{32}([0-9a-fA-F]{8})?$/.test(firstLine)) return 'text';
  if (HMA_LINE.test(firstLine)) return /^"?[0-9a-fA-F]{64}/.test(firstLine) ? 'pdq' : 'text';
  if (/^[0-9a-fA-F]{64},/.test(firstLine) || PDQ_HASHER_DETAILS.test(firstLine)) return 'pdq';
  if (/^\d+,\d+,[0-9a-fA-F]{64},/.test(firstLine) || /^\[\s*"[0-9a-fA-F]{64},/.test(trimmed)) return 'vpdq';
  if (/^[0-9a-fA-F]{64}$/.test(firstLine)) {
    throw new KestrelError(`${file}: line 1 is a bare 64-digit hash: a SHA-256 list and a PDQ list look the same; give --format text or --format pdq`, 'E_FORMAT');
  }
  throw new KestrelError(`${file}: unrecognised hash list format (line 1: ${printable(JSON.stringify(firstLine.slice(0, 60)))}); give --format`, 'E_FORMAT');
}

// ---- readers ------------------------------------------------------------------------------------

export function openReader(file: string, format: ListFormat, options: ReaderOptions): ListReader {
  switch (format) {
    case 'text': return startsWith(file, HASHDEEP_MAGIC) ? hashdeepReader(file) : isHmaBank(file) ? hmaReader(file) : textReader(file);
    case 'pdq': return isHmaBank(file) ? hmaReader(file) : lineReader(file, null, pdqRecord);
    case 'icse': return icseReader(file);
    case 'nsrl-legacy': return nsrlLegacyReader(file);
    case 'nsrl': return nsrlReader(file);
    case 'vics': return vicsReader(file, options);
    case 'vpdq': throw new KestrelError(`${file}: a vPDQ list is read per video file by importVpdqList, not as records`, 'E_FORMAT');
  }
}

function readHead(file: string): Buffer {
  try {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(8192);
      return head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new KestrelError(`${file}: cannot read: ${describeError(err)}`, 'E_READ');
  }
}

/** hasher-matcher-actioner's bank CSV is told by its first line (see readersThreatExchange.ts). */
function isHmaBank(file: string): boolean {
  let text = readHead(file).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return HMA_LINE.test((text.split('\n')[0] ?? '').replace(/\r$/, ''));
}

function hmaReader(file: string): ListReader {
  return lineReader(file, HMA_FORMAT_VERSION, hmaRecord);
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
      let details: Record<string, unknown> | null = null;
      if (i < end) {
        // As textRecord: the separator, then one more space or the binary-mode star.
        let from = i + 1;
        if (from < end && (buf[from] === 0x20 || buf[from] === 0x2a)) from++;
        const name = decodeName(buf, from, end);
        label = name.text;
        if (name.raw !== null) details = { labelBytes: name.raw };
      }
      yield { ok: true, record: { hashes: [{ algorithm, hash }], category: null, mediaId: null, label, size: null, quality: null, details } };
    }
  }
  return { formatVersion: null, items: items(), finish: () => src.finish(), close: () => src.close() };
}

const HASHDEEP_MAGIC = '%%%% HASHDEEP-1.0';

/** md5deep/sha1deep/sha256deep -z: the size right-aligned first, two spaces, the hash, two spaces, the name. */
const SIZE_FIRST = /^ *(\d+) {2}([0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})(?= {2}| \*)/;

/** ThreatExchange file-exchange lines (python-threatexchange): "<signal type> <hash>[ <rest>]". */
const EXCHANGE_LINE = /^(pdq|video_md5|photo_md5|md5)[ \t]+([0-9a-fA-F]+)(?:[ \t]+(.*))?$/;
const EXCHANGE_ALGORITHMS: Readonly<Record<string, Algorithm>> = { pdq: 'pdq', video_md5: 'md5', photo_md5: 'md5', md5: 'md5' };

function exchangeRecord(signalType: string, value: string, rest: string | null, at: string): ReadItem {
  return guard(at, () => {
    const rec = emptyRecord();
    const h = hexHash(EXCHANGE_ALGORITHMS[signalType]!, value, `${signalType} hash`);
    if (h) rec.hashes.push(h);
    rec.label = rest;
    rec.details = { signalType };
    return rec;
  });
}

function startsWith(file: string, prefix: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(prefix.length + 3);
    const n = readSync(fd, head, 0, head.length, 0);
    const text = head.subarray(0, n).toString('latin1');
    return text.startsWith(prefix) || text.startsWith(`\xef\xbb\xbf${prefix}`);
  } finally {
    closeSync(fd);
  }
}

const HASHDEEP_COLUMNS: Readonly<Record<string, Algorithm>> = { md5: 'md5', sha1: 'sha1', sha256: 'sha256' };

/**
 * hashdeep's own format: "%%%% HASHDEEP-1.0", then "%%%% size,md5,...,filename" naming the columns,
 * "##" comment lines, then one line per file. The file name is the last column and may hold commas,
 * so a line is split at the first (columns - 1) commas only. Tiger and Whirlpool are kept as given.
 */
function hashdeepReader(file: string): ListReader {
  let columns: string[] | null = null;
  return lineReader(file, 'hashdeep-1.0', (line, at) => {
    if (line.trim() === '' || line.startsWith('##')) return null;
    if (line.startsWith('%%%%')) {
      const body = line.slice(4).trim();
      if (body === 'HASHDEEP-1.0') return null;
      columns = body.split(',').map((c) => c.trim().toLowerCase());
      if (columns[columns.length - 1] !== 'filename') throw new KestrelError(`${file}: ${at}: hashdeep header ${printable(JSON.stringify(body))} does not end with filename`, 'E_FORMAT');
      return null;
    }
    const cols = columns;
    if (!cols) throw new KestrelError(`${file}: ${at}: a hashdeep line before the "%%%% size,...,filename" header`, 'E_FORMAT');
    return guard(at, () => {
      const fields: string[] = [];
      let from = 0;
      for (let k = 0; k < cols.length - 1; k++) {
        const comma = line.indexOf(',', from);
        if (comma < 0) throw new RecordError(`${k + 1} fields where the header has ${cols.length} (a short or cut line)`);
        fields.push(line.slice(from, comma));
        from = comma + 1;
      }
      fields.push(line.slice(from));
      const rec = emptyRecord();
      const other: Record<string, string> = {};
      cols.forEach((c, i) => {
        const v = fields[i]!;
        const algorithm = HASHDEEP_COLUMNS[c];
        if (algorithm) { const h = hexHash(algorithm, v, c.toUpperCase()); if (h) rec.hashes.push(h); }
        else if (c === 'size') rec.size = int(v, 'size');
        else if (c === 'filename') rec.label = v;
        else other[c] = v;
      });
      if (Object.keys(other).length > 0) rec.details = other;
      return rec;
    });
  });
}

/** md5sum / sha1sum / sha256sum: "HASH  NAME" or "HASH *NAME" (binary mode), or a bare hash. */
function textRecord(line: string, at: string): ReadItem | null {
  if (line.trim() === '') return null;
  const sized = SIZE_FIRST.exec(line);
  if (sized) {
    const item = textRecord(line.slice(sized[0].length - sized[2]!.length), at);
    if (item?.ok) item.record.size = Number(sized[1]);
    return item;
  }
  const exchange = EXCHANGE_LINE.exec(line);
  if (exchange) return exchangeRecord(exchange[1]!, exchange[2]!, exchange[3] ?? null, at);
  let body = line;
  let escaped = false;
  if (body.startsWith('\\')) { escaped = true; body = body.slice(1); }
  const space = body.search(/[ \t]/);
  const hex = space < 0 ? body : body.slice(0, space);
  let label: string | null = space < 0 ? null : body.slice(space).replace(/^[ \t]/, '').replace(/^[ *]/, '');
  if (label !== null && escaped) label = label.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
  const algorithm: Algorithm | undefined = hex.length === 32 ? 'md5' : hex.length === 40 ? 'sha1' : hex.length === 64 ? 'sha256' : undefined;
  if (!algorithm || !HEX.test(hex)) {
    return { ok: false, at, reason: `${JSON.stringify(hex.slice(0, 80))} is not an MD5, SHA-1 or SHA-256 in hex` };
  }
  return { ok: true, record: { ...emptyRecord(), hashes: [{ algorithm, hash: Buffer.from(hex, 'hex') }], label } };
}

/** PDQ lines: hash[,quality][,label], pdq-photo-hasher's output among them (and its other forms). */
function pdqRecord(line: string, at: string): ReadItem | null {
  if (line.trim() === '') return null;
  if (isPdqHasherVariant(line)) return pdqHasherRecord(line, at);
  return guard(at, () => {
    const parts = line.split(',');
    const rec = emptyRecord();
    const h = hexHash('pdq', parts[0], 'PDQ hash');
    if (h) rec.hashes.push(h);
    let rest = parts.slice(1);
    // A second field that looks like a number is the quality, and must be one: "-5" or "50.5" is a
    // broken quality, not the start of a label.
    if (rest.length > 0 && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(rest[0]!)) {
      const q = Number(rest[0]);
      if (!Number.isInteger(q) || q < 0 || q > 100) throw new RecordError(`PDQ quality ${JSON.stringify(rest[0]!.trim())} is not a whole number from 0 to 100`);
      rec.quality = q;
      rest = rest.slice(1);
    }
    if (rest.length > 0) rec.label = rest.join(',');
    return rec;
  });
}

/**
 * ICSE CSV (semicolon-separated, as INTERPOL and IPED write it). Rows may leave out trailing fields,
 * as IPED accepts; a row with more fields than the header, or an open quote, is refused. PhotoDNA is
 * kept (never computed or matched).
 */
function icseReader(file: string): ListReader {
  let header: string[] | null = null;
  return lineReader(file, null, (line, at) => {
    if (line.trim() === '') return null;
    const fields = splitDelimited(line, ';');
    if (!header) {
      if (fields === null) throw new KestrelError(`${file}: ${at}: the ICSE header has an unclosed quote`, 'E_FORMAT');
      header = fields.map((f) => f.trim().toLowerCase());
      const missing = ['md5', 'sha1'].filter((c) => !header!.includes(c));
      if (missing.length > 0) throw new KestrelError(`${file}: ${at}: not an ICSE header (no ${missing.join(', ')} column)`, 'E_FORMAT');
      return null;
    }
    const columns = header;
    return guard(at, () => {
      if (fields === null) throw new RecordError('a quoted field is not closed (the row is cut short)');
      if (fields.length > columns.length) throw new RecordError(`${fields.length} fields where the header has ${columns.length}`);
      const row = new Map(columns.map((h, i) => [h, fields[i]?.trim() ?? '']));
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
        photoDna: row.get('photodna') || null,
      };
      return rec;
    });
  });
}

/**
 * NSRLFile.txt (RDS 2.x legacy CSV): "SHA-1","MD5","CRC32","FileName","FileSize","ProductCode",...;
 * the older form also has an MD4 column, kept in the details. Every row must have every column: a
 * short or cut row would otherwise import with a wrong size or name.
 */
function nsrlLegacyReader(file: string): ListReader {
  let header: string[] | null = null;
  return lineReader(file, 'legacy', (line, at) => {
    if (line.trim() === '') return null;
    const fields = splitDelimited(line, ',');
    if (!header) {
      if (fields === null) throw new KestrelError(`${file}: ${at}: the NSRLFile.txt header has an unclosed quote`, 'E_FORMAT');
      header = fields.map((f) => f.trim().toLowerCase());
      if (!header.includes('sha-1') || !header.includes('md5')) throw new KestrelError(`${file}: ${at}: not an NSRLFile.txt header ("SHA-1","MD5",...)`, 'E_FORMAT');
      return null;
    }
    const columns = header;
    return guard(at, () => {
      if (fields === null) throw new RecordError('a quoted field is not closed (the row is cut short)');
      if (fields.length !== columns.length) throw new RecordError(`${fields.length} fields where the header has ${columns.length} (a short or cut row)`);
      const get = (c: string) => { const i = columns.indexOf(c); return i < 0 ? undefined : fields[i]!.trim(); };
      const rec = emptyRecord();
      for (const [alg, col] of [['sha1', 'sha-1'], ['md5', 'md5']] as const) {
        const h = hexHash(alg, get(col), col.toUpperCase());
        if (h) rec.hashes.push(h);
      }
      rec.label = get('filename') ?? null;
      rec.size = int(get('filesize'), 'FileSize');
      const details: Record<string, unknown> = {};
      const product = get('productcode');
      if (product) { details['productCode'] = product; details['opSystemCode'] = get('opsystemcode') ?? null; }
      const md4 = get('md4');
      if (md4) {
        if (md4.length !== 32 || !HEX.test(md4)) throw new RecordError(`MD4 ${JSON.stringify(md4.slice(0, 80))} is not a 32-digit hex MD4`);
        details['md4'] = md4.toLowerCase();
      }
      const crc = get('crc32');
      if (crc) details['crc32'] = crc;
      rec.details = Object.keys(details).length > 0 ? details : null;
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

