import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REFERENCE, jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';
import { exportPackage, makeTestCase, type TestCase } from './fixture.js';
import { useTestSigningKey } from '../../helpers/signing.js';

// Packages are signed with an examiner key; verify refuses unsigned ones.
useTestSigningKey();

/**
 * A lab shares its categorisations: case A's VICS export is imported into a hash library with
 * `kestrel hashset import`, and case B, holding the same ship photo and an edited copy of the
 * categorised photo, is matched against it. The categories come back as precategorisations, the
 * edited copy is found through the exported PDQ, and B's own package shows the matches.
 */
let a: TestCase;
let library: string;
let caseB: string;
let pkgB: ReturnType<typeof exportPackage>;

beforeAll(() => {
  a = makeTestCase();
  const pkgA = exportPackage(a.caseDir);
  library = tempDir('export-library');
  let r = kestrel(['hashset', 'import', join(pkgA.out, 'findings.vics.json'), '--name', 'lab share', '--library', library, '--json']);
  expect(r.status, r.stderr).toBe(0);

  const src = tempDir('export-src-b');
  mkdirSync(join(src, 'DCIM'));
  copyFileSync(join(REFERENCE, 'blockhash', 'clipper_ship.jpg'), join(src, 'DCIM', 'IMG_0001.jpg'));
  copyFileSync(join(REFERENCE, 'pdq', 'bridge-mods', 'sharpen-a-little.jpg'), join(src, 'DCIM', 'IMG_0002.jpg'));
  caseB = join(tempDir('export-case-b'), 'case');
  r = kestrel(['init', caseB, '--case-number', 'OP-2026/200', '--examiner', 'DC Ann Other']);
  expect(r.status, r.stderr).toBe(0);
  r = kestrel(['intake', caseB, src, '--exhibit', 'EX-B1', '--json']);
  expect(r.status, r.stderr).toBe(0);
  r = kestrel(['match', caseB, '--library', library, '--examiner', 'DC Ann Other', '--json']);
  expect(r.status, r.stderr).toBe(0);
  pkgB = exportPackage(caseB);
});

describe('a VICS export imported back with kestrel hashset import', () => {
  it('keeps the categories and the PDQ hashes: case B matches exactly and by PDQ, with the categories of case A', () => {
    const matches = queryCase<{ path_text: string; algorithm: string; category: string | null; scheme: string | null; distance: number }>(caseB, `
      SELECT f.path_text, m.algorithm, m.category, m.scheme, m.distance
        FROM hash_match m JOIN file_instance f ON f.content_id = m.content_id ORDER BY f.path_text, m.algorithm`);
    const ship = matches.filter((m) => m.path_text === 'DCIM/IMG_0001.jpg');
    expect(ship.map((m) => m.algorithm)).toEqual(expect.arrayContaining(['md5', 'sha1', 'sha256', 'pdq']));
    expect(new Set(ship.map((m) => `${m.scheme}:${m.category}`))).toEqual(new Set(['vic-us:4']));
    const edited = matches.filter((m) => m.path_text === 'DCIM/IMG_0002.jpg');
    expect(edited.map((m) => m.algorithm)).toContain('pdq');
    expect(edited.every((m) => m.algorithm === 'pdq' || m.algorithm === 'blockhash')).toBe(true);
    const pdq = edited.find((m) => m.algorithm === 'pdq')!;
    expect(pdq.distance).toBeGreaterThan(0);
    expect(pdq.distance).toBeLessThanOrEqual(31);
    expect(`${pdq.scheme}:${pdq.category}`).toBe('vic-us:1');
  });

  it("puts case B's matches in its package: precategorised VICS media, CSV, report and CASE/UCO matching actions", () => {
    const vics = JSON.parse(readFileSync(join(pkgB.out, 'findings.vics.json'), 'utf8')) as { value: { Media: Record<string, unknown>[] }[] };
    const media = vics.value[0]!.Media;
    expect(media).toHaveLength(2);
    expect(media.map((m) => [m['Category'], m['IsPrecategorized']]).sort()).toEqual([[1, true], [4, true]]);

    const csv = readFileSync(join(pkgB.out, 'findings.csv'), 'utf8');
    expect(csv).toMatch(/DCIM\/IMG_0002\.jpg,.*,vic-us,1,Child abuse material,hash list,,,lab share 1,blockhash; pdq|DCIM\/IMG_0002\.jpg,.*,vic-us,1,Child abuse material,hash list,,,lab share 1,pdq/);

    const text = execFileSync('pdftotext', ['-layout', join(pkgB.out, 'report.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('List: lab share');
    expect(text).toMatch(/PDQ <= 31, blockhash <= \d+/);
    expect(text).toMatch(/lab share 1: pdq distance \d+ <= 31/);
    expect(text).toMatch(/Algorithm: pdq Version: PDQ 256-bit/);

    const uco = JSON.parse(readFileSync(join(pkgB.out, 'findings.case-uco.jsonld'), 'utf8')) as { '@graph': Record<string, unknown>[] };
    const matching = uco['@graph'].filter((n) => n['uco-core:name'] === 'matching');
    expect(matching.length).toBeGreaterThanOrEqual(2);
    const args = matching.flatMap((m) => (m['uco-core:hasFacet'] as Record<string, string>[]).map((f) => `${f['uco-action:argumentName']}=${f['uco-action:value']}`));
    expect(args).toEqual(expect.arrayContaining(['algorithm=pdq', 'threshold=31', 'list=lab share']));
    const statements = uco['@graph'].filter((n) => n['@type'] === 'uco-core:Annotation').map((n) => String(n['uco-core:statement']));
    expect(statements.some((s) => /^Matched entry MediaID \d+ \(pdq [0-9a-f]{64}\) of lab share version 1 by pdq at distance \d+ \(threshold 31, variant dihedral 0\); the list gives category 1 in scheme vic-us$/.test(s))).toBe(true);

    const audit = jsonLines(kestrel(['audit', 'show', caseB]).stdout);
    expect(audit.some((e) => e['action'] === 'export.package')).toBe(true);
    expect(kestrel(['verify', pkgB.out]).status).toBe(0);
  });
});
