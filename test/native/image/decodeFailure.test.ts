import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../../../native/image/decode.js';
import { REFERENCE } from '../../helpers/cli.js';

async function failure(bytes: Uint8Array): Promise<string> {
  try {
    await decodeImage(bytes);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('decoded a damaged picture');
}

describe('a picture that does not decode', () => {
  it('gets the same message on every run, however many pictures are decoded at once', async () => {
    const jpeg = readFileSync(join(REFERENCE, 'pdq', 'bridge-mods', 'aaa-orig.jpg'));
    const png = await sharp(jpeg).png().toBuffer();
    const gif = await sharp(jpeg).resize(200).gif().toBuffer();
    const good = readFileSync(join(REFERENCE, 'blockhash', 'clipper_ship.jpg'));
    const cut = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));
    let first: string[] | undefined;
    for (let round = 0; round < 4; round++) {
      const jobs = [cut(jpeg), cut(png), cut(gif)].flatMap((damaged) => [failure(damaged), decodeImage(good).then(() => 'ok')]);
      const got = await Promise.all(jobs);
      expect(got[0]).toBe('truncated JPEG: no end-of-image marker (premature end of JPEG image)');
      expect(got[2]).toMatch(/^truncated PNG: the IDAT chunk at byte \d+ needs \d+ bytes, \d+ remain; no IEND chunk$/);
      expect(got[4]).toMatch(/^truncated GIF: no trailer \(cut in frame 1\)$/);
      expect([got[1], got[3], got[5]]).toEqual(['ok', 'ok', 'ok']);
      first ??= got;
      expect(got).toEqual(first);
    }
  });
});
