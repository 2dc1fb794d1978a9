import { isUtf8 } from 'node:buffer';
import { findCategory, SCHEMES, type SchemeId } from '../catalog/schemes.js';
import { HASH_LENGTH, type Algorithm } from './library.js';

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
  /** The category scheme the list turned out to use (VICS tells it in the file); set once items are consumed. */
  scheme?: SchemeId | null;
  /** True when the file showed itself to be a list of known files (NSRL's VICS form); set once items are consumed. */
  known?: boolean;
  items: Generator<ReadItem>;
  /** Reads the rest of the file and returns its SHA-256 (call once the items are consumed). */
  finish(): string;
  close(): void;
}

export interface ReaderOptions {
  /** The scheme a list's category codes belong to, when the examiner names it (--scheme). */
  scheme: SchemeId | null;
}

export const HEX = /^[0-9a-fA-F]+$/;

/** A fault in one record: the record is refused, the rest of the file is still read. */
export class RecordError extends Error {}

export function hexHash(algorithm: Algorithm, value: unknown, field: string): ListHash | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') throw new RecordError(`${field} is not a string`);
  const v = value.trim();
  const want = HASH_LENGTH[algorithm] * 2;
  if (v.length !== want || !HEX.test(v)) throw new RecordError(`${field} ${JSON.stringify(v.slice(0, 80))} is not a ${want}-digit hex ${algorithm.toUpperCase()}`);
  return { algorithm, hash: Buffer.from(v, 'hex') };
}

const TRUE_WORDS = new Set(['true', 't', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', 'f', '0', 'no', 'n']);

/** VICS and ICSE write booleans as JSON booleans, as strings (true/false, t/f, yes/no), or as 0/1. */
export function bool(value: unknown, field: string): boolean | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (TRUE_WORDS.has(v)) return true;
    if (FALSE_WORDS.has(v)) return false;
  }
  throw new RecordError(`${field} ${JSON.stringify(value)} is not a boolean`);
}

export function int(value: unknown, field: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new RecordError(`${field} ${JSON.stringify(value)} is not a whole number`);
  return n;
}

/**
 * The UK scheme as Griffeye and CAID write it in VICS (the UK data model): numbers, 1 to 3 for the
 * sentencing categories A to C and 4 for material that is not indecent. 0 means "not categorised".
 * Unverified against a public source: IPED's HashDBTool (sepinf-inc/IPED,
 * iped-engine/src/main/java/iped/engine/hashdb/HashDBTool.java) reads VICS Category as an integer,
 * knows only the 2.0 `Default` and 1.x contexts and maps 0..2 to known/pedo, with no UK model; the
 * VICS UK $metadata and Griffeye's and CAID's documentation are not public. Letters (A, B, C, N,
 * "Category A", "CAT A") are read as well, so a list that writes them is never renumbered.
 */
const UK_NUMBERS: Readonly<Record<string, string | null>> = { '0': null, '1': 'A', '2': 'B', '3': 'C', '4': 'N' };

function allowed(scheme: SchemeId): string {
  const codes = SCHEMES[scheme].categories.map((c) => c.code);
  if (scheme === 'dhs') codes.push('0..5');
  if (scheme === 'caid-uk') codes.push('0..4 (0 none, 1 A, 2 B, 3 C, 4 N)');
  return codes.join(', ');
}

/**
 * A category as stored: the scheme's own code. DHS lists write bare numbers for CAT-n and UK lists
 * write 1..4 for A..N, so those are turned into the scheme's codes; a code the scheme does not have is
 * refused with what the scheme allows, never guessed. Null means "no category".
 */
