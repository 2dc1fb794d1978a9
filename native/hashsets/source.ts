import { closeSync, openSync, readSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { KestrelError, describeError } from '../util/result.js';

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

/**
 * The lines of a UTF-8 text file as byte ranges, one at a time: after next() returns true, the line
 * is buf[start, end) (a view valid until the next call) and lineNo its 1-based number. CR line ends
 * are dropped (the source has dropped a leading BOM). Byte ranges let a reader of a list of millions
 * of lines parse the common line without making a string of it.
 */
export class LineScanner {
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  lineNo = 0;
  private pos = 0;
  private ended = false;

  constructor(private readonly src: ChunkSource) {}

  next(): boolean {
    for (;;) {
      if (this.ended) return false;
      const nl = this.buf.indexOf(0x0a, this.pos);
      if (nl >= 0) {
        this.take(this.pos, nl);
        this.pos = nl + 1;
        return true;
      }
      // The chunk buffer is reused by the source, so an unfinished line is copied before reading on.
      const carry = this.pos < this.buf.length ? Buffer.from(this.buf.subarray(this.pos)) : null;
      const chunk = this.src.next();
      if (chunk === null) {
        this.ended = true;
        if (!carry) return false;
        this.buf = carry;
        this.take(0, carry.length);
        return true;
      }
      this.buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      this.pos = 0;
    }
  }

  /** The current line as text. */
  text(): string {
    return this.buf.toString('utf8', this.start, this.end);
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

/** Splits one delimited line, honouring double quotes ("" inside quotes is a quote). */
export function splitDelimited(line: string, delimiter: string): string[] {
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
  out.push(field);
  return out;
}
