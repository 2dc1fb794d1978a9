import { closeSync, openSync, readSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { KestrelError, describeError } from '../util/result.js';
import { decodeName } from './readersCommon.js';

const CHUNK = 1 << 20;

/**
 * Reads a list file once, front to back, in fixed-size chunks, and hashes what it reads, so a list
 * of any size is streamed and its provenance SHA-256 costs no second pass. Every list format is
 * UTF-8 text, so a leading byte order mark is hashed but not handed on.
 */
export class ChunkSource {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private readonly sha: Hash = createHash('sha256');
  private first = true;
  private done = false;
  private closed = false;

  constructor(readonly file: string) {
    try {
      this.fd = openSync(file, 'r');
    } catch (err) {
      throw new KestrelError(`${file}: cannot read: ${describeError(err)}`, 'E_READ');
    }
  }

  /** The next chunk (a view valid until the next call), or null at the end. */
  next(): Buffer | null {
    if (this.done) return null;
    const n = readSync(this.fd, this.buf, 0, CHUNK, null);
    if (n === 0) {
      this.done = true;
      return null;
    }
    const chunk = this.buf.subarray(0, n);
    this.sha.update(chunk);
    if (this.first) {
      this.first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) return chunk.subarray(3);
    }
    return chunk;
  }

  /** Reads whatever is left (so the digest covers the whole file) and returns the SHA-256. */
  finish(): string {
    while (this.next() !== null) { /* drain: the digest must cover the whole file */ }
    this.close();
    return this.sha.digest('hex');
  }

  /** Closes the file once: a second close could hit a descriptor the process has since reused. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** The longest line a list may have: far beyond any hash and path, small enough to hold in memory. */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * The lines of a UTF-8 text file as byte ranges, one at a time: after next() returns true, the line
 * is buf[start, end) (a view valid until the next call) and lineNo its 1-based number. CR line ends
 * are dropped (the source has dropped a leading BOM). Byte ranges let a reader of a list of millions
 * of lines parse the common line without making a string of it.
 * A line that spans chunks is gathered in a buffer that doubles as it grows, so time stays linear in
 * the line's length, and a line longer than MAX_LINE_BYTES is refused with its number (a file with no
 * line breaks is not a list, and must not be read into memory whole).
 */
export class LineScanner {
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  lineNo = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private pos = 0;
  private ended = false;
  private partial: Buffer = Buffer.alloc(0);
  private partialLen = 0;

  constructor(private readonly src: ChunkSource, private readonly maxLine = MAX_LINE_BYTES) {}

  next(): boolean {
    for (;;) {
      if (this.ended) return false;
      const nl = this.chunk.indexOf(0x0a, this.pos);
      if (nl >= 0) {
        if (this.partialLen > 0) {
          this.append(this.chunk.subarray(this.pos, nl));
          this.buf = this.partial;
          this.take(0, this.partialLen);
          this.partialLen = 0;
        } else {
          this.buf = this.chunk;
          this.take(this.pos, nl);
        }
        this.pos = nl + 1;
        return true;
      }
      // The chunk buffer is reused by the source, so an unfinished line is copied before reading on.
      this.append(this.chunk.subarray(this.pos));
      const chunk = this.src.next();
      if (chunk === null) {
        this.ended = true;
        if (this.partialLen === 0) return false;
        this.buf = this.partial;
        this.take(0, this.partialLen);
        this.partialLen = 0;
        return true;
      }
      this.chunk = chunk;
      this.pos = 0;
    }
  }

  /** The current line as text; bytes that are not UTF-8 are shown as \xNN, never replaced. */
  text(): string {
    return decodeName(this.buf, this.start, this.end).text;
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const need = this.partialLen + bytes.length;
    if (need > this.maxLine) {
      throw new KestrelError(`${this.src.file}: line ${this.lineNo + 1} is longer than ${this.maxLine} bytes: not a hash list line (a file without line breaks?)`, 'E_FORMAT');
    }
    if (need > this.partial.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxLine, Math.max(need, this.partial.length * 2, 4096)));
      this.partial.copy(grown, 0, 0, this.partialLen);
      this.partial = grown;
    }
    bytes.copy(this.partial, this.partialLen);
    this.partialLen = need;
  }

  private take(start: number, end: number): void {
    this.start = start;
    this.end = end > start && this.buf[end - 1] === 0x0d ? end - 1 : end;
    this.lineNo++;
  }
}

/** Lines of a UTF-8 text file with their 1-based numbers; a leading BOM and CR line ends are dropped. */
export function* lines(src: ChunkSource): Generator<[string, number]> {
  const scanner = new LineScanner(src);
  while (scanner.next()) yield [scanner.text(), scanner.lineNo];
}

/**
 * Splits one delimited line, honouring double quotes ("" inside quotes is a quote). Returns null when
 * a quote is left open: the line was cut short, and its last field cannot be trusted.
 */
export function splitDelimited(line: string, delimiter: string): string[] | null {
  if (!line.includes('"')) return line.split(delimiter);
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) { out.push(field); field = ''; }
    else field += c;
  }
  if (quoted) return null;
  out.push(field);
  return out;
}
