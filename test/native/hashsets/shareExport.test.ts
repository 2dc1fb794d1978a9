import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';
import { makeTestCase, type TestCase } from '../export/fixture.js';

/**
 * `kestrel hashset export`: a lab shares the hashes of its confirmed material with a flagger.
 * Every format imports back into a library; VICS keeps categories and schemes, PDQ lists keep PDQ.
 */
let tc: TestCase;
let out: string;
let pdqs: Map<string, string>;

beforeAll(() => {
  tc = makeTestCase();
  out = tempDir('hashset-share');
  const rows = queryCase<{ sha256: string; pdq: string | null }>(tc.caseDir, 'SELECT c.sha256, i.pdq FROM content c LEFT JOIN image_data i ON i.content_id = c.id');
  pdqs = new Map(rows.filter((r) => r.pdq).map((r) => [r.sha256, r.pdq!]));
});

function share(name: string, args: string[]): { file: string; sha256: string; items: number; auditSeq: number | null } {
  const file = join(out, name);
  const r = kestrel(['hashset', 'export', file, ...args, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { file: string; sha256: string; items: number; auditSeq: number | null };
}

function importBack(file: string, extra: string[] = []): { id: number; scheme: string | null; format: string; hashes: Record<string, number> } {
  const library = tempDir('hashset-share-lib');
  const r = kestrel(['hashset', 'import', file, '--library', library, '--json', ...extra]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { id: number; scheme: string | null; format: string; hashes: Record<string, number> };
}

describe('kestrel hashset export from a case', () => {
  it('VICS: the categorised findings, with scheme and categories; recorded in the audit log with the file hash', () => {
    const r = share('share.vics.json', ['--case', tc.caseDir, '--format', 'vics']);
    const all = Object.values(tc.categorised).flat();
    expect(r.items).toBe(all.length);
    const bytes = readFileSync(r.file);
    expect(r.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const text = bytes.toString('utf8');
    expect(text).not.toContain('aaa-orig.jpg');
    const doc = JSON.parse(text) as { '@odata.context': string; value: { Media: Record<string, unknown>[] }[] };
    expect(doc['@odata.context']).toBe('http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases');
    expect(doc.value[0]!.Media.every((m) => m['IsPrecategorized'] === 'true')).toBe(true);
    const audit = jsonLines(kestrel(['audit', 'show', tc.caseDir]).stdout);
    const entry = audit.find((e) => e['seq'] === r.auditSeq)!;
    expect(entry).toMatchObject({ action: 'hashset.export', details: expect.objectContaining({ file: r.file, sha256: r.sha256, format: 'vics', items: all.length }) });
    expect(kestrel(['audit', 'verify', tc.caseDir]).status).toBe(0);

    const back = importBack(r.file);
    expect(back.scheme).toBe('vic-us');
    expect(back.hashes['md5']).toBe(all.length);
  });

  it('filters by scheme and category; --category without --scheme is refused', () => {
    const r = share('cat1.vics.json', ['--case', tc.caseDir, '--format', 'vics-media', '--scheme', 'vic-us', '--category', '1']);
    expect(r.items).toBe(tc.categorised['1']!.length);
    const doc = JSON.parse(readFileSync(r.file, 'utf8')) as { '@odata.context': string; value: Record<string, unknown>[] };
    expect(doc['@odata.context']).toMatch(/\/US\/\$metadata#Media$/);
    expect(doc.value.map((m) => m['Category'])).toEqual(tc.categorised['1']!.map(() => 1));
    const bad = kestrel(['hashset', 'export', join(out, 'x.txt'), '--case', tc.caseDir, '--format', 'pdq', '--category', '1']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--category needs --scheme/);
  });

  it('PDQ list and ThreatExchange lines carry the PDQ hashes and import back intact', () => {
    const wanted = new Set(Object.values(tc.categorised).flat().filter((s) => pdqs.has(s)).map((s) => pdqs.get(s)!));
    expect(wanted.size).toBeGreaterThan(0);
    const p = share('share.pdq', ['--case', tc.caseDir, '--format', 'pdq']);
    const lines = readFileSync(p.file, 'utf8').trim().split('\n');
    expect(new Set(lines.map((l) => l.split(',')[0]))).toEqual(wanted);
    expect(lines.every((l) => /^[0-9a-f]{64},\d{1,3},vic-us:\d$/.test(l))).toBe(true);
    expect(importBack(p.file, ['--format', 'pdq']).hashes['pdq']).toBe(lines.length);
    const t = share('share.te.txt', ['--case', tc.caseDir, '--format', 'te']);
    const te = readFileSync(t.file, 'utf8').trim().split('\n');
    expect(new Set(te.map((l) => l.replace(/^pdq /, '')))).toEqual(wanted);
    expect(importBack(t.file).hashes['pdq']).toBe(te.length);
  });

  it('hashdeep and md5sum text import back with every hash', () => {
    const h = share('share.hashdeep', ['--case', tc.caseDir, '--format', 'hashdeep']);
    expect(readFileSync(h.file, 'utf8')).toMatch(/^%%%% HASHDEEP-1\.0\n%%%% size,md5,sha1,sha256,filename\n/);
    expect(importBack(h.file).hashes).toMatchObject({ md5: h.items, sha1: h.items, sha256: h.items });
    const m = share('share.md5', ['--case', tc.caseDir, '--format', 'md5sum']);
    expect(importBack(m.file).hashes).toEqual({ md5: m.items });
  });

  it('never overwrites a file', () => {
    share('once.md5', ['--case', tc.caseDir, '--format', 'md5sum']);
    const again = kestrel(['hashset', 'export', join(out, 'once.md5'), '--case', tc.caseDir, '--format', 'md5sum']);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/once\.md5: already exists; not overwritten/);
  });
});

describe('kestrel hashset export from a library list', () => {
  it('a UK list goes out with its UK categories and PhotoDNA, and comes back the same', () => {
    const library = tempDir('hashset-share-uk');
    const src = join(out, 'uk-src.json');
    const photoDna = Buffer.alloc(144, 3).toString('base64');
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const doc = { '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media', value: [
      { MD5: md5('a'), Category: 1, AlternativeHashes: [{ HashName: 'PhotoDNA', HashValue: photoDna }], Series: 'S1', VictimIdentified: 'true' },
      { MD5: md5('b'), Category: 3 },
    ] };
    writeFileSync(src, JSON.stringify(doc));
    expect(kestrel(['hashset', 'import', src, '--name', 'uk', '--library', library]).status).toBe(0);
    const file = join(out, 'uk-out.json');
    const r = kestrel(['hashset', 'export', file, '--list', 'uk', '--library', library, '--format', 'vics-media', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const outDoc = JSON.parse(readFileSync(file, 'utf8')) as { '@odata.context': string; value: Record<string, unknown>[] };
    expect(outDoc['@odata.context']).toMatch(/\/UK\/\$metadata#Media$/);
    expect(outDoc.value.map((m) => [m['Category'], m['CategoryCode']])).toEqual([[1, 'A'], [3, 'C']]);
    expect(outDoc.value[0]).toMatchObject({ Series: 'S1', VictimIdentified: 'true', AlternativeHashes: [{ HashName: 'PhotoDNA', HashValue: photoDna, MD5: md5('a').toUpperCase() }] });
    const back = importBack(file);
    expect(back.scheme).toBe('caid-uk');
  });

  it('a list export is recorded in the library audit log with the file hash, who and which list version', () => {
    const library = tempDir('hashset-share-audit');
    const src = join(out, 'audit-src.md5');
    writeFileSync(src, `${createHash('md5').update('a').digest('hex')}  a.jpg\n`);
    const imported = JSON.parse(kestrel(['hashset', 'import', src, '--name', 'hot', '--library', library, '--json']).stdout) as { uid: string; fileSha256: string };
    const file = join(out, 'audit-out.md5');
    const r = kestrel(['hashset', 'export', file, '--list', 'hot', '--library', library, '--format', 'md5sum', '--examiner', 'A. Analyst', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { sha256: string; auditSeq: number };
    expect(result.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    const audit = jsonLines(kestrel(['library', 'audit', 'show', '--library', library]).stdout);
    expect(audit.find((e) => e['seq'] === result.auditSeq)).toMatchObject({
      action: 'hashset.export', actor: 'A. Analyst',
      details: expect.objectContaining({ file, sha256: result.sha256, format: 'md5sum', items: 1, source: { list: 'hot', version: 1, uid: imported.uid, listFileSha256: imported.fileSha256 } }),
    });
    expect(kestrel(['library', 'audit', 'verify', '--library', library]).stdout).toMatch(/^OK: 1 entries/);
  });
});
