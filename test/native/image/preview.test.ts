import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { REFERENCE } from '../../helpers/cli.js';
import { makePreview, PREVIEW } from '../../../native/image/preview.js';

const PHOTO = join(REFERENCE, 'pdq', 'reg-test-input', 'exif-rotn', 'exif-rotn-1.jpg');

describe('makePreview', () => {
  it('reduces a 12 MP photo to 2048 px on its long side, close to a lanczos reduction of the same pixels', async () => {
    const { data, info } = await sharp(readFileSync(PHOTO)).resize(4000, 3000, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    const pixels = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
    const preview = await makePreview(pixels);
    expect([preview.width, preview.height]).toEqual([PREVIEW.maxSide, 1536]);
    const got = await sharp(preview.jpeg).raw().toBuffer();
    const want = await sharp(data, { raw: { width: 4000, height: 3000, channels: 3 } }).resize(2048, 1536, { kernel: 'lanczos3' }).raw().toBuffer();
    expect(got.length).toBe(want.length);
    let sum = 0;
    for (let i = 0; i < got.length; i++) sum += Math.abs(got[i]! - want[i]!);
    // JPEG at quality 82 plus a softer kernel: a few levels on average, far from a wrong picture.
    expect(sum / got.length).toBeLessThan(4);
  });

  it('never enlarges a small picture', async () => {
    const { data, info } = await sharp(readFileSync(PHOTO)).resize(300, 200, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    const preview = await makePreview({ data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels });
    expect([preview.width, preview.height]).toEqual([300, 200]);
  });
});
