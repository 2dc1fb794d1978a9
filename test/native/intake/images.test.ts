import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE, jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';
import { openSqlite } from '../../../native/catalog/sqlite.js';
import { hammingHex } from '../../../native/hashing/hamming.js';

const PDQ = join(REFERENCE, 'pdq');

interface ImageRow {
  path_text: string; detected_type: string; width: number | null; height: number | null; pdq: string | null;
  pdq_quality: number | null; pdq_dihedral: string | null; blockhash: string | null; exif: string | null;
  orientation: number | null; thumbnail: string | null; decode_error: string | null; algorithms: string;
}

function imageRows(caseDir: string): Map<string, ImageRow> {
  const rows = queryCase<ImageRow>(caseDir, `
    SELECT f.path_text, c.detected_type, i.width, i.height, i.pdq, i.pdq_quality, i.pdq_dihedral, i.blockhash, i.exif,
      i.orientation, i.thumbnail, i.decode_error, i.algorithms
    FROM file_instance f JOIN content c ON c.id = f.content_id JOIN image_data i ON i.content_id = c.id
    ORDER BY f.path_text`);
  return new Map(rows.map((r) => [r.path_text, r]));
}

function pictureSource(): string {
  const src = tempDir('pictures');
  mkdirSync(join(src, 'phone'));
  copyFileSync(join(PDQ, 'misc-images', 'wee.jpg'), join(src, 'wee.jpg'));
  copyFileSync(join(PDQ, 'bridge-mods', 'aaa-orig.jpg'), join(src, 'aaa-orig.jpg'));
  copyFileSync(join(PDQ, 'misc-images', 'c.png'), join(src, 'c.png'));
  copyFileSync(join(PDQ, 'misc-images', 'small.jpg'), join(src, 'small.jpg'));
  copyFileSync(join(PDQ, 'reg-test-input', 'exif-rotn', 'exif-rotn-6.jpg'), join(src, 'phone', 'IMG_0006.jpg'));
  // The same picture under a name that hides it: found by its bytes, analysed once.
  copyFileSync(join(PDQ, 'misc-images', 'wee.jpg'), join(src, 'phone', 'wee-copy.dat'));
  writeFileSync(join(src, 'corrupt.jpg'), readFileSync(join(PDQ, 'misc-images', 'modes', 'original.jpg')).subarray(0, 20_000));
  writeFileSync(join(src, 'notes.txt'), 'not a picture\n');
  return src;
}

function newCase(): string {
  const dir = join(tempDir('case'), 'case');
  const r = kestrel(['init', dir, '--case-number', 'T-3', '--examiner', 'Test Examiner']);
  expect(r.status, r.stderr).toBe(0);
  return dir;
}

