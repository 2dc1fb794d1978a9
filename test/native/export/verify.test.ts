import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZipReader, ZipWriter, Uint8ArrayReader, Uint8ArrayWriter } from '@zip.js/zip.js';
import { jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { copyPackage, exportPackage, makeTestCase } from './fixture.js';
import { useTestSigningKey } from '../../helpers/signing.js';

const signingKey = useTestSigningKey();

let pkg: ReturnType<typeof exportPackage>;

beforeAll(() => {
  const tc = makeTestCase();
  const passFile = join(tempDir('verify-pass'), 'p');
  writeFileSync(passFile, 'a passphrase long enough\n');
  pkg = exportPackage(tc.caseDir, ['--zip', '--media', 'encrypted', '--passphrase-file', passFile]);
});

interface Verdict {
  ok: boolean;
  problems: { kind: string; file: string; detail: string }[];
  audit: { holds: boolean; message: string };
  manifestSha256: string | null;
}

function verify(path: string, extra: string[] = []): { status: number | null; verdict: Verdict; text: string } {
  const json = kestrel(['verify', path, '--json', ...extra]);
  const text = kestrel(['verify', path, ...extra]);
  expect(text.status).toBe(json.status);
  return { status: json.status, verdict: jsonLines(json.stdout)[0] as unknown as Verdict, text: text.stdout };
}

/** Flips every bit of one byte in the middle of the file. */
function flipByte(file: string, at?: number): void {
  const b = readFileSync(file);
  const i = at ?? Math.floor(b.length / 2);
  b[i] = b[i]! ^ 0xff;
  writeFileSync(file, b);
}

describe('kestrel verify', () => {
  it('prints OK for an untouched package, as a folder and as a zip', () => {
    for (const path of [pkg.out, `${pkg.out}.zip`]) {
      const r = verify(path, ['--manifest-sha256', pkg.manifestSha256]);
      expect(r.status, r.text).toBe(0);
      expect(r.verdict.ok).toBe(true);
      expect(r.verdict.audit.holds).toBe(true);
      expect(r.text).toMatch(/^OK: 7 files match the manifest; the audit chain holds$/m);
      expect(r.text).toContain(`manifest signed by DC Jane Roe, key ${signingKey.fingerprint}`);
    }
  });

  const kinds = [
    'audit-log.jsonl', 'findings.case-uco.jsonld', 'findings.csv', 'findings.vics.json', 'media.zip', 'report.html', 'report.pdf', 'manifest.json',
  ];
  for (const file of kinds) {
    it(`names ${file} when one byte of it is altered`, () => {
      const copy = copyPackage(pkg.out);
      flipByte(join(copy, file));
      const r = verify(copy);
      expect(r.status).toBe(1);
      expect(r.verdict.ok).toBe(false);
      expect(r.verdict.problems.map((p) => `${p.kind} ${p.file}`)).toEqual([`altered ${file}`]);
      expect(r.text).toContain(`ALTERED: ${file}:`);
      expect(r.text).toMatch(/^FAILED: 1 file problem/m);
      if (file === 'audit-log.jsonl') {
        expect(r.verdict.audit.holds).toBe(false);
        expect(r.text).toMatch(/^audit chain: BROKEN: /m);
      } else {
        expect(r.verdict.audit.holds).toBe(true);
      }
    });
  }

  it('names a removed file and an added one, all problems at once', () => {
    const copy = copyPackage(pkg.out);
    rmSync(join(copy, 'findings.csv'));
    writeFileSync(join(copy, 'notes.txt'), 'added later');
    flipByte(join(copy, 'report.html'));
    const r = verify(copy);
    expect(r.status).toBe(1);
    expect(r.verdict.problems.map((p) => `${p.kind} ${p.file}`)).toEqual(['removed findings.csv', 'added notes.txt', 'altered report.html']);
    expect(r.text).toContain('REMOVED: findings.csv');
    expect(r.text).toContain('ADDED: notes.txt');
  });

  it('says the audit chain does not hold when an entry is edited and the manifest rewritten to match', () => {
    const copy = copyPackage(pkg.out);
    const lines = readFileSync(join(copy, 'audit-log.jsonl'), 'utf8').split('\n');
    const entry = JSON.parse(lines[1]!) as { details: Record<string, unknown> };
    entry.details['exhibit'] = 'EX-99';
    lines[1] = JSON.stringify(entry);
    writeFileSync(join(copy, 'audit-log.jsonl'), lines.join('\n'));
    const r = verify(copy);
    expect(r.status).toBe(1);
    expect(r.verdict.audit.holds).toBe(false);
    expect(r.verdict.audit.message).toMatch(/entry 2 .*altered/);
  });

  it('catches a manifest rewritten consistently when given the SHA-256 recorded at export', () => {
    const copy = copyPackage(pkg.out);
    writeFileSync(join(copy, 'manifest.json'), readFileSync(join(copy, 'manifest.json'), 'utf8').replace(/"exportedAt": "[^"]+"/, '"exportedAt": "2000-01-01T00:00:00.000Z"'));
    const r = verify(copy, ['--manifest-sha256', pkg.manifestSha256]);
    expect(r.status).toBe(1);
    expect(r.verdict.problems.some((p) => p.file === 'manifest.json' && /expected/.test(p.detail))).toBe(true);
  });

  it('names an altered, a removed and an added file in a zipped package', async () => {
    const reader = new ZipReader(new Uint8ArrayReader(readFileSync(`${pkg.out}.zip`)));
    const entries = await reader.getEntries();
    const writer = new ZipWriter(new Uint8ArrayWriter());
    for (const e of entries) {
      if (e.directory || !e.getData) continue;
      const data = await e.getData(new Uint8ArrayWriter());
      if (e.filename.endsWith('/findings.csv')) continue;
      if (e.filename.endsWith('/findings.vics.json')) data[10] = data[10]! ^ 0xff;
      await writer.add(e.filename, new Uint8ArrayReader(data));
    }
    await writer.add('package/extra.bin', new Uint8ArrayReader(new Uint8Array([1, 2, 3])));
    await reader.close();
    const tampered = join(tempDir('verify-zip'), 'tampered.zip');
    writeFileSync(tampered, await writer.close());
    const r = verify(tampered);
    expect(r.status).toBe(1);
    expect(r.verdict.problems.map((p) => `${p.kind} ${p.file}`)).toEqual(['added extra.bin', 'removed findings.csv', 'altered findings.vics.json']);
  });

  it('reports a package with no manifest, and a path that is no package, clearly', () => {
    const copy = copyPackage(pkg.out);
    rmSync(join(copy, 'manifest.json'));
    const r = verify(copy);
    expect(r.status).toBe(1);
    expect(r.text).toContain('REMOVED: manifest.json');
    const missing = kestrel(['verify', join(copy, 'nothing-here')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nothing-here: no such file or folder/);
  });
});
