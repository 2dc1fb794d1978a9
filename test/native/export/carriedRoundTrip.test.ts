import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';
import { pseudoRandom } from '../../helpers/sources.js';
import { openLibrary } from '../../../native/hashsets/library.js';
import { listShareItems } from '../../../native/hashsets/shareExport.js';
import { exportPackage, makeTestCase, type TestCase } from './fixture.js';

/**
 * What a list says beyond hashes and category (PhotoDNA, Series, victim and offender flags,
 * IsDistributed, RelativeFilePath, DateUpdated, Tags) goes out with the files it holds, in the case
 * package's VICS and in `kestrel hashset export --case`, and comes back intact when imported; only
 * from exact matches: a list entry that is merely near by PDQ gives nothing.
 */
let tc: TestCase;
let library: string;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const PHOTODNA = Buffer.alloc(144, 7).toString('base64');
const NEAR_PHOTODNA = Buffer.alloc(144, 9).toString('base64');
const LIST_DATE = '2024-03-01T10:00:00Z';
let origMd5: string;
let fillerMd5: string;

beforeAll(() => {
  tc = makeTestCase();
  origMd5 = md5(readFileSync(join(tc.src, 'photos', 'aaa-orig.jpg')));
  fillerMd5 = md5(pseudoRandom('filler0', 1000));
  const blurPdq = queryCase<{ pdq: string }>(tc.caseDir,
    "SELECT i.pdq FROM image_data i JOIN file_instance f ON f.content_id = i.content_id WHERE f.path_text LIKE '%HYPERLINK%'")[0]!.pdq;
  const doc = {
    '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media',
    value: [
      {
        MD5: origMd5, Category: 1, Series: 'S-17', VictimIdentified: 'true', OffenderIdentified: false, IsDistributed: 'true',
        RelativeFilePath: 'set/a.jpg', DateUpdated: LIST_DATE, Tags: ['red', 'blue'],
        AlternativeHashes: [{ HashName: 'PhotoDNA', HashValue: PHOTODNA }],
      },
      { MD5: fillerMd5, Category: 2, Series: 'S-40', DateUpdated: LIST_DATE, Tags: 'green' },
      // Near the blurred copy (and the original) by PDQ only: not the same file, so nothing of it is carried.
      { Category: 1, Series: 'near-only', AlternativeHashes: [{ HashName: 'PDQ', HashValue: blurPdq }, { HashName: 'PhotoDNA', HashValue: NEAR_PHOTODNA }] },
    ],
  };
  const dir = tempDir('carried');
  writeFileSync(join(dir, 'list.json'), JSON.stringify(doc));
  library = join(dir, 'lib');
  let r = kestrel(['hashset', 'import', join(dir, 'list.json'), '--name', 'vic', '--library', library]);
  expect(r.status, r.stderr).toBe(0);
  r = kestrel(['match', tc.caseDir, '--library', library]);
  expect(r.status, r.stderr).toBe(0);
  // The near-only entry did match by PDQ, and the match keeps what it carried: the exports must still leave it out.
  const near = queryCase<{ n: number }>(tc.caseDir, "SELECT count(*) AS n FROM hash_match WHERE algorithm = 'pdq' AND entry_carried LIKE '%near-only%'");
  expect(near[0]!.n).toBeGreaterThan(0);
}, 600_000);

type Media = Record<string, unknown>;
function mediaOf(file: string): Media[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { value: { Media?: Media[] }[] & Media[] };
  return doc.value[0]?.Media ?? (doc.value as Media[]);
}
const byMd5 = (media: Media[], h: string) => media.find((m) => m['MD5'] === h.toUpperCase());

describe('list data carried into exports', () => {
  it('the case package VICS carries it (booleans as strings when asked), and it imports back intact', () => {
    const pkg = exportPackage(tc.caseDir, ['--vics-booleans', 'string']);
    const file = join(pkg.out, 'findings.vics.json');
    const media = mediaOf(file);
    const orig = byMd5(media, origMd5)!;
    expect(orig).toMatchObject({
      Series: 'S-17', VictimIdentified: 'true', OffenderIdentified: 'false', IsDistributed: 'true', RelativeFilePath: 'set/a.jpg', Tags: 'red, blue',
    });
    expect(orig['AlternativeHashes']).toContainEqual({ HashName: 'PhotoDNA', HashValue: PHOTODNA, MD5: origMd5.toUpperCase() });
    // The examiner decided on it: the decision's time is DateUpdated. The filler was only matched: the list's date.
    expect(orig['DateUpdated']).not.toBe(LIST_DATE);
    expect(byMd5(media, fillerMd5)).toMatchObject({ Series: 'S-40', DateUpdated: LIST_DATE, Tags: 'green' });
    expect(JSON.stringify(media)).not.toContain(NEAR_PHOTODNA);
    expect(JSON.stringify(media)).not.toContain('near-only');

    const entries = importedByMd5(file);
    expect(entries.get(origMd5)).toMatchObject({
      photoDna: PHOTODNA, series: 'S-17', victimIdentified: true, offenderIdentified: false, isDistributed: true, relativeFilePath: 'set/a.jpg', tags: 'red, blue',
    });
    expect(entries.get(fillerMd5)).toMatchObject({ series: 'S-40', dateUpdated: LIST_DATE, tags: 'green' });
  });

  it('JSON booleans by default in the package', () => {
    const media = mediaOf(join(exportPackage(tc.caseDir).out, 'findings.vics.json'));
    expect(byMd5(media, origMd5)).toMatchObject({ VictimIdentified: true, OffenderIdentified: false, IsDistributed: true });
  });

  it('kestrel hashset export --case carries it for the categorised findings, and it imports back intact', () => {
    const file = join(tempDir('carried-share'), 'share.json');
    const r = kestrel(['hashset', 'export', file, '--case', tc.caseDir, '--format', 'vics-media']);
    expect(r.status, r.stderr).toBe(0);
    const media = mediaOf(file);
    expect(byMd5(media, origMd5)).toMatchObject({ Series: 'S-17', VictimIdentified: 'true', OffenderIdentified: 'false', IsDistributed: 'true', RelativeFilePath: 'set/a.jpg' });
    expect(JSON.stringify(media)).not.toContain(NEAR_PHOTODNA);
    const entries = importedByMd5(file);
    expect(entries.get(origMd5)).toMatchObject({ photoDna: PHOTODNA, series: 'S-17', victimIdentified: true, offenderIdentified: false, isDistributed: true, tags: 'red, blue' });
  });
});

/** Imports a VICS file into a fresh library; each entry's details as stored, by its MD5 (lower-case hex). */
function importedByMd5(file: string): Map<string, Record<string, unknown>> {
  const lib = tempDir('carried-back');
  const r = kestrel(['hashset', 'import', file, '--name', 'back', '--library', lib]);
  expect(r.status, r.stderr).toBe(0);
  const l = openLibrary(lib, { readonly: true });
  try {
    const { list, items } = listShareItems(l, 'back');
    const rows = l.db.prepare('SELECT details FROM entry WHERE id >= ? AND id < ? ORDER BY id').all(list.firstEntry, list.firstEntry + list.entryCount) as { details: string | null }[];
    return new Map(items.map((it, k) => [it.hashes.md5!, JSON.parse(rows[k]!.details ?? '{}') as Record<string, unknown>]));
  } finally {
    l.close();
  }
}
