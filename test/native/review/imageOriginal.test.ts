import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type KestrelService } from '../../../native/api/service.js';
import { dispatch } from '../../../native/api/dispatch.js';
import { openSqlite } from '../../../native/catalog/sqlite.js';
import { tempDir } from '../../helpers/cli.js';
import { intake, newCase } from '../disk/helpers.js';

/** A 3000x2000 picture of coloured noise (made here): larger than the 2048 px stored preview. */
function bigPicture(): Promise<Buffer> {
  const w = 3000;
  const h = 2000;
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The viewer's original for a picture that exists only inside a disk image: an ext4 image built
 * here with mke2fs -d (nothing mounted), taken in through kestrel-tsk; the original is read again
 * through the helper at the address intake recorded, shown only with its catalogued SHA-256, and
 * the image is never written to.
 */
describe('originals inside disk images', () => {
  let dir: string;
  let image: string;
  let jpeg: Buffer;
  let id: number;
  let service: KestrelService;
  const call = async <T>(channel: string, arg: unknown): Promise<T> => {
    const r = await dispatch(service.handlers, channel, arg);
    if (!r.ok) throw new Error(`${channel}: ${r.error}`);
    return r.value as T;
  };

  beforeAll(async () => {
    dir = tempDir('image-original');
    const root = join(dir, 'root');
    mkdirSync(join(root, 'DCIM'), { recursive: true });
    jpeg = await bigPicture();
    writeFileSync(join(root, 'DCIM', 'big.jpg'), jpeg);
    image = join(dir, 'card.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', root, image, '32M']);
    const caseDir = newCase('image-original-case');
    await intake(caseDir, image, 'CARD');
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    id = (db.prepare('SELECT id FROM content WHERE sha256 = ?').get(sha256(jpeg)) as { id: number }).id;
    db.close();
    service = createService({ caseDir, libraryDir: join(dir, 'lib') });
  }, 120_000);
  afterAll(async () => { await service?.close(); });

  it('reads the original from the image through the helper, byte for byte, and leaves the image as it was', async () => {
    const before = sha256(readFileSync(image));
    expect(await call('viewSource', { contentId: id })).toEqual({ source: 'original', exhibitLabel: 'CARD', path: 'volume (ext4, offset 0)/DCIM/big.jpg' });
    const original = await service.originalImage(id);
    expect(original?.mediaType).toBe('image/jpeg');
    expect(original!.bytes.equals(jpeg)).toBe(true);
    // A second read reuses the helper already running for this image.
    expect((await service.originalImage(id))!.bytes.equals(jpeg)).toBe(true);
    expect(sha256(readFileSync(image))).toBe(before);
  });

  it('shows the stored preview, saying why, when the image is gone or its bytes changed', async () => {
    renameSync(image, `${image}.away`);
    try {
      const away = await call<{ source: string; reason: string }>('viewSource', { contentId: id });
      expect(away.source).toBe('preview');
      expect(away.reason).toContain(`image segment ${image} is not reachable`);
      expect(await service.originalImage(id)).toBeNull();
    } finally {
      renameSync(`${image}.away`, image);
    }
    // One byte of the picture changed inside the image: read back, it no longer has its SHA-256.
    const at = readFileSync(image).indexOf(jpeg.subarray(0, 4096));
    expect(at).toBeGreaterThan(0);
    const fd = openSync(image, 'r+');
    try {
      writeSync(fd, Buffer.from([jpeg[5000]! ^ 0xff]), 0, 1, at + 5000);
    } finally {
      closeSync(fd);
    }
    const changed = await call<{ source: string; reason: string }>('viewSource', { contentId: id });
    expect(changed).toMatchObject({ source: 'preview' });
    expect(changed.reason).toContain('volume (ext4, offset 0)/DCIM/big.jpg: read from the image, its bytes do not have the catalogued SHA-256');
    expect(await service.originalImage(id)).toBeNull();
  });
});
