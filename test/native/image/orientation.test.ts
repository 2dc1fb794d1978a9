import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { REFERENCE } from '../../helpers/cli.js';
import { decodeImage } from '../../../native/image/decode.js';
import { workingCopy } from '../../../native/image/workingCopy.js';
import { makePreview } from '../../../native/image/preview.js';
import { pdqWithExtras, STORED_EXTRAS } from '../../../native/hashing/pdq/extraHashes.js';

/**
 * A JPEG held sideways or mirrored is read as the file stores it and sampled where the upright
 * picture has each pixel (native/hashing/orientation.ts), instead of being turned by libvips
 * first: for every EXIF orientation the PDQ, its extras and the working copy must be exactly
 * those of the picture turned upright, and the preview the same picture.
 */
describe('pictures read as stored, with their EXIF orientation', () => {
  it('gives the upright picture\'s PDQ, extras and working copy bit for bit, and its preview, for orientations 1-8', async () => {
    const photo = await sharp(readFileSync(join(REFERENCE, 'pdq', 'bridge-mods', 'aaa-orig.jpg')))
      .resize(1600, 1240, { fit: 'fill' }).extend({ top: 90, bottom: 90, background: '#000000' }).jpeg({ quality: 90 }).toBuffer();
    for (let orientation = 1; orientation <= 8; orientation++) {
      const file = await sharp(photo).withMetadata({ orientation }).jpeg({ quality: 90 }).toBuffer();
      const upright = await decodeImage(file);
      const stored = await decodeImage(file, { asStored: true });
      expect(stored.pixels.orientation, `orientation ${orientation}`).toBe(orientation);
      expect([stored.width, stored.height]).toEqual([upright.width, upright.height]);
      const a = pdqWithExtras(upright.pixels, STORED_EXTRAS);
      const b = pdqWithExtras(stored.pixels, STORED_EXTRAS);
      expect(b.plain, `orientation ${orientation}`).toEqual(a.plain);
      expect(b.extras, `orientation ${orientation}`).toEqual(a.extras);
      expect(a.extras.some((e) => e.kind === 'trimmed')).toBe(true);
      const wa = workingCopy(upright.pixels);
      const wb = workingCopy(stored.pixels);
      expect([wb.width, wb.height, wb.channels]).toEqual([wa.width, wa.height, wa.channels]);
      expect(Buffer.from(wb.data).equals(Buffer.from(wa.data)), `working copy, orientation ${orientation}`).toBe(true);
      const pa = await sharp((await makePreview(upright.pixels)).jpeg).raw().toBuffer({ resolveWithObject: true });
      const pb = await sharp((await makePreview(stored.pixels)).jpeg).raw().toBuffer({ resolveWithObject: true });
      expect([pb.info.width, pb.info.height]).toEqual([pa.info.width, pa.info.height]);
      let diff = 0;
      for (let i = 0; i < pa.data.length; i++) diff += Math.abs(pa.data[i]! - pb.data[i]!);
      expect(diff / pa.data.length, `preview, orientation ${orientation}`).toBeLessThan(3);
    }
  }, 300_000);
});
