import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { initCase, type OpenCase } from '../../../native/catalog/case.js';
import { runIntake } from '../../../native/intake/intake.js';
import { openLibrary } from '../../../native/hashsets/library.js';
import { importHashList } from '../../../native/hashsets/importer.js';
import { matchCase } from '../../../native/matching/matcher.js';
import { compareItems, compareMatches } from '../../../native/review/compare.js';
import { categorise } from '../../../native/review/decisions.js';
import { createService } from '../../../native/api/service.js';
import { requestSchemas } from '../../../native/api/schemas.js';

const DIH = resolve(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'pdq', 'reg-test-input', 'dih');

/** Flips the given bits of a hex hash: a list entry near, not equal to, an item's PDQ. */
function flipHex(hex: string, bits: number[]): string {
  const b = Buffer.from(hex, 'hex');
  for (const bit of bits) b[bit >> 3]! ^= 1 << (bit & 7);
  return b.toString('hex');
}

/**
 * Side by side on a real intake of the reference bridge photo's 8 dihedral variants and a reduced
 * copy, matched against an MD5 list and a PDQ list made here.
 */
describe('compare: two items, and an item beside the list entries it matched', () => {
  let dir: string;
  let c: OpenCase;
  const id: Record<string, number> = {};
  let copyPdq: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-compare-'));
    const evidence = join(dir, 'evidence');
    cpSync(DIH, evidence, { recursive: true });
    await sharp(join(evidence, 'bridge-1-original.jpg')).resize(300).jpeg({ quality: 60 }).toFile(join(evidence, 'small-copy.jpg'));
    c = initCase(join(dir, 'case'), { caseNumber: 'OP-CMP', examiner: 'Examiner C' });
    await runIntake(c, evidence, { exhibit: 'EX-C', workers: 1 });
    for (const r of c.db.prepare('SELECT f.path_text, f.content_id FROM file_instance f').all() as { path_text: string; content_id: number }[]) {
      id[r.path_text] = r.content_id;
    }
    copyPdq = (c.db.prepare('SELECT pdq FROM image_data WHERE content_id = ?').get(id['small-copy.jpg']) as { pdq: string }).pdq;
    const lib = openLibrary(join(dir, 'library'));
    const md5 = createHash('md5').update(readFileSync(join(evidence, 'bridge-1-original.jpg'))).digest('hex');
    writeFileSync(join(dir, 'known.md5'), `${md5}  bridge-1-original.jpg\n`);
    writeFileSync(join(dir, 'near.pdq'), `${flipHex(copyPdq, [3, 70, 200])},100,series-7 frame 2\n`);
    importHashList(lib, join(dir, 'known.md5'), { format: 'text', name: 'MD5 list', scheme: 'vic-us' });
    importHashList(lib, join(dir, 'near.pdq'), { format: 'pdq', name: 'PDQ list' });
    await matchCase(c, lib, { examiner: 'Examiner C' });
    lib.close();
  }, 120_000);
  afterAll(() => {
    c?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('aligns two items row by row and gives the distance the near-duplicate grouping stored', () => {
    const rep = c.db.prepare('SELECT representative FROM near_duplicate_group g JOIN near_duplicate_member m ON m.group_id = g.id WHERE m.content_id = ?')
      .get(id['bridge-2-rotate-90.jpg']) as { representative: number };
    const members = c.db.prepare('SELECT content_id, representative_distance FROM near_duplicate_member WHERE group_id = (SELECT group_id FROM near_duplicate_member WHERE content_id = ?) AND content_id != ?')
      .all(rep.representative, rep.representative) as { content_id: number; representative_distance: number }[];
    expect(members.length).toBeGreaterThanOrEqual(7);
    for (const m of members) {
      const cmp = compareItems(c, m.content_id, rep.representative);
      // Found again here by direct comparison of the stored variants: what the matcher's index search found.
      expect(cmp.pdq!.nearest).toBe(m.representative_distance);
      expect(cmp.group).toMatchObject({ representative: rep.representative, bToRepresentative: 0, aToRepresentative: m.representative_distance });
    }

    const turned = compareItems(c, id['bridge-2-rotate-90.jpg']!, id['bridge-1-original.jpg']!);
    // Turned a quarter, the picture as displayed is far from the original; one of its variants is not.
    expect(turned.pdq!.asDisplayed).toBeGreaterThan(64);
    expect(turned.pdq!.nearest).toBeLessThanOrEqual(31);
    const rows = new Map(turned.rows.map((r) => [r.field, r]));
    expect(rows.get('sha256')!.same).toBe(false);
    expect(rows.get('type')!.same).toBe(true);
    // A quarter turn swaps width and height.
    expect(rows.get('width')!.a).toBe(rows.get('height')!.b);
    expect(rows.get('width')!.same).toBe(false);
    expect(rows.get('name')).toMatchObject({ a: 'bridge-2-rotate-90.jpg', b: 'bridge-1-original.jpg', same: false });
    expect(turned.blockhashDistance).toBeGreaterThan(0);

    const copy = compareItems(c, id['small-copy.jpg']!, id['bridge-1-original.jpg']!);
    expect(new Map(copy.rows.map((r) => [r.field, r])).get('width')).toMatchObject({ a: '300', same: false });
    expect(() => compareItems(c, id['small-copy.jpg']!, 99_999)).toThrow(/content 99999: no such item/);
  });

  it('puts an item beside each list entry it matched: the hash that matched, distance, category and label', () => {
    categorise(c.db, [id['bridge-1-original.jpg']!], '1', 'Examiner C', 'keyboard');
    const exact = compareMatches(c, id['bridge-1-original.jpg']!);
    const md5 = exact.matches.find((m) => m.list === 'MD5 list')!;
    expect(md5).toMatchObject({ algorithm: 'md5', distance: 0, known: false });
    expect(md5.rows[0]).toMatchObject({ field: 'hash.md5', same: true });
    expect(md5.rows[0]!.a).toBe(md5.rows[0]!.b);
    expect(md5.rows.find((r) => r.field === 'name')).toMatchObject({ b: 'bridge-1-original.jpg', same: true });
    expect(md5.rows.find((r) => r.field === 'category')).toMatchObject({ a: '1' });

    const near = compareMatches(c, id['small-copy.jpg']!);
    const pdq = near.matches.find((m) => m.list === 'PDQ list')!;
    expect(pdq).toMatchObject({ algorithm: 'pdq', distance: 3, dihedral: 0 });
    expect(pdq.rows[0]).toMatchObject({ field: 'hash.pdq', a: copyPdq, b: flipHex(copyPdq, [3, 70, 200]), same: false });
    expect(pdq.rows.find((r) => r.field === 'name')).toMatchObject({ a: 'small-copy.jpg', b: 'series-7 frame 2', same: false });
    expect(pdq.rows.find((r) => r.field === 'md5')).toMatchObject({ b: null, same: null });
  });

  it('is reachable through the API, whose schema refuses comparing an item with itself', async () => {
    const service = createService({ libraryDir: join(dir, 'library'), caseDir: c.dir });
    try {
      const r = await service.handlers.compareItems({ a: id['small-copy.jpg']!, b: id['bridge-1-original.jpg']! });
      expect(r.a.name).toBe('small-copy.jpg');
      expect(requestSchemas.compareItems.safeParse({ a: 3, b: 3 }).success).toBe(false);
      expect(requestSchemas.compareMatches.safeParse({ contentId: 0 }).success).toBe(false);
    } finally {
      await service.close();
    }
  });
});
