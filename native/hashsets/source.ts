import { closeSync, openSync, readSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { KestrelError, describeError } from '../util/result.js';

const CHUNK = 1 << 20;

/**
 * Reads a list file once, front to back, in fixed-size chunks, and hashes what it reads, so a list
 * of any size is streamed and its provenance SHA-256 costs no second pass.
 */
export class ChunkSource {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private readonly sha: Hash = createHash('sha256');
  private done = false;
  bytesRead = 0;

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
    this.bytesRead += n;
    const chunk = this.buf.subarray(0, n);
    this.sha.update(chunk);
    return chunk;
  }

  /** Reads whatever is left (so the digest covers the whole file) and returns the SHA-256. */
  finish(): string {
    while (this.next() !== null) { /* drain: the digest must cover the whole file */ }
    closeSync(this.fd);
    return this.sha.digest('hex');
  }

  close(): void {
    try { closeSync(this.fd); } catch { /* already closed by finish() */ }
  }
}

/** Lines of a UTF-8 text file with their 1-based numbers; a leading BOM and CR line ends are dropped. */
export function* lines(src: ChunkSource): Generator<[string, number]> {
  let carry: Buffer | null = null;
  let lineNo = 0;
  let first = true;
  for (let chunk = src.next(); chunk !== null; chunk = src.next()) {
    let data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    if (first) {
      first = false;
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
    }
    const lastNl = data.lastIndexOf(0x0a);
    if (lastNl < 0) {
      carry = Buffer.from(data);
      continue;
    }
    const text = data.toString('utf8', 0, lastNl);
    carry = lastNl + 1 < data.length ? Buffer.from(data.subarray(lastNl + 1)) : null;
    for (const line of text.split('\n')) {
      lineNo++;
      yield [line.endsWith('\r') ? line.slice(0, -1) : line, lineNo];
    }
  }
  if (carry && carry.length > 0) {
    const line = carry.toString('utf8');
    yield [line.endsWith('\r') ? line.slice(0, -1) : line, lineNo + 1];
  }
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
