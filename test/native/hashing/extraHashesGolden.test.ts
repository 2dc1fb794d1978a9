import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REFERENCE } from '../../helpers/cli.js';
import type { Pixels } from '../../../native/hashing/pixels.js';
import { decodeImage } from '../../../native/image/decode.js';
import { pdqFromPixels, pdqRotated } from '../../../native/hashing/pdq/reading.js';
import { pdqExtraHashes, STORED_EXTRAS } from '../../../native/hashing/pdq/extraHashes.js';

/**
 * The PDQ extras (border trim, crop set) and rotated hashes of every reference picture, and of
 * copies with borders and odd sizes made here from their pixels, must stay exactly what they were
 * when the golden file was written: the stored extras of every case catalogue and lab library are
 * compared with new ones, so an optimisation that moves a single bit of a single extra breaks
 * matching across versions. The plain PDQ is held to Meta's reference by pdqConformance; it is
 * recorded here too so that a faster path cannot drift on the pictures this file covers.
 *
 * The golden file was written from the code as it stood before the extras were made faster
 * (KESTREL_WRITE_GOLDEN=1 rewrites it; never do that to make a failing optimisation pass). To keep
 * it small it holds, per picture, the plain hash, how many extras were kept and the SHA-256 of
 * everything computed (each extra's name, kind, region, hash and quality, the dihedral and rotated
 * hashes) in a fixed JSON form.
 */
const GOLDEN = join(import.meta.dirname, 'fixtures', 'pdq-extras-golden.json');
const IMAGE = /\.(jpe?g|png|webp|gif|tiff?|bmp)$/i;
const ROTATIONS = [-4, -2, 2, 4];

interface Computed {
  width: number;
  height: number;
  plain: string;
  quality: number;
  dihedral: string[];
  extras: Array<{ name: string; kind: string; region: [number, number, number, number]; hash: string; quality: number }>;
  rotated?: Array<{ degrees: number; hash: string; quality: number }>;
}

function pictures(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return pictures(path);
    return IMAGE.test(name) ? [path] : [];
  });
}

/** The picture inside a border of one grey level (what a re-post with bars or padding adds). */
function bordered(p: Pixels, top: number, right: number, bottom: number, left: number, level: number): Pixels {
  const width = p.width + left + right;
  const height = p.height + top + bottom;
  const data = new Uint8Array(width * height * p.channels).fill(level);
  for (let y = 0; y < p.height; y++) {
    data.set(p.data.subarray(y * p.width * p.channels, (y + 1) * p.width * p.channels), ((y + top) * width + left) * p.channels);
  }
  return { data, width, height, channels: p.channels };
}

/** A rectangle of the picture's pixels (sides that round awkwardly when cropped by fractions). */
function cut(p: Pixels, left: number, top: number, width: number, height: number): Pixels {
  const data = new Uint8Array(width * height * p.channels);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * p.width + left) * p.channels;
    data.set(p.data.subarray(from, from + width * p.channels), y * width * p.channels);
  }
  return { data, width, height, channels: p.channels };
}

function entry(p: Pixels, withRotations: boolean): Computed {
  const plain = pdqFromPixels(p, p.width, p.height);
  const extras = pdqExtraHashes(p, plain, STORED_EXTRAS).map((e) => ({
    name: e.name, kind: e.kind, region: [e.region.left, e.region.top, e.region.width, e.region.height] as [number, number, number, number], hash: e.hash, quality: e.quality,
  }));
  const out: Computed = { width: p.width, height: p.height, plain: plain.hash, quality: plain.quality, dihedral: plain.dihedral, extras };
  if (withRotations) out.rotated = ROTATIONS.map((degrees) => ({ degrees, ...pick(pdqRotated(p, degrees)) }));
  return out;
}

function pick(r: { hash: string; quality: number }): { hash: string; quality: number } {
  return { hash: r.hash, quality: r.quality };
}

interface GoldenEntry {
  width: number;
  height: number;
  plain: string;
  quality: number;
  extras: number;
  trimmed: boolean;
  sha256: string;
}

function summary(c: Computed): GoldenEntry {
  return {
    width: c.width, height: c.height, plain: c.plain, quality: c.quality, extras: c.extras.length,
    trimmed: c.extras.some((e) => e.kind === 'trimmed'), sha256: createHash('sha256').update(JSON.stringify(c)).digest('hex'),
  };
}

async function compute(): Promise<Record<string, GoldenEntry>> {
  const out: Record<string, GoldenEntry> = {};
  for (const file of pictures(REFERENCE)) {
    const name = relative(REFERENCE, file);
    let p: Pixels;
    try {
      p = (await decodeImage(readFileSync(file))).pixels;
    } catch {
      continue;
    }
    const large = p.width * p.height > 4_000_000;
    out[name] = summary(entry(p, large || name.includes('bridge-1-original')));
    if (p.width >= 64 && p.height >= 64) {
      out[`${name} +bars`] = summary(entry(bordered(p, Math.round(p.height / 8), 0, Math.round(p.height / 8), 0, 0), false));
      out[`${name} +padding`] = summary(entry(bordered(p, 37, 53, 41, 29, 200), false));
    }
    if (!large && p.width >= 640 && p.height >= 500) out[`${name} 636x495`] = summary(entry(cut(p, 3, 2, 636, 495), false));
  }
  return out;
}

describe('PDQ extras golden file', () => {
  it('gives every extra, rotated and plain hash of the reference pictures bit for bit as when the file was written', async () => {
    const now = await compute();
    if (process.env.KESTREL_WRITE_GOLDEN === '1') writeFileSync(GOLDEN, `{\n${Object.entries(now).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n}\n`);
    expect(existsSync(GOLDEN)).toBe(true);
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, GoldenEntry>;
    expect(Object.keys(now).sort()).toEqual(Object.keys(golden).sort());
    // Large photos (12 MP) and bordered copies must be in it, or the test proves little.
    expect(Object.values(golden).filter((g) => g.width * g.height > 10_000_000).length).toBeGreaterThanOrEqual(4);
    expect(Object.values(golden).filter((g) => g.trimmed).length).toBeGreaterThanOrEqual(40);
    expect(Object.values(golden).reduce((n, g) => n + g.extras, 0)).toBeGreaterThanOrEqual(2000);
    for (const [name, g] of Object.entries(golden)) expect(now[name], name).toEqual(g);
  }, 600_000);
});
