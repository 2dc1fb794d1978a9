import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../../native/catalog/sqlite.js';
import { REPO_ROOT, kestrel, tempDir } from '../../helpers/cli.js';
import { DISK } from './helpers.js';
import { useTestSigningKey } from '../../helpers/signing.js';

type Node = Record<string, unknown> & { '@id': string; '@type': string };

/**
 * A case package made by the CLI from two disk images, read back as a prosecutor would: the FTK
 * Imager E01 with a corrupt chunk (two NTFS partitions; the second's file system no longer reads)
 * and DFTT 7 (NTFS with deleted, orphan and alternate-stream files). The report (HTML and PDF) warns
 * of the E01 mismatch and describes the image; CASE/UCO carries image, segments, partitions, file
 * systems, verification and acquisition, and each file's allocation status; VICS carries the flags.
 */
describe('disk image provenance in the case package', () => {
  const dir = tempDir('provenance');
  const out = join(dir, 'pkg');
  let e01File = '';

  beforeAll(() => {
    useTestSigningKey('E');
    execFileSync('unzip', ['-q', join(DISK, 'dftt', '7-undel-ntfs.zip'), '-d', dir]);
    const caseDir = join(dir, 'case');
    expect(kestrel(['init', caseDir, '--case-number', 'X-11', '--examiner', 'E']).status).toBe(0);
    const bad = kestrel(['intake', caseDir, join(DISK, 'sleuthkit', 'imageformat_mmls_1.corrupt-chunk.E01'), '--exhibit', 'BAD']);
    expect(bad.status, bad.stderr).toBe(0);
    const d7 = kestrel(['intake', caseDir, join(dir, '7-undel-ntfs', '7-ntfs-undel.dd'), '--exhibit', 'D7']);
    expect(d7.status, d7.stderr).toBe(0);
    // One ordinary file of the E01's first partition goes on the list, to be a finding found there.
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    const row = db.prepare(`SELECT f.path_text, c.md5 FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id JOIN content c ON c.id = f.content_id
      WHERE e.label = 'BAD' AND f.path_text LIKE 'partition 1 (ntfs, offset 65536)/%' AND f.path_text NOT LIKE '%/$%' AND c.size > 0
      ORDER BY f.path_text LIMIT 1`).get() as { path_text: string; md5: string };
    db.close();
    e01File = row.path_text;
    // frag1.dat (deleted) and sing2.dat (orphan), from DFTT 7's index.html.
    writeFileSync(join(dir, 'list.md5'), `7a3bc5b763bef201202108f4ba128149  frag1.dat\nc229626f6a71b167ad7e50c4f2fccdb1  sing2.dat\n${row.md5}  e01file\n`);
    const lib = ['--library', join(dir, 'lib')];
    expect(kestrel(['hashset', 'import', join(dir, 'list.md5'), '--name', 'ground truth', ...lib]).status).toBe(0);
    expect(kestrel(['match', caseDir, ...lib]).status).toBe(0);
    const exp = kestrel(['export', caseDir, out]);
    expect(exp.status, exp.stderr).toBe(0);
  }, 300_000);

  it('report.html and report.pdf warn of the E01 mismatch and describe the image, its volumes and where each finding was', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<p class="warning" role="alert">WARNING: Exhibit BAD: the E01 image does not match the hashes stored at its acquisition');
    expect(html).toContain('Damaged sectors: 55424-55487');
    expect(html).toContain('<h2>Disk image of exhibit BAD</h2>');
    expect(html).toMatch(/<th>Acquired by<\/th><td>Rishwanth<\/td>/);
    expect(html).toMatch(/<th>Verification<\/th><td>MISMATCH: stored MD5 8ec671e301095c258224aad701740503 but the data gives 871d8c5334c8d1ae77e6a25268c8c16e/);
    expect(html).toContain('<td>partition 1 (ntfs, offset 65536)</td><td>ntfs</td><td>65536</td>');
    expect(html).toContain('<h2>Disk image of exhibit D7</h2>');
    expect(html).toMatch(/<th>Verification<\/th><td>this format stores no acquisition hash<\/td>/);
    expect(html).toContain('D7: volume (ntfs, offset 0)/frag1.dat\n  (deleted; ntfs address 29-1)');
    expect(html).toContain('D7: volume (ntfs, offset 0)/$OrphanFiles/sing2.dat\n  (deleted; orphan; ntfs address ');
    expect(html).toContain(`BAD: ${e01File}\n  (ntfs address `);
    const pdf = execFileSync('pdftotext', ['-layout', join(out, 'report.pdf'), '-'], { encoding: 'utf8' });
    expect(pdf).toContain('WARNING: Exhibit BAD: the E01 image does not match');
    expect(pdf).toContain('55424-55487');
    expect(pdf).toContain('Disk image of exhibit BAD');
  });

  it('CASE/UCO holds the image, its segments, partitions, file systems, verification and acquisition, and each file where it was', () => {
    const graph = (JSON.parse(readFileSync(join(out, 'findings.case-uco.jsonld'), 'utf8')) as { '@graph': Node[] })['@graph'];
    const byId = new Map(graph.map((n) => [n['@id'], n]));
    const of = (type: string) => graph.filter((n) => n['@type'] === type);
    const facet = (n: Node, type: string) => (n['uco-core:hasFacet'] as Node[]).find((f) => f['@type'] === type)!;
    const related = (source: string, kind: string) => of('uco-observable:ObservableRelationship')
      .filter((r) => (r['uco-core:source'] as { '@id': string })['@id'] === source && r['uco-core:kindOfRelationship'] === kind)
      .map((r) => byId.get((r['uco-core:target'] as { '@id': string })['@id'])!);

    const images = of('uco-observable:Image');
    expect(images.map((i) => i['uco-core:name']).sort()).toEqual(['Image of exhibit BAD', 'Image of exhibit D7']);
    const bad = images.find((i) => i['uco-core:name'] === 'Image of exhibit BAD')!;
    expect(facet(bad, 'uco-observable:ImageFacet')['uco-observable:imageType']).toBe('ewf');
    const segments = related(bad['@id'], 'Contained_Within');
    expect(segments.map((s) => facet(s, 'uco-observable:FileFacet')['uco-observable:fileName'])).toEqual(['imageformat_mmls_1.corrupt-chunk.E01']);
    const partitions = of('uco-observable:DiskPartition').filter((p) => related(p['@id'], 'Contained_Within')[0] === bad);
    expect(partitions.map((p) => facet(p, 'uco-observable:DiskPartitionFacet')['uco-observable:partitionOffset'] as number).sort((a, b) => a - b)).toEqual([65536, 28377088]);
    // Only the first partition's file system still reads; the second partition is there without one.
    const fileSystems = of('uco-observable:FileSystem').filter((f) => partitions.includes(related(f['@id'], 'Contained_Within')[0]!));
    expect(fileSystems.map((f) => [f['uco-core:name'], facet(f, 'uco-observable:FileSystemFacet')['uco-observable:fileSystemType']]))
      .toEqual([['partition 1 (ntfs, offset 65536)', 'ntfs']]);

    const verdict = of('uco-core:Annotation').find((a) => (a['uco-core:tag'] as string[]).includes('verification:mismatch'))!;
    expect(verdict['uco-core:statement']).toMatch(/^E01 verification mismatch: .*checksum errors at sectors 55424-55487/);
    const verification = of('case-investigation:InvestigativeAction').find((a) => a['uco-core:name'] === 'verification')!;
    expect(byId.get((verification['uco-action:instrument'] as { '@id': string })['@id'])!['uco-core:name']).toBe('ewfverify (libewf) -d sha1');
    expect((verification['uco-core:hasFacet'] as Node[]).map((f) => `${f['uco-action:argumentName']}=${f['uco-action:value']}`)).toContain('damagedSectors=55424-55487');
    const acquisition = of('case-investigation:InvestigativeAction').find((a) => a['uco-core:name'] === 'acquisition')!;
    expect(byId.get((acquisition['uco-action:performer'] as { '@id': string })['@id'])!['uco-core:name']).toBe('Rishwanth');
    expect(acquisition['uco-action:result']).toEqual([{ '@id': bad['@id'] }]);

    const file = (suffix: string) => of('uco-observable:File').find((f) => String(facet(f, 'uco-observable:FileFacet')['uco-observable:filePath']).endsWith(suffix))!;
    const frag = file('/frag1.dat');
    expect(facet(frag, 'uco-observable:FileFacet')).toMatchObject({ 'uco-observable:allocationStatus': 'deleted', 'uco-observable:fileSystemType': 'ntfs' });
    expect(frag['uco-core:tag']).toEqual(['deleted']);
    expect(frag['uco-core:description']).toBe('ntfs address 29-1');
    expect(facet(file('/sing2.dat'), 'uco-observable:FileFacet')['uco-observable:allocationStatus']).toBe('orphan');
    const e01 = file(e01File);
    expect(facet(e01, 'uco-observable:FileFacet')['uco-observable:allocationStatus']).toBe('allocated');
    expect(related(e01['@id'], 'Contained_Within')).toEqual([fileSystems[0]]);
  });

  it('uses only UCO and CASE terms (checked against the vocabulary the CASE/UCO export test keeps)', () => {
    const doc = JSON.parse(readFileSync(join(out, 'findings.case-uco.jsonld'), 'utf8')) as { '@context': Record<string, string>; '@graph': Node[] };
    const vocabulary = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'native', 'export', 'fixtures', 'uco-case-terms.json'), 'utf8')) as { classes: string[]; properties: string[] };
    const expand = (term: string) => { const [prefix, local] = term.split(':') as [string, string]; return `${doc['@context'][prefix] ?? `${prefix}:`}${local}`; };
    const types = new Set<string>();
    const props = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) { v.forEach(walk); return; }
      if (!v || typeof v !== 'object' || '@value' in v) return;
      for (const [k, x] of Object.entries(v)) {
        if (k === '@type') types.add(expand(x as string));
        else if (!k.startsWith('@')) { props.add(expand(k)); walk(x); }
      }
    };
    walk(doc['@graph']);
    expect([...types].filter((t) => !vocabulary.classes.includes(t))).toEqual([]);
    expect([...props].filter((p) => !vocabulary.properties.includes(p))).toEqual([]);
    expect(types).toContain('https://ontology.unifiedcyberontology.org/uco/observable/DiskPartitionFacet');
  });

  it('VICS names the flags and the file-system address of each place, and the package verifies', () => {
    const vics = JSON.parse(readFileSync(join(out, 'findings.vics.json'), 'utf8')) as { value: { Media: { MediaFiles: Record<string, unknown>[] }[] }[] };
    const files = vics.value[0]!.Media.flatMap((m) => m.MediaFiles);
    expect(files.find((f) => String(f['FilePath']).endsWith('/frag1.dat'))).toMatchObject({ Flags: 'deleted', FileSystemAddress: '29-1', FileSystemType: 'ntfs' });
    expect(files.find((f) => String(f['FilePath']).endsWith('/sing2.dat'))).toMatchObject({ Flags: 'deleted; orphan' });
    const verify = kestrel(['verify', out]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  });
});
