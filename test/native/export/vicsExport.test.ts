import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVics, vicsContext } from '../../../native/export/vics.js';
import type { Finding, PackageData } from '../../../native/export/collect.js';
import type { SchemeId } from '../../../native/catalog/schemes.js';
import { openLibrary, type HashLibrary } from '../../../native/hashsets/library.js';
import { importHashList } from '../../../native/hashsets/importer.js';
import { loadPerceptual } from '../../../native/hashsets/blocks.js';

const hex = (alg: string, s: string) => createHash(alg).update(s).digest('hex');

function finding(name: string, scheme: SchemeId | null, code: string | null, pdq: string | null = null): Finding {
  return {
    contentId: 1, sha256: hex('sha256', name), sha1: hex('sha1', name), md5: hex('md5', name), size: name.length, detectedType: 'image/jpeg',
    image: pdq ? { width: 10, height: 10, pdq, pdqQuality: 90, blockhash: null, algorithms: 'pdq' } : null,
    instances: [{ id: 1, exhibitLabel: 'EX1', exhibitSource: '/e', intakeRunId: 1, path: Buffer.from(`dir/${name}`), pathText: `dir/${name}`,
      size: name.length, mtime: null, ctime: null, atime: null, birthtime: null, extension: 'jpg', flags: [], inode: null, fsType: null }],
    video: null,
    matches: [],
    videoMatches: [],
    caseHits: [],
    decision: scheme && code ? { scheme, category: code, examiner: 'E', decidedAt: '2026-11-27T10:00:00.000Z' } : null,
    category: scheme && code ? { scheme, code, label: code, source: 'examiner' } : null,
    notes: [],
    tags: ['beach', 'outdoor'],
    carried: {},
  };
}

function data(findings: Finding[]): PackageData {
  return { info: { caseUuid: 'u', caseNumber: 'C-1', examiner: 'E', description: null }, findings } as unknown as PackageData;
}

let dir: string;
let lib: HashLibrary;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-vicsx-'));
  lib = openLibrary(join(dir, 'lib'));
});
afterEach(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

function roundTrip(doc: unknown): { scheme: string | null; categories: (string | null)[]; listId: number } {
  const f = join(dir, `x${Math.random()}.json`);
  writeFileSync(f, JSON.stringify(doc));
  const { list } = importHashList(lib, f);
  const rows = lib.db.prepare('SELECT category FROM entry WHERE list_id = ? ORDER BY record_no').all(list.id) as { category: string | null }[];
  return { scheme: list.scheme, categories: rows.map((r) => r.category), listId: list.id };
}

describe('VICS 2.0 export', () => {
  it('writes the context as 2.0 producers do, with the model the categories need', () => {
    expect(vicsContext('US', 'Cases')).toBe('http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases');
    const ctx = (fs: Finding[]) => (buildVics(data(fs)) as Record<string, string>)['@odata.context'];
    expect(ctx([finding('a', 'vic-us', '1')])).toBe(vicsContext('US', 'Cases'));
    expect(ctx([finding('a', 'caid-uk', 'A')])).toBe(vicsContext('UK', 'Cases'));
    expect(ctx([finding('a', 'dhs', 'CAT-1')])).toBe(vicsContext('CUSTOM', 'Cases'));
    expect(ctx([finding('a', 'vic-us', '1'), finding('b', 'caid-uk', 'B')])).toBe(vicsContext('CUSTOM', 'Cases'));
    expect(ctx([finding('a', null, null)])).toBe(vicsContext('Default', 'Cases'));
  });

  it("IPED's Media form: Media directly under value", () => {
    const doc = buildVics(data([finding('a', 'vic-us', '1')]), { form: 'Media' }) as { '@odata.context': string; value: Record<string, unknown>[] };
    expect(doc['@odata.context']).toBe('http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media');
    expect(doc.value[0]!['MD5']).toBe(hex('md5', 'a').toUpperCase());
  });

  it('Tags as one string, MD5 in every nested entry, DateUpdated from the decision, booleans as chosen', () => {
    const [json] = (buildVics(data([finding('a', 'vic-us', '1', 'ab'.repeat(32))]), { form: 'Media' }) as { value: Record<string, unknown>[] }).value;
    const md5 = hex('md5', 'a').toUpperCase();
    expect(json!['Tags']).toBe('beach, outdoor');
    expect(json!['DateUpdated']).toBe('2026-11-27T10:00:00.000Z');
    expect(json!['IsPrecategorized']).toBe(false);
    for (const e of [...(json!['AlternativeHashes'] as Record<string, unknown>[]), ...(json!['MediaFiles'] as Record<string, unknown>[])]) expect(e['MD5']).toBe(md5);
    const [str] = (buildVics(data([finding('a', 'vic-us', '1')]), { form: 'Media', booleans: 'string' }) as { value: Record<string, unknown>[] }).value;
    expect(str!['IsPrecategorized']).toBe('false');
  });

  it.each([
    ['vic-us', ['0', '1', '2', '3', '4']],
    ['caid-uk', ['A', 'B', 'C', 'N']],
    ['dhs', ['CAT-0', 'CAT-1', 'CAT-2', 'CAT-3', 'CAT-4', 'CAT-5']],
  ] as const)('%s categories round-trip through an export and an import, in both forms', (scheme, codes) => {
    const fs = codes.map((c, i) => finding(`${scheme}${i}`, scheme, c));
    for (const form of ['Cases', 'Media'] as const) {
      const back = roundTrip(buildVics(data(fs), { form, booleans: 'string' }));
      expect(back.scheme).toBe(scheme);
      expect(back.categories).toEqual(codes);
    }
  });

  it('PDQ comes back intact', () => {
    const pdq = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
    const back = roundTrip(buildVics(data([finding('p', 'vic-us', '1', pdq)])));
    expect(Buffer.from(loadPerceptual(lib.db, 'pdq', [back.listId]).hashes).toString('hex')).toBe(pdq);
  });
});
