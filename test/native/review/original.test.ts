import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { initCase, type OpenCase } from '../../../native/catalog/case.js';
import { runIntake } from '../../../native/intake/intake.js';
import { previewFile, readOriginal, viewSource } from '../../../native/review/original.js';
import { derivedUsage } from '../../../native/catalog/derivedUsage.js';
import { createService } from '../../../native/api/service.js';
import { startBridge } from '../../../native/server/bridge.js';
import { PREVIEW } from '../../../native/image/preview.js';
import { ImageReaders } from '../../../native/review/imageOriginal.js';
import { resolveLocalhostNames } from '../../helpers/localhostNames.js';

resolveLocalhostNames();

/** No disk image in these cases: the readers are never asked to start a helper. */
const readers = new ImageReaders();

/** A 3000x2000 picture of coloured noise (made here): larger than the preview's 2048 px. */
async function bigPicture(): Promise<Buffer> {
  const w = 3000;
  const h = 2000;
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

describe('viewer sources: the original from the evidence, else the stored preview', () => {
  let dir: string;
  let evidence: string;
  let c: OpenCase;
  let id: number;
  let jpeg: Buffer;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-original-'));
    evidence = join(dir, 'evidence');
    mkdirSync(join(evidence, 'DCIM'), { recursive: true });
    jpeg = await bigPicture();
    writeFileSync(join(evidence, 'DCIM', 'big.jpg'), jpeg);
    writeFileSync(join(evidence, 'notes.txt'), 'not a picture\n');
    c = initCase(join(dir, 'case'), { caseNumber: 'OP-O', examiner: 'Examiner O' });
    await runIntake(c, evidence, { exhibit: 'EX-O', workers: 1 });
    id = (c.db.prepare("SELECT id FROM content WHERE detected_type = 'image/jpeg'").get() as { id: number }).id;
  });
  afterEach(() => {
    c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the original read-only, byte for byte, and stores a preview of at most 2048 px beside the thumbnail', async () => {
    const before = statSync(join(evidence, 'DCIM', 'big.jpg'));
    const original = readOriginal(c, id);
    expect('bytes' in original && original.bytes.equals(jpeg)).toBe(true);
    expect(original).toMatchObject({ mediaType: 'image/jpeg', exhibitLabel: 'EX-O', path: 'DCIM/big.jpg' });
    expect(await viewSource(c, readers, id)).toEqual({ source: 'original', exhibitLabel: 'EX-O', path: 'DCIM/big.jpg' });
    expect(statSync(join(evidence, 'DCIM', 'big.jpg')).mtimeMs).toBe(before.mtimeMs);

    const preview = previewFile(c, id)!;
    expect(preview).toContain(join('case', 'derived', 'previews'));
    const meta = await sharp(readFileSync(preview)).metadata();
    expect([meta.width, meta.height]).toEqual([PREVIEW.maxSide, Math.round((2000 * PREVIEW.maxSide) / 3000)]);
    const usage = derivedUsage(c.dir);
    expect(usage.previews).toEqual({ files: 1, bytes: statSync(preview).size });
    expect(usage.thumbnails.files).toBe(1);
  });

  it('falls back to the stored preview, saying why, when the evidence is gone or no longer holds the same bytes', async () => {
    renameSync(evidence, `${evidence}-away`);
    expect(await viewSource(c, readers, id)).toEqual({ source: 'preview', reason: 'DCIM/big.jpg: ENOENT' });
    renameSync(`${evidence}-away`, evidence);
    appendFileSync(join(evidence, 'DCIM', 'big.jpg'), 'x');
    expect(await viewSource(c, readers, id)).toEqual({ source: 'preview', reason: 'DCIM/big.jpg: its bytes no longer have the catalogued SHA-256' });
    const text = (c.db.prepare("SELECT id FROM content WHERE detected_type = 'text/plain'").get() as { id: number }).id;
    expect(await viewSource(c, readers, text)).toEqual({ source: 'none', reason: 'text/plain is not a type the viewer draws' });
  });

  it('serves originals and previews over the bridge only with the session cookie', async () => {
    c.close();
    const service = createService({ caseDir: join(dir, 'case'), libraryDir: join(dir, 'library') });
    const bridge = await startBridge({ service, staticDir: join(dir, 'none') });
    try {
      const opened = await fetch(bridge.url, { redirect: 'manual' });
      const session = { headers: { Cookie: opened.headers.getSetCookie()[0]!.split(';', 1)[0]! } };
      const at = (path: string) => fetch(`${bridge.origin}/${path}`, session);
      const ok = await at(`original/${id}`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await ok.arrayBuffer()).equals(jpeg)).toBe(true);
      expect((await at(`preview/${id}`)).status).toBe(200);
      expect((await fetch(`${bridge.origin}/original/${id}`)).status).toBe(403);
      expect((await fetch(`${bridge.origin}/original/${id}`, { headers: { Cookie: `${bridge.cookieName}=wrong` } })).status).toBe(403);
      appendFileSync(join(evidence, 'DCIM', 'big.jpg'), 'x');
      expect((await at(`original/${id}`)).status).toBe(404);
      expect((await at(`preview/${id}`)).status).toBe(200);
      expect((await at('original/../../etc/passwd')).status).toBe(404);
    } finally {
      await bridge.close();
      await service.close();
      c = initCase(join(dir, 'case2'), { caseNumber: 'OP-O2', examiner: 'Examiner O' });
    }
  });
});
