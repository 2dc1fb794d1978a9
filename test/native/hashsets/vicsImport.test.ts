import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLibrary, type HashLibrary } from '../../../native/hashsets/library.js';
import { importHashList, type ImportOptions } from '../../../native/hashsets/importer.js';
import { schemeFromContext } from '../../../native/hashsets/readersVics.js';

const FIX = join(import.meta.dirname, 'fixtures');
const ctx = (model: string) => `http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/${model}/$metadata#Media`;
const MD5 = ['0cc175b9c0f1b6a831c399e269772661', '92eb5ffee6ae2fec3ad71c777531578f', '4a8a08f09d37b73795649038408b5f33', '8277e0910d750195b448797616e091ad',
  'e1671797c52e15f763380b45e841ec32', '8fa14cdd754f91cc6554c9e71929cce7'];

let dir: string;
let lib: HashLibrary;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-vics-'));
  lib = openLibrary(join(dir, 'lib'));
});
afterEach(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

function vics(name: string, head: Record<string, unknown>, media: Record<string, unknown>[]): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify({ ...head, value: media }, null, 1));
  return f;
}

function entries(listId: number): { category: string | null; label: string | null; details: Record<string, unknown> | null }[] {
  return (lib.db.prepare('SELECT category, label, details FROM entry WHERE list_id = ? ORDER BY record_no').all(listId) as { category: string | null; label: string | null; details: string | null }[])
    .map((r) => ({ ...r, details: r.details === null ? null : JSON.parse(r.details) as Record<string, unknown> }));
}

function refused(f: string, options: ImportOptions = {}): string {
  expect(() => importHashList(lib, f, options)).toThrow();
  try { importHashList(lib, f, options); } catch (e) { return (e as Error).message; }
  return '';
}

