import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { REFERENCE } from '../../helpers/cli.js';
import type { Pixels } from '../../../native/hashing/pixels.js';
import { pdqFromPixels, pdqOfRegion } from '../../../native/hashing/pdq/reading.js';
import { closestPair, pdqExtraHashes, QUERY_EXTRAS, STORED_EXTRAS, uniformBorders } from '../../../native/hashing/pdq/extraHashes.js';
import { hammingHex } from '../../../native/hashing/hamming.js';
import { PDQ_MATCH_DISTANCE } from '../../../native/hashing/pdq/pdq.js';

const PHOTO = join(REFERENCE, 'pdq', 'bridge-mods', 'aaa-orig.jpg');

async function pixelsOf(s: Sharp): Promise<Pixels> {
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

describe('pdqOfRegion', () => {
  it('hashes a rectangle exactly as the same rectangle cut out and hashed on its own', async () => {
    const full = await pixelsOf(sharp(PHOTO));
    const region = { left: 80, top: 50, width: 1440, height: 903 };
    const cut = await pixelsOf(sharp(PHOTO).extract(region));
    expect(pdqOfRegion(full, full.width, full.height, region).hash).toBe(pdqFromPixels(cut, cut.width, cut.height).hash);
  });

  it('refuses a rectangle reaching past the picture instead of reading outside it', async () => {
    const full = await pixelsOf(sharp(PHOTO));
    expect(() => pdqOfRegion(full, full.width, full.height, { left: 1, top: 0, width: full.width, height: 10 })).toThrow(/outside/);
  });
});

describe('crop set', () => {
  it('keeps every crop inside pictures whose sides round up (636x495, 637x491, 1001x333), each extra with a quality from 0 to 100', async () => {
    for (const [w, h] of [[636, 495], [637, 491], [1001, 333]] as const) {
      const pixels = await pixelsOf(sharp(PHOTO).resize(w, h, { fit: 'fill' }));
      const extras = pdqExtraHashes(pixels, pdqFromPixels(pixels, w, h), STORED_EXTRAS);
      expect(extras.length).toBeGreaterThan(0);
      for (const e of extras) {
        expect(e.region.left + e.region.width).toBeLessThanOrEqual(w);
        expect(e.region.top + e.region.height).toBeLessThanOrEqual(h);
        expect(Number.isInteger(e.quality) && e.quality >= 0 && e.quality <= 100).toBe(true);
      }
    }
  });
});

describe('border trimming', () => {
  it('finds letterbox bars, padding of any colour and a screenshot bar with icons in it', async () => {
    const photo = await sharp(PHOTO).resize(800, 502).toBuffer();
    const letterbox = await pixelsOf(sharp(photo).extend({ top: 90, bottom: 90, background: '#000' }));
    expect(uniformBorders(letterbox)).toEqual({ left: 0, top: 90, width: 800, height: 502 });
    const paddedJpeg = await sharp(photo).extend({ top: 60, bottom: 60, left: 80, right: 80, background: '#7f7f7f' }).jpeg({ quality: 80 }).toBuffer();
    const padded = await pixelsOf(sharp(paddedJpeg));
    const inner = uniformBorders(padded)!;
    // JPEG ringing at the picture's edge may take a pixel either way.
    expect(Math.abs(inner.left - 80)).toBeLessThanOrEqual(2);
    expect(Math.abs(inner.top - 60)).toBeLessThanOrEqual(2);
    // A status bar: flat grey with a few light "icons" covering under a tenth of it.
    const bar = Buffer.alloc(800 * 40 * 3, 40);
    for (let y = 12; y < 28; y++) for (let x = 700; x < 770; x++) bar.fill(230, (y * 800 + x) * 3, (y * 800 + x) * 3 + 3);
    const withBar = await pixelsOf(sharp(photo).extend({ top: 40, background: '#282828' }).composite([{ input: bar, raw: { width: 800, height: 40, channels: 3 }, top: 0, left: 0 }]));
    expect(uniformBorders(withBar)?.top).toBe(40);
  });

  it('leaves a picture without borders alone', async () => {
    expect(uniformBorders(await pixelsOf(sharp(PHOTO)))).toBeNull();
  });
});

describe('extra hashes as match evidence', () => {
  it('matches a padded copy through its trimmed hash and a cropped copy through a stored crop, naming which', async () => {
    const original = await pixelsOf(sharp(PHOTO));
    const plain = pdqFromPixels(original, original.width, original.height);
    const stored = { plain: plain.hash, dihedral: plain.dihedral, extras: pdqExtraHashes(original, plain, STORED_EXTRAS) };
    for (const e of stored.extras) expect(e.kind).toBe(e.name === 'trimmed' ? 'trimmed' : 'crop');

    const padded = await pixelsOf(sharp(PHOTO).extend({ top: 100, bottom: 100, left: 160, right: 160, background: '#ffffff' }));
    const paddedPlain = pdqFromPixels(padded, padded.width, padded.height);
    expect(hammingHex(paddedPlain.hash, plain.hash)).toBeGreaterThan(PDQ_MATCH_DISTANCE);
    const query = { plain: paddedPlain.hash, extras: pdqExtraHashes(padded, paddedPlain, QUERY_EXTRAS) };
    const viaTrim = closestPair(query, stored);
    console.log(`padded copy: plain distance ${hammingHex(paddedPlain.hash, plain.hash)}, evidence ${JSON.stringify(viaTrim)}`);
    expect(viaTrim.queryHash).toBe('trimmed');
    expect(viaTrim.distance).toBeLessThanOrEqual(PDQ_MATCH_DISTANCE);

    const cropped = await pixelsOf(sharp(PHOTO).extract({ left: 160, top: 100, width: 1440, height: 904 }));
    const croppedPlain = pdqFromPixels(cropped, cropped.width, cropped.height);
    const viaCrop = closestPair({ plain: croppedPlain.hash, extras: [] }, stored);
    console.log(`cropped copy: plain distance ${hammingHex(croppedPlain.hash, plain.hash)}, evidence ${JSON.stringify(viaCrop)}`);
    expect(viaCrop.storedHash).toBe('bottom-right-90');
    expect(viaCrop.distance).toBeLessThanOrEqual(10);

    // The plain match stays a plain match.
    expect(closestPair({ plain: plain.hash, extras: [] }, stored)).toEqual({ queryHash: 'plain', storedHash: 'plain', distance: 0 });
  });
});