export function categoryCode(scheme: SchemeId | null, value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const raw = String(value).trim();
  if (scheme === null) throw new RecordError(`category ${JSON.stringify(raw)} given but the list's category scheme cannot be told from the file (give --scheme vic-us, dhs, caid-uk or custom)`);
  if (scheme === 'custom') return raw;
  let code = raw;
  if (scheme === 'dhs' && /^\d+$/.test(raw)) code = `CAT-${raw}`;
  if (scheme === 'dhs') code = code.toUpperCase();
  if (scheme === 'caid-uk') {
    if (Object.prototype.hasOwnProperty.call(UK_NUMBERS, raw)) return UK_NUMBERS[raw]!;
    code = code.toUpperCase().replace(/^CAT(EGORY)?[ -]?/, '');
  }
  if (!findCategory(scheme, code)) throw new RecordError(`category ${JSON.stringify(raw)} is not a ${scheme} category (${scheme} has ${allowed(scheme)})`);
  return code;
}

export function emptyRecord(): ListRecord {
  return { hashes: [], category: null, mediaId: null, label: null, size: null, quality: null, details: null };
}

export function guard(at: string, build: () => ListRecord): ReadItem {
  try {
    const record = build();
    if (record.hashes.length === 0) return { ok: false, at, reason: 'no hash in the record' };
    return { ok: true, record };
  } catch (err) {
    if (err instanceof RecordError) return { ok: false, at, reason: err.message };
    throw err;
  }
}

/**
 * Text from a list file made safe to print on a terminal or in a log line: C0 and C1 controls, DEL,
 * and the bidirectional overrides are written as escapes, so a list cannot move the cursor, change
 * the window title or reverse what the examiner reads.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => {
      const n = c.charCodeAt(0);
      return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
    });
}

/**
 * Bytes of a name as text. UTF-8 is decoded; a name in another encoding (Latin-1 names from old
 * Windows tools) keeps its bytes: each byte that is not part of valid UTF-8 is shown as \xNN, never
 * replaced by U+FFFD, and `raw` carries the exact bytes in hex.
 */
export function decodeName(buf: Buffer, start: number, end: number): { text: string; raw: string | null } {
  const bytes = buf.subarray(start, end);
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), raw: null };
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const len = utf8SequenceLength(bytes, i);
    if (len > 0) {
      out += bytes.toString('utf8', i, i + len);
      i += len;
    } else {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return { text: out, raw: bytes.toString('hex') };
}

/** The length of the valid UTF-8 sequence starting at i, or 0 when the byte there does not start one. */
function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const c1 = b[i + 1] ?? 0;
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return 0;
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const c1 = b[i + 1] ?? 0;
    if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/**
 * Checks a stream of chunks for valid UTF-8 (a sequence may be split between chunks). JSON must be
 * UTF-8, and a name decoded with replacement characters would no longer be the name in the list.
 */
export class Utf8Checker {
  private carry: Buffer = Buffer.alloc(0);

  /** The index in `chunk` of the first byte that is not valid UTF-8, or -1. */
  check(chunk: Buffer): number {
    let start = 0;
    if (this.carry.length > 0) {
      const need = leadLength(this.carry[0]!);
      const take = Math.min(need - this.carry.length, chunk.length);
      const joined = Buffer.concat([this.carry, chunk.subarray(0, take)]);
      if (joined.length < need) { this.carry = joined; return -1; }
      this.carry = Buffer.alloc(0);
      if (utf8SequenceLength(joined, 0) !== need) return 0;
      start = take;
    }
    let end = chunk.length;
    for (let back = 1; back <= 3 && end - back >= start; back++) {
      const b = chunk[end - back]!;
      if ((b & 0xc0) === 0x80) continue;
      if (b >= 0xc0 && leadLength(b) > back) {
        this.carry = Buffer.from(chunk.subarray(end - back));
        end -= back;
      }
      break;
    }
    if (isUtf8(chunk.subarray(start, end))) return -1;
    for (let i = start; i < end;) {
      const len = utf8SequenceLength(chunk, i);
      if (len === 0) return i;
      i += len;
    }
    return start;
  }

  /** True when the stream did not stop inside a sequence. */
  complete(): boolean {
    return this.carry.length === 0;
  }
}

function leadLength(b: number): number {
  return b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
}