describe('VICS category schemes', () => {
  it.each([
    ['US', 'vic-us'], ['Default', 'vic-us'], ['UK', 'caid-uk'], ['CUSTOM', 'custom'],
  ])('the %s model segment of @odata.context means %s', (model, scheme) => {
    expect(schemeFromContext(ctx(model))).toBe(scheme);
  });

  it('a context without a model segment names no scheme', () => {
    expect(schemeFromContext('http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media')).toBeNull();
    expect(schemeFromContext('x/2.0/$metadata#Media')).toBeNull();
  });

  it('takes the scheme from the context: a US list keeps its numbers', () => {
    const { list } = importHashList(lib, vics('us.json', { '@odata.context': ctx('US') }, [{ MD5: MD5[0], Category: 1 }, { MD5: MD5[1], Category: '3' }]));
    expect(list.scheme).toBe('vic-us');
    expect(entries(list.id).map((e) => e.category)).toEqual(['1', '3']);
  });

  it('a categorised list whose scheme cannot be told is refused until --scheme is given', () => {
    const f = vics('v13.json', { 'odata.metadata': 'http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media' }, [{ MD5: MD5[0], Category: 1 }]);
    expect(refused(f)).toMatch(/v13\.json: record 1 \(line 4\): category "1" given but the list's category scheme cannot be told from the file \(give --scheme/);
    const { list } = importHashList(lib, f, { scheme: 'dhs' });
    expect(list.scheme).toBe('dhs');
    expect(entries(list.id)[0]!.category).toBe('CAT-1');
  });

  it('--scheme that contradicts the file is refused', () => {
    expect(refused(vics('uk.json', { '@odata.context': ctx('UK') }, [{ MD5: MD5[0], Category: 1 }]), { scheme: 'vic-us' }))
      .toMatch(/--scheme vic-us contradicts the file, whose context names the caid-uk model/);
  });

  it('UK numeric categories import with their UK meaning; letters are kept as well', () => {
    const { list } = importHashList(lib, vics('uk.json', { '@odata.context': ctx('UK') }, [
      { MD5: MD5[0], Category: 1 }, { MD5: MD5[1], Category: 2 }, { MD5: MD5[2], Category: '3' }, { MD5: MD5[3], Category: 4 },
      { MD5: MD5[4], Category: 'B' }, { MD5: MD5[5], Category: 0 },
    ]));
    expect(list.scheme).toBe('caid-uk');
    expect(entries(list.id).map((e) => e.category)).toEqual(['A', 'B', 'C', 'N', 'B', null]);
  });

  it('a category the scheme does not have names the record and what the scheme allows', () => {
    expect(refused(vics('uk9.json', { '@odata.context': ctx('UK') }, [{ MD5: MD5[0], Category: 1 }, { MD5: MD5[1], Category: 9 }])))
      .toMatch(/uk9\.json: record 2 \(line \d+\): category "9" is not a caid-uk category \(caid-uk has A, B, C, N, 0\.\.4/);
    expect(refused(vics('us7.json', { '@odata.context': ctx('US') }, [{ MD5: MD5[0], Category: 7 }])))
      .toMatch(/record 1 \(line \d+\): category "7" is not a vic-us category \(vic-us has 0, 1, 2, 3, 4\)/);
  });

  it('Kestrel\'s own CategoryScheme/CategoryCode decide under a CUSTOM context (DHS CAT-0..5 round-trip)', () => {
    const media = [0, 1, 2, 3, 4, 5].map((n) => ({ MD5: MD5[n], Category: n, CategoryScheme: 'dhs', CategoryCode: `CAT-${n}` }));
    const { list } = importHashList(lib, vics('dhs.json', { '@odata.context': ctx('CUSTOM') }, media));
    expect(list.scheme).toBe('dhs');
    expect(entries(list.id).map((e) => e.category)).toEqual(['CAT-0', 'CAT-1', 'CAT-2', 'CAT-3', 'CAT-4', 'CAT-5']);
  });

  it('records in two schemes, or a record against a named model, are refused', () => {
    expect(refused(vics('mixed.json', { '@odata.context': ctx('CUSTOM') }, [
      { MD5: MD5[0], CategoryScheme: 'dhs', CategoryCode: 'CAT-1' }, { MD5: MD5[1], CategoryScheme: 'vic-us', CategoryCode: '1' },
    ]))).toMatch(/record 2 \(line \d+\): CategoryScheme vic-us differs from the list's scheme dhs/);
    expect(refused(vics('usdhs.json', { '@odata.context': ctx('US') }, [{ MD5: MD5[0], CategoryScheme: 'dhs', CategoryCode: 'CAT-1' }])))
      .toMatch(/CategoryScheme dhs differs from the list's scheme vic-us/);
  });
});

describe('what VICS lists carry', () => {
  it('NSRL CAID files (VICS 1.2, Category 8) import as known files with their file names', () => {
    const { list } = importHashList(lib, join(FIX, 'nsrl-caid-vics-1.2.json'));
    expect(list).toMatchObject({ format: 'vics', formatVersion: '1.2', known: true, scheme: null, recordsImported: 2 });
    const [a, b] = entries(list.id);
    expect(a).toMatchObject({ category: null, label: 'a.txt' });
    expect(a!.details!['mediaFiles']).toEqual([{ name: 'a.txt', path: 'Program Files\\Example\\a.txt' }]);
    expect(b!.details!['mediaFiles']).toEqual([{ name: 'b.dll', path: 'Windows\\System32\\b.dll' }, { name: 'b-copy.dll', path: 'Other\\b-copy.dll' }]);
  });

  it('keeps PhotoDNA, IsPrecategorized, DateUpdated, Tags as they came, Series and the victim/offender flags', () => {
    const photoDna = Buffer.alloc(144, 7).toString('base64');
    const { list } = importHashList(lib, vics('carry.json', { '@odata.context': ctx('US') }, [
      { MD5: MD5[0], Category: 1, IsPrecategorized: 'true', DateUpdated: '2024-03-01T10:00:00Z', Tags: 'beach;outdoor', Series: 'S-1',
        VictimIdentified: 't', OffenderIdentified: 'f', IsDistributed: 1, RelativeFilePath: 'media/1.jpg',
        AlternativeHashes: [{ HashName: 'PhotoDNA', HashValue: photoDna, MD5: MD5[0] }] },
      { MD5: MD5[1], Category: 2, Tags: ['a', 'b'] },
    ]));
    expect(list.hashes).toEqual({ md5: 2 });
    const [a, b] = entries(list.id);
    expect(a).toMatchObject({ category: '1', label: 'S-1' });
    expect(a!.details).toMatchObject({ photoDna, isPrecategorized: true, dateUpdated: '2024-03-01T10:00:00Z', tags: 'beach;outdoor', series: 'S-1',
      victimIdentified: true, offenderIdentified: false, isDistributed: true, relativeFilePath: 'media/1.jpg' });
    expect(b!.details).toMatchObject({ tags: ['a', 'b'], photoDna: null });
  });
});

describe('ICSE CSV as IPED reads it', () => {
  it('booleans t/f, true/false, 1/0, yes/no; short rows; the PhotoDNA column kept', () => {
    const head = 'MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;Series name;Number of submissions;File Available;Media Type;Baseline';
    const f = join(dir, 'icse.csv');
    writeFileSync(f, [head,
      `${MD5[0]};;AAAA;I1;t;f;true;S;2;1;Image;yes`,
      `${MD5[1]};;;I2;false;0;no`,
      `${MD5[2]}`,
      ''].join('\n'));
    const { list } = importHashList(lib, f);
    expect(list).toMatchObject({ format: 'icse', recordsImported: 3 });
    const [a, b, c] = entries(list.id);
    expect(a!.details).toMatchObject({ photoDna: 'AAAA', isDistributed: true, victimIdentified: false, offenderIdentified: true, fileAvailable: true, baseline: true });
    expect(b!.details).toMatchObject({ isDistributed: false, victimIdentified: false, offenderIdentified: false, fileAvailable: null, photoDna: null });
    expect(c!.details).toMatchObject({ isDistributed: null });
  });

  it('a row with more fields than the header is refused with its line', () => {
    const f = join(dir, 'long.csv');
    writeFileSync(f, `MD5;SHA1;Image ID\n${MD5[0]};;I1\n${MD5[1]};;I2;extra\n`);
    expect(refused(f)).toMatch(/long\.csv: line 3: 4 fields where the header has 3/);
  });
});