describe('kestrel intake: pictures', () => {
  it('stores perceptual hashes, EXIF and a thumbnail for every picture, and records a corrupt JPEG with its error', () => {
    const src = pictureSource();
    const c = newCase();
    const r = kestrel(['intake', c, src, '--exhibit', 'EX-3', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const summary = jsonLines(r.stdout).at(-1)!['summary'] as Record<string, number>;
    expect(summary['imagesAnalysed']).toBe(6);
    expect(summary['imageDecodeErrors']).toBe(1);

    const rows = imageRows(c);
    expect([...rows.keys()].sort()).toEqual(['aaa-orig.jpg', 'c.png', 'corrupt.jpg', 'phone/IMG_0006.jpg', 'phone/wee-copy.dat', 'small.jpg', 'wee.jpg']);

    const wee = rows.get('wee.jpg')!;
    expect(wee).toMatchObject({ width: 34, height: 42, pdq_quality: 100, decode_error: null,
      pdq: '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d' });
    expect(JSON.parse(wee.pdq_dihedral!)).toHaveLength(8);
    expect(rows.get('phone/wee-copy.dat')!.pdq).toBe(wee.pdq);
    expect(hammingHex(rows.get('aaa-orig.jpg')!.pdq!, 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22')).toBeLessThanOrEqual(10);
    expect(rows.get('c.png')!.blockhash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.get('small.jpg')!.pdq_quality).toBeLessThan(50);

    const phone = rows.get('phone/IMG_0006.jpg')!;
    expect([phone.width, phone.height, phone.orientation]).toEqual([3024, 4032, 6]);
    expect(JSON.parse(phone.exif!)).toMatchObject({ make: 'samsung', model: 'SM-G930V', dateTimeOriginal: '2017:11:07 22:14:06' });
    expect(JSON.parse(phone.algorithms)).toMatchObject({ pdq: { name: 'pdq' }, blockhash: { bits: 16 }, decoder: { name: 'sharp' } });

    const corrupt = rows.get('corrupt.jpg')!;
    expect(corrupt.decode_error).toMatch(/premature end/i);
    expect([corrupt.pdq, corrupt.blockhash, corrupt.thumbnail, corrupt.width]).toEqual([null, null, null, null]);

    for (const row of rows.values()) {
      if (row.decode_error) continue;
      expect(row.thumbnail).toMatch(/^derived\/thumbnails\/[0-9a-f]{2}\/[0-9a-f]{64}\.jpg$/);
      expect(existsSync(join(c, row.thumbnail!))).toBe(true);
    }
    const audit = queryCase<{ action: string; details: string }>(c, 'SELECT action, details FROM audit_log ORDER BY seq');
    expect(JSON.parse(audit.find((a) => a.action === 'intake.start')!.details)).toHaveProperty('imageAlgorithms.pdq.version');
    const imageErrors = audit.filter((a) => a.action === 'intake.image-error').map((a) => JSON.parse(a.details) as { path: string });
    expect(imageErrors.map((e) => e.path)).toEqual(['corrupt.jpg']);
  });

  it('decodes a picture found in several places once', () => {
    const src = tempDir('copies');
    const damaged = readFileSync(join(PDQ, 'misc-images', 'modes', 'original.jpg')).subarray(0, 20_000);
    for (const dir of ['a', 'b', 'c']) {
      mkdirSync(join(src, dir));
      writeFileSync(join(src, dir, 'holiday.jpg'), damaged);
    }
    const c = newCase();
    expect(kestrel(['intake', c, src, '--exhibit', 'EX-COPIES']).status).toBe(0);
    const rows = imageRows(c);
    expect([...rows.keys()].sort()).toEqual(['a/holiday.jpg', 'b/holiday.jpg', 'c/holiday.jpg']);
    for (const row of rows.values()) expect(row.decode_error).toMatch(/truncated JPEG/);
    // A decode failure is audited where it happens: one decode, one entry, whichever copy it read.
    const errors = queryCase<{ details: string }>(c, "SELECT details FROM audit_log WHERE action = 'intake.image-error'");
    expect(errors).toHaveLength(1);
    expect(['a/holiday.jpg', 'b/holiday.jpg', 'c/holiday.jpg']).toContain((JSON.parse(errors[0]!.details) as { path: string }).path);
  });

  it('adds missing perceptual data when the intake is run again on an exhibit catalogued without it', () => {
    const src = pictureSource();
    const c = newCase();
    expect(kestrel(['intake', c, src, '--exhibit', 'EX-3', '--json']).status).toBe(0);
    const complete = imageRows(c);
    // A catalogue made before image analysis: content rows of pictures without image_data rows.
    const db = openSqlite(join(c, 'catalogue.sqlite'));
    db.prepare('DELETE FROM pdq_extra').run();
    db.prepare('DELETE FROM image_data').run();
    db.close();
    rmSync(join(c, 'derived', 'thumbnails'), { recursive: true });
    expect(imageRows(c).size).toBe(0);

    const again = kestrel(['intake', c, src, '--exhibit', 'EX-3', '--json']);
    expect(again.status, again.stderr).toBe(0);
    const summary = jsonLines(again.stdout).at(-1)!['summary'] as Record<string, number>;
    expect(summary['filesReadThisRun']).toBe(0);
    expect(summary['imagesAnalysed']).toBe(6);
    const restored = imageRows(c);
    expect([...restored.keys()]).toEqual([...complete.keys()]);
    for (const [path, row] of restored) {
      const before = complete.get(path)!;
      expect({ ...row, algorithms: null }, path).toEqual({ ...before, algorithms: null });
      if (row.thumbnail) expect(existsSync(join(c, row.thumbnail))).toBe(true);
    }
  });
});
