import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, DecodeError } from '../../../native/image/decode.js';
import { kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';

/**
 * Damaged pictures thrown at the decoder: seeded mutations (cuts, bit flips, overwritten runs,
 * repeated runs) of a JPEG, a PNG with alpha, an animated GIF and a WebP, made here. Each must
 * decode to whole pixels or fail with a one-line DecodeError, within a time bound, and a PNG or
 * GIF cut before its end marker must be refused as truncated.
 */
const SEED = 0x6b657374;
const PER_FORMAT = 150;
const TIME_BOUND_MS = 20_000;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A picture with edges and gradients (so every format has real entropy-coded data). */
function scene(width: number, height: number, channels: 3 | 4): Buffer {
  const px = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      px[i] = (x * 255) / width;
      px[i + 1] = ((x ^ y) & 32) ? 220 : 30;
      px[i + 2] = (y * 255) / height;
      if (channels === 4) px[i + 3] = x < width / 2 ? 255 : 128;
    }
  }
  return px;
}

type Kind = 'cut' | 'flip' | 'overwrite' | 'repeat';
interface Mutant { kind: Kind; bytes: Buffer; at: number }

function mutate(original: Buffer, random: () => number): Mutant {
  const b = Buffer.from(original);
  const at = Math.floor(random() * b.length);
  const kind = (['cut', 'flip', 'overwrite', 'repeat'] as const)[Math.floor(random() * 4)]!;
  switch (kind) {
    case 'cut': return { kind, bytes: b.subarray(0, at), at };
    case 'flip':
      for (let k = 1 + Math.floor(random() * 8); k > 0; k--) {
        const i = Math.floor(random() * b.length);
        b[i] = b[i]! ^ (1 << Math.floor(random() * 8));
      }
      return { kind, bytes: b, at };
    case 'overwrite':
      for (let i = at; i < Math.min(b.length, at + 1 + Math.floor(random() * 64)); i++) b[i] = Math.floor(random() * 256);
      return { kind, bytes: b, at };
    case 'repeat': {
      const run = b.subarray(at, Math.min(b.length, at + 1 + Math.floor(random() * 256)));
      return { kind, bytes: Buffer.concat([b.subarray(0, at), run, run, b.subarray(at + run.length)]), at };
    }
  }
}

const originals: Record<string, Buffer> = {};

