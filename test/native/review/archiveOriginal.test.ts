import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type KestrelService } from '../../../native/api/service.js';
import { dispatch } from '../../../native/api/dispatch.js';
import { openSqlite } from '../../../native/catalog/sqlite.js';
import { tempDir } from '../../helpers/cli.js';
import { intake, newCase } from '../disk/helpers.js';

/** Coloured noise of the given size, as JPEG (made here). */
function noise(w: number, h: number, seed: number): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = ((i + seed) * 2654435761) >>> 24;
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The viewer's original for a picture held only inside a zip (made here with 7-Zip) in a folder
 * exhibit: extracted again by the archive helper into the case's tmp folder, checked against its
 * SHA-256 and the folder removed; a member of a zip inside the zip is not extracted again.
 */
describe('originals inside archives', () => {
  let dir: string;
  let evidence: string;
  let caseDir: string;
  let top: Buffer;
  let nested: Buffer;
  let service: KestrelService;
  const idOf = (b: Buffer): number => {
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT id FROM content WHERE sha256 = ?').get(sha256(b)) as { id: number }).id;
    } finally {
      db.close();
    }
  };
  const view = async (contentId: number) => {
    const r = await dispatch(service.handlers, 'viewSource', { contentId });
    if (!r.ok) throw new Error(r.error);
    return r.value as { source: string; path?: string; exhibitLabel?: string; reason?: string };
  };

  beforeAll(async () => {
    dir = tempDir('archive-original');
    const stage = join(dir, 'stage');
    evidence = join(dir, 'evidence');
    mkdirSync(stage, { recursive: true });
    mkdirSync(evidence, { recursive: true });
    top = await noise(2600, 1800, 1);
    nested = await noise(900, 600, 2);
    writeFileSync(join(stage, 'big.jpg'), top);
    writeFileSync(join(stage, 'inner.jpg'), nested);
    execFileSync('7z', ['a', '-tzip', join(stage, 'inner.zip'), join(stage, 'inner.jpg')], { stdio: 'ignore' });
    execFileSync('7z', ['a', '-tzip', join(evidence, 'holiday.zip'), join(stage, 'big.jpg'), join(stage, 'inner.zip')], { stdio: 'ignore' });
    caseDir = newCase('archive-original-case');
    await intake(caseDir, evidence, 'PHONE');
    service = createService({ caseDir, libraryDir: join(dir, 'lib') });
  }, 120_000);
  afterAll(async () => { await service?.close(); });

  it('extracts a member again, byte for byte, inside the case folder, and removes what it extracted', async () => {
    const id = idOf(top);
    expect(await view(id)).toEqual({ source: 'original', exhibitLabel: 'PHONE', path: 'holiday.zip!/big.jpg' });
    const original = await service.originalImage(id);
    expect(original?.mediaType).toBe('image/jpeg');
    expect(original!.bytes.equals(top)).toBe(true);
    expect(readdirSync(join(caseDir, 'tmp', 'view'))).toEqual([]);
  });

  it('shows the stored preview, saying why, for a nested member and when the archive is gone', async () => {
    const inner = await view(idOf(nested));
    expect(inner.source).toBe('preview');
    expect(inner.reason).toContain('holiday.zip!/inner.zip!/inner.jpg: a member of a nested archive or of an archive inside a disk image is not extracted again');

    renameSync(join(evidence, 'holiday.zip'), join(evidence, 'moved.zip'));
    try {
      const gone = await view(idOf(top));
      expect(gone.source).toBe('preview');
      expect(gone.reason).toMatch(/holiday\.zip!\/big\.jpg: .*ENOENT/);
      expect(await service.originalImage(idOf(top))).toBeNull();
    } finally {
      renameSync(join(evidence, 'moved.zip'), join(evidence, 'holiday.zip'));
    }
    expect(existsSync(join(caseDir, 'tmp', 'view')) ? readdirSync(join(caseDir, 'tmp', 'view')) : []).toEqual([]);
  });
});
