/**
 * File names on Linux are bytes, not text. We keep the bytes and show a lossless text form:
 * valid UTF-8 as it is, every byte of an invalid sequence as \xNN, and a literal backslash as \\
 * so the text form can always be turned back into the same bytes.
 */
const decoder = new TextDecoder('utf-8', { fatal: true });

export function displayPath(bytes: Buffer): string {
  try {
    return decoder.decode(bytes).replace(/\\/g, '\\\\');
  } catch {
    return escapeInvalid(bytes);
  }
}

function escapeInvalid(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i += 1;
    } else {
      const s = bytes.subarray(i, i + len).toString('utf8');
      out += s === '\\' ? '\\\\' : s;
      i += len;
    }
  }
  return out;
}

function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  let len: number;
  let min: number;
  if (c >= 0xc2 && c <= 0xdf) { len = 2; min = 0x80; }
  else if (c >= 0xe0 && c <= 0xef) { len = 3; min = 0x800; }
  else if (c >= 0xf0 && c <= 0xf4) { len = 4; min = 0x10000; }
  else return 0;
  if (i + len > b.length) return 0;
  let cp = c & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) {
    const cc = b[i + k]!;
    if ((cc & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

/** Inverse of displayPath. */
export function pathFromDisplay(text: string): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  let plain = '';
  const flush = () => { if (plain) { parts.push(Buffer.from(plain, 'utf8')); plain = ''; } };
  while (i < text.length) {
    if (text[i] === '\\' && text[i + 1] === '\\') { plain += '\\'; i += 2; }
    else if (text[i] === '\\' && text[i + 1] === 'x' && /^[0-9a-f]{2}$/.test(text.slice(i + 2, i + 4))) {
      flush();
      parts.push(Buffer.from([parseInt(text.slice(i + 2, i + 4), 16)]));
      i += 4;
    } else { plain += text[i]; i += 1; }
  }
  flush();
  return Buffer.concat(parts);
}
