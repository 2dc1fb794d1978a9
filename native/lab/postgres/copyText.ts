/**
 * PostgreSQL's COPY text format: tab-separated, \N for NULL, bytea as \\x hex; text escapes
 * backslash, tab, newline and CR (and COPY TO also writes \b, \f and \v).
 */
export function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (Buffer.isBuffer(v)) return `\\\\x${v.toString('hex')}`;
  if (typeof v === 'number') return String(v);
  const text = String(v);
  // Most fields have nothing to escape: one test instead of four replacements a field.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

const ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** One field of a COPY TO text line back to its value (null for \N). */
export function readCopyField(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\([0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/g, (_, e: string) => {
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    if (e.length > 1 && e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? e;
  });
}

/**
 * Splits a COPY TO STDOUT stream into lines of fields. Lines are cut on the newline byte before
 * decoding, so a UTF-8 character split across chunks is decoded whole.
 */
export async function* copyLines(stream: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      yield buf.toString('utf8', start, nl).split('\t');
      start = nl + 1;
    }
    rest = buf.subarray(start);
  }
  if (rest.length) throw new Error('COPY output ended inside a line');
}