beforeAll(async () => {
  const rgb = scene(160, 120, 3);
  const rgba = scene(160, 120, 4);
  originals['jpeg'] = await sharp(rgb, { raw: { width: 160, height: 120, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
  originals['png'] = await sharp(rgba, { raw: { width: 160, height: 120, channels: 4 } }).png().toBuffer();
  originals['webp'] = await sharp(rgb, { raw: { width: 160, height: 120, channels: 3 } }).webp({ quality: 80 }).toBuffer();
  const frames = await Promise.all([0, 1, 2, 3].map((f) =>
    sharp(scene(160, 120, 4).map((v, i) => (i % 4 === 3 ? 255 : (v + f * 60) & 255)), { raw: { width: 160, height: 120, channels: 4 } }).png().toBuffer()));
  originals['gif'] = await sharp(frames, { join: { animated: true } }).gif({ delay: 100 }).toBuffer();
  expect((await sharp(originals['gif'], { animated: true }).metadata()).pages).toBeGreaterThanOrEqual(3);
});

async function outcome(bytes: Buffer): Promise<{ ok: true; width: number; height: number; bytes: number; expected: number } | { ok: false; error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`hung: no answer within ${TIME_BOUND_MS} ms`)), TIME_BOUND_MS); });
  try {
    const d = await Promise.race([decodeImage(bytes), late]);
    return { ok: true, width: d.pixels.width, height: d.pixels.height, bytes: d.pixels.data.length, expected: d.pixels.width * d.pixels.height * d.pixels.channels };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

describe('picture decoder under damaged input', () => {
  for (const format of ['jpeg', 'png', 'gif', 'webp']) {
    it(`${format}: ${PER_FORMAT} seeded mutations decode whole or fail with one clear line, none hangs`, async () => {
      const original = originals[format]!;
      expect((await decodeImage(original)).format).toBe(format);
      const random = prng(SEED ^ format.charCodeAt(0));
      const rssBefore = process.memoryUsage().rss;
      const tally: Record<string, number> = { decoded: 0, refused: 0 };
      for (let n = 0; n < PER_FORMAT; n++) {
        const m = mutate(original, random);
        const what = `${format} mutant ${n} (${m.kind} at ${m.at} of ${original.length})`;
        const r = await outcome(m.bytes);
        if (r.ok) {
          tally['decoded']! += 1;
          expect(r.width, what).toBeGreaterThan(0);
          expect(r.bytes, what).toBe(r.expected);
        } else {
          tally['refused']! += 1;
          expect(r.error, what).toBeInstanceOf(DecodeError);
          const message = (r.error as Error).message;
          expect(message, what).toMatch(/^[^\n\r\u0000-\u001f]{5,300}$/);
        }
        // A PNG or GIF cut before its end marker is refused as truncated (a JPEG's cut is caught by libvips).
        if (m.kind === 'cut' && (format === 'png' || format === 'gif')) {
          expect(r.ok, what).toBe(false);
          if (!r.ok) expect((r.error as Error).message, what).toMatch(format === 'png' ? /^truncated PNG: / : /^truncated GIF: no trailer/);
        }
      }
      expect(tally['refused'], `${format}: ${JSON.stringify(tally)}`).toBeGreaterThan(0);
      // Bounded memory: what the mutants made the decoder hold is given back (the pictures are 160x120).
      expect(process.memoryUsage().rss - rssBefore, format).toBeLessThan(512 << 20);
    }, 300_000);
  }
});

describe('truncated pictures in the catalogue', () => {
  it('flags a PNG without IEND and a GIF cut mid-animation at their paths, and keeps hashing whole ones with bytes after the end', async () => {
    const src = tempDir('fuzz-src');
    mkdirSync(join(src, 'pics'));
    const png = originals['png']!;
    const gif = originals['gif']!;
    writeFileSync(join(src, 'pics', 'no-iend.png'), png.subarray(0, png.length - 12));
    writeFileSync(join(src, 'pics', 'cut-animation.gif'), gif.subarray(0, Math.floor(gif.length * 0.6)));
    writeFileSync(join(src, 'pics', 'whole-with-trailer.png'), Buffer.concat([png, Buffer.alloc(200, 0x41)]));
    writeFileSync(join(src, 'pics', 'whole.gif'), gif);
    const caseDir = join(tempDir('fuzz-case'), 'case');
    expect(kestrel(['init', caseDir, '--case-number', 'FZ-1', '--examiner', 'x']).status).toBe(0);
    const r = kestrel(['intake', caseDir, src, '--exhibit', 'E']);
    expect(r.status, r.stderr).toBe(0);
    const rows = queryCase<{ path_text: string; decode_error: string | null; pdq: string | null }>(caseDir, `
      SELECT f.path_text, i.decode_error, i.pdq FROM file_instance f JOIN image_data i ON i.content_id = f.content_id
      WHERE f.entry_type = 'file' ORDER BY f.path_text`);
    const byName = Object.fromEntries(rows.map((row) => [row.path_text.split('/').at(-1)!, row]));
    expect(byName['no-iend.png']).toMatchObject({ decode_error: 'truncated PNG: no IEND chunk', pdq: null });
    expect(byName['cut-animation.gif']!.decode_error).toMatch(/^truncated GIF: no trailer \(cut (in|after) frame \d+\)$/);
    expect(byName['whole-with-trailer.png']).toMatchObject({ decode_error: null });
    expect(byName['whole-with-trailer.png']!.pdq).toMatch(/^[0-9a-f]{64}$/);
    expect(byName['whole.gif']).toMatchObject({ decode_error: null });
  });
});
