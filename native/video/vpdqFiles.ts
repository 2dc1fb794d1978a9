import { VpdqFormatError } from './vpdqErrors.js';
import type { VpdqFeature } from './vpdq.js';

export { VpdqFormatError } from './vpdqErrors.js';

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Reads a vPDQ per-video hash file as vpdq-hash-video writes it: one `frame,quality,pdqhex,timestamp`
 * line per hashed frame. Hex is taken in either case and stored lower-case. A bad line fails the
 * whole file, naming the line: a video with frames missing would match less than it should.
 */
export function parseVpdqText(text: string, file: string): VpdqFeature[] {
  const out: VpdqFeature[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const at = `${file}: line ${i + 1}`;
    const parts = line.split(',');
    if (parts.length !== 4) throw new VpdqFormatError(`${at}: expected frame,quality,pdqhex,timestamp, got ${parts.length} fields`);
    const [frame, quality, hash, timestamp] = parts as [string, string, string, string];
    out.push(feature({ frame: integer(frame, 'frame', at), quality: integer(quality, 'quality', at), hash, timestamp: seconds(timestamp, at) }, at));
  });
  if (out.length === 0) throw new VpdqFormatError(`${file}: no frame hashes`);
  return out;
}

/** vpdq-hash-video's file: timestamps with three decimals. */
export function formatVpdqText(features: readonly VpdqFeature[]): string {
  return features.map((f) => `${f.frame},${f.quality},${f.hash},${f.timestamp.toFixed(3)}\n`).join('');
}

/**
 * python-threatexchange's VPDQ signal: a JSON array of "pdqhex,quality,timestamp" strings, the
 * timestamp written with Python's `.3` format (three significant digits, so 123.4 is "1.23e+02").
 * It carries no frame numbers; they are numbered here in order, as the signal is.
 */
export function parseVpdqJson(text: string, file: string): VpdqFeature[] {
  let items: unknown;
  try {
    items = JSON.parse(text.replace(/^\uFEFF/, '') || '[]');
  } catch (err) {
    throw new VpdqFormatError(`${file}: not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(items)) throw new VpdqFormatError(`${file}: expected a JSON array of "pdqhex,quality,timestamp" strings`);
  const out = items.map((item, i) => {
    const at = `${file}: item ${i + 1}`;
    if (typeof item !== 'string') throw new VpdqFormatError(`${at}: expected a "pdqhex,quality,timestamp" string`);
    const parts = item.split(',');
    if (parts.length !== 3) throw new VpdqFormatError(`${at}: expected pdqhex,quality,timestamp, got ${parts.length} fields`);
    const [hash, quality, timestamp] = parts as [string, string, string];
    return feature({ frame: i, quality: integer(quality, 'quality', at), hash, timestamp: seconds(timestamp, at) }, at);
  });
  if (out.length === 0) throw new VpdqFormatError(`${file}: no frame hashes`);
  return out;
}

/** The JSON signal form, timestamps as Python's `{:.3}` writes them. */
export function formatVpdqJson(features: readonly VpdqFeature[]): string {
  return JSON.stringify(features.map((f) => `${f.hash},${f.quality},${pythonG3(f.timestamp)}`));
}

/**
 * Python's format(x, '.3'): three significant digits; exponent form below 1e-4, and from 100 up
 * (fixed notation there would need a fourth digit, the one Python keeps after the point).
 */
export function pythonG3(x: number): string {
  if (x === 0) return '0.0';
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(3)))));
  if (exp < -4 || exp >= 2) {
    const [mant, e] = x.toExponential(2).split('e') as [string, string];
    const n = Number(e);
    return `${mant.replace(/\.?0+$/, '')}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = x.toPrecision(3);
  const trimmed = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '.0') : `${s}.0`;
  return trimmed;
}

function feature(f: VpdqFeature, at: string): VpdqFeature {
  const hash = f.hash.trim().toLowerCase();
  if (!HEX64.test(hash)) throw new VpdqFormatError(`${at}: PDQ hash is not 64 hex digits`);
  if (f.quality < 0 || f.quality > 100) throw new VpdqFormatError(`${at}: quality ${f.quality} is outside 0-100`);
  return { ...f, hash };
}

function integer(s: string, what: string, at: string): number {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 0) throw new VpdqFormatError(`${at}: ${what} ${JSON.stringify(s)} is not a whole number`);
  return n;
}

function seconds(s: string, at: string): number {
  const t = s.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n) || n < 0) throw new VpdqFormatError(`${at}: timestamp ${JSON.stringify(s)} is not a number of seconds`);
  return n;
}
