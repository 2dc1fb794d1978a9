import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';
import { CASE_NUMBER, EXAMINER, FORMULA_NAME, SECOND_EXAMINER, exportPackage, filesIn, makeTestCase, type TestCase } from './fixture.js';
import { useTestSigningKey } from '../../helpers/signing.js';

// Packages are signed with an examiner key; verify refuses unsigned ones.
useTestSigningKey();

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let tc: TestCase;
let pkg: ReturnType<typeof exportPackage>;

beforeAll(() => {
  tc = makeTestCase();
  pkg = exportPackage(tc.caseDir, ['--zip']);
});

describe('kestrel export', () => {
  it('writes every part of the package and a manifest listing each with its SHA-256 and size', () => {
    expect(filesIn(pkg.out)).toEqual([
      'audit-log.jsonl', 'findings.case-uco.jsonld', 'findings.csv', 'findings.vics.json', 'manifest.json', 'report.html', 'report.pdf',
    ]);
    const manifest = JSON.parse(readFileSync(join(pkg.out, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string; size: number }[] };
    expect(manifest.files.map((f) => f.path)).toEqual(filesIn(pkg.out).filter((f) => f !== 'manifest.json'));
    for (const f of manifest.files) {
      const bytes = readFileSync(join(pkg.out, f.path));
      expect(f.sha256, f.path).toBe(sha256(bytes));
      expect(f.size, f.path).toBe(bytes.length);
    }
  });

  it("prints the manifest's own SHA-256 and records it in the case audit log", () => {
    expect(pkg.manifestSha256).toBe(sha256(readFileSync(join(pkg.out, 'manifest.json'))));
    const r = kestrel(['audit', 'show', tc.caseDir]);
    const exports = jsonLines(r.stdout).filter((e) => e['action'] === 'export.package');
    const details = exports.map((e) => e['details'] as Record<string, unknown>);
    expect(details.some((d) => d['manifestSha256'] === pkg.manifestSha256 && d['packageHash'] === pkg.packageHash)).toBe(true);
    expect(kestrel(['audit', 'verify', tc.caseDir]).status).toBe(0);
  });

  it('carries the audit log with its hash chain, up to the state exported', () => {
    const lines = readFileSync(join(pkg.out, 'audit-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const caseLog = jsonLines(kestrel(['audit', 'show', tc.caseDir]).stdout);
    expect(lines).toEqual(caseLog.slice(0, lines.length));
    expect(lines.map((l) => l['action'])).toContain('intake.end');
    expect(lines.map((l) => l['action'])).not.toContain('export.package');
  });

  it('writes the findings as VICS 2.0 Cases: case level, Media with MediaFiles, Category with its scheme', () => {
    const vics = JSON.parse(readFileSync(join(pkg.out, 'findings.vics.json'), 'utf8')) as {
      '@odata.context': string;
      value: { CaseNumber: string; ContactName: string; Media: Record<string, unknown>[] }[];
    };
    expect(vics['@odata.context']).toMatch(/^http:\/\/github\.com\/VICSDATAMODEL\/ProjectVic\/DataModels\/2\.0\.xml\/(US|CUSTOM)\/\$metadata#Cases$/);
    expect(vics.value).toHaveLength(1);
    const c = vics.value[0]!;
    expect(c.CaseNumber).toBe(CASE_NUMBER);
    expect(c.ContactName).toBe(EXAMINER);
    expect(c.Media).toHaveLength(4);
    const bySha = new Map(c.Media.map((m) => [
      (m['AlternativeHashes'] as { HashName: string; HashValue: string }[]).find((h) => h.HashName === 'SHA256')!.HashValue, m,
    ]));
    const orig = bySha.get(tc.orig)!;
    expect(orig['Category']).toBe(1);
    expect(orig['CategoryScheme']).toBe('vic-us');
    expect(orig['IsPrecategorized']).toBe(false);
    expect(orig['MD5']).toMatch(/^[0-9A-F]{32}$/);
    const [image] = queryCase<{ pdq: string; blockhash: string; pdq_quality: number }>(
      tc.caseDir, 'SELECT i.pdq, i.blockhash, i.pdq_quality FROM image_data i JOIN content c ON c.id = i.content_id WHERE c.sha256 = ?', tc.orig,
    );
    const alt = orig['AlternativeHashes'] as { HashName: string; HashValue: string }[];
    expect(image!.pdq).toMatch(/^[0-9a-f]{64}$/);
    expect(alt).toEqual(expect.arrayContaining([{ HashName: 'PDQ', HashValue: image!.pdq, MD5: orig['MD5'] }, { HashName: 'Blockhash', HashValue: image!.blockhash, MD5: orig['MD5'] }]));
    expect(orig['PDQQuality']).toBe(image!.pdq_quality);
    const ship = bySha.get(tc.categorised['4']![0]!)!;
    expect(ship['Category']).toBe(4);
    const files = c.Media.flatMap((m) => m['MediaFiles'] as { FilePath: string; SourceID: string; Written: string | null }[]);
    expect(files.map((f) => f.FilePath).sort()).toEqual(
      ['Привет.jpg', 'odd-\\xff\\xfe.bin', 'photos/=HYPERLINK(x).jpg', 'photos/aaa-orig.jpg', 'photos/again/copy.jpg'].sort(),
    );
    expect(files.every((f) => f.SourceID === 'EX-01' && typeof f.Written === 'string')).toBe(true);
  });

  it('writes one CSV row per place a finding was found, with formula-like cells defused', () => {
    const csv = readFileSync(join(pkg.out, 'findings.csv'), 'utf8');
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]!.split(',').slice(0, 3)).toEqual(['sha256', 'md5', 'sha1']);
    expect(rows).toHaveLength(1 + 5);
    expect(csv).toContain(`photos/${FORMULA_NAME}`);
    expect(rows.filter((r) => r.includes(SECOND_EXAMINER))).toHaveLength(2);
    const withFormula = rows.find((r) => r.includes('HYPERLINK'))!;
    expect(withFormula.split(',').some((cell) => cell.startsWith('='))).toBe(false);
  });

  it('shows the report as a reader sees it: case, examiner, exhibit, counts, findings by category, methods, tool, package hash', () => {
    const text = execFileSync('pdftotext', ['-layout', join(pkg.out, 'report.pdf'), '-'], { encoding: 'utf8' });
    const flat = text.replace(/\s+/g, ' ');
    for (const expected of [
      CASE_NUMBER, EXAMINER, SECOND_EXAMINER, 'EX-01', 'USB stick, seal 0042', 'Findings (unique contents): 4',
      'Project VIC (US) category 1: Child abuse material (2)', 'Comparison images', 'Hash lists used',
      'Methods', 'MD5, SHA-1, SHA-256', 'Algorithm: pdq', 'Algorithm: blockhash Version: blockhash-core@', 'Step: image analysis', `Kestrel ${version()}`, pkg.packageHash, tc.orig,
      'no image', 'EX-01: Привет.jpg',
    ]) {
      expect(flat, expected).toContain(expected);
    }
    const html = readFileSync(join(pkg.out, 'report.html'), 'utf8');
    for (const expected of [CASE_NUMBER, EXAMINER, pkg.packageHash, 'Привет.jpg', '=HYPERLINK(x).jpg', 'Child abuse material']) {
      expect(html, expected).toContain(expected);
    }
    expect(html).not.toMatch(/<img|<script|<link|https?:\/\/(?!ontology)/i);

    const artifacts = join(REPO_ROOT, 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', join(pkg.out, 'report.pdf'), join(artifacts, 'export-report-page1')]);
    expect(statSync(join(artifacts, 'export-report-page1.png')).size).toBeGreaterThan(10_000);
  });

  it('carries no image by default: no finding\'s bytes appear in any file of the package', () => {
    const contents = tc.findingPaths.map((p) => readFileSync(p));
    expect(contents.map((c) => sha256(c)).sort()).toEqual(Object.values(tc.categorised).flat().sort());
    for (const f of filesIn(pkg.out)) {
      const bytes = readFileSync(join(pkg.out, f));
      for (const c of contents) expect(bytes.includes(c.subarray(100, 164)), f).toBe(false);
    }
  });

  it('gives the same bytes when the same case is exported twice, except the declared timestamp fields', () => {
    const again = exportPackage(tc.caseDir, ['--zip']);
    expect(filesIn(again.out)).toEqual(filesIn(pkg.out));
    for (const f of filesIn(pkg.out)) {
      if (f === 'manifest.json') continue;
      expect(readFileSync(join(again.out, f)).equals(readFileSync(join(pkg.out, f))), f).toBe(true);
    }
    const a = JSON.parse(readFileSync(join(pkg.out, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const b = JSON.parse(readFileSync(join(again.out, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(a['timestampFields']).toEqual(['exportedAt']);
    expect(a['exportedAt']).not.toBe(b['exportedAt']);
    // The seal and the signature value cover the timestamp, so they follow it.
    const signatureValue = (m: Record<string, unknown>) => String((m['signature'] as { value: string }).value);
    const strip = (m: Record<string, unknown>) => {
      const { seal: _seal, signature, ...rest } = m;
      for (const field of m['timestampFields'] as string[]) delete rest[field];
      const { value: _value, ...signer } = signature as Record<string, unknown>;
      return { ...rest, signer };
    };
    expect(strip(b)).toEqual(strip(a));
    // With the timestamp put back to the first export's, the manifest is the first one, seal and all.
    const rawB = readFileSync(join(again.out, 'manifest.json'), 'utf8');
    const resealed = rawB.replace(String(b['exportedAt']), String(a['exportedAt'])).replace(String(b['seal']), String(a['seal'])).replace(signatureValue(b), signatureValue(a));
    expect(resealed).toBe(readFileSync(join(pkg.out, 'manifest.json'), 'utf8'));
    expect(again.packageHash).toBe(pkg.packageHash);
  });

  it('refuses to write over an existing package, into the case folder, or encrypted media without a passphrase', () => {
    let r = kestrel(['export', tc.caseDir, pkg.out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/already exists and is not an empty folder/);
    r = kestrel(['export', tc.caseDir, join(tc.caseDir, 'pkg')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not written inside the case folder/);
    const out = join(tempDir('export-refuse'), 'p');
    r = kestrel(['export', tc.caseDir, out, '--media', 'encrypted']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/passphrase/);
    const short = join(tempDir('export-pass'), 'pass');
    writeFileSync(short, 'short\n');
    r = kestrel(['export', tc.caseDir, out, '--media', 'encrypted', '--passphrase-file', short]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/at least 12 characters/);
    expect(existsSync(out)).toBe(false);
    r = kestrel(['export', tc.caseDir, out, '--media', 'all']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--media all: expected none or encrypted/);
  });
});

describe('kestrel export --media encrypted', () => {
  const passphrase = 'Tr0ub4dor&3-horse-staple';
  let enc: ReturnType<typeof exportPackage>;
  let passDir: string;

  beforeAll(() => {
    passDir = tempDir('export-secret');
    writeFileSync(join(passDir, 'passphrase.txt'), `${passphrase}\n`);
    enc = exportPackage(tc.caseDir, ['--media', 'encrypted', '--passphrase-file', join(passDir, 'passphrase.txt'), '--zip']);
  });

  it('puts the findings\' media in an AES-256 zip that 7-Zip opens with the passphrase and refuses without it', () => {
    const zip = join(enc.out, 'media.zip');
    const listing = execFileSync('7z', ['l', '-slt', `-p${passphrase}`, zip], { encoding: 'utf8' });
    expect(listing).toMatch(/Method = AES-256/);
    expect(listing).toMatch(/Encrypted = \+/);
    const ok = spawnSync('7z', ['t', `-p${passphrase}`, zip], { encoding: 'utf8' });
    expect(ok.status, ok.stdout).toBe(0);
    const wrong = spawnSync('7z', ['t', '-pnot-the-passphrase', zip], { encoding: 'utf8' });
    expect(wrong.status).not.toBe(0);
    expect(`${wrong.stdout}${wrong.stderr}`).toMatch(/Wrong password/);

    const dest = tempDir('export-unzip');
    execFileSync('7z', ['x', `-p${passphrase}`, `-o${dest}`, zip], { encoding: 'utf8' });
    const got = readdirSync(dest).map((f) => sha256(readFileSync(join(dest, f)))).sort();
    expect(got).toEqual(Object.values(tc.categorised).flat().sort());
    expect(kestrel(['verify', enc.out]).status).toBe(0);
  });

  it('never writes the passphrase: not in the package, the case folder, the zip, the output or the audit log', () => {
    const needle = Buffer.from(passphrase, 'utf8');
    const roots = [enc.out, `${enc.out}.zip`, tc.caseDir];
    const files = roots.flatMap((r) => (statSync(r).isDirectory()
      ? readdirSync(r, { recursive: true }).map((p) => join(r, String(p))).filter((p) => statSync(p).isFile())
      : [r]));
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) expect(readFileSync(f).includes(needle), f).toBe(false);
    expect(enc.stdout).not.toContain(passphrase);
    expect(kestrel(['audit', 'show', tc.caseDir]).stdout).not.toContain(passphrase);
  });

  it('declares the media zip as differing between exports, and lists its contents in the manifest', () => {
    const m = JSON.parse(readFileSync(join(enc.out, 'manifest.json'), 'utf8')) as {
      varyingFiles: Record<string, string>; media: { mode: string; items: { sha256: string }[] };
    };
    expect(Object.keys(m.varyingFiles)).toEqual(['media.zip']);
    expect(m.media.mode).toBe('encrypted');
    expect(m.media.items.map((i) => i.sha256).sort()).toEqual(Object.values(tc.categorised).flat().sort());
  });
});

function version(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
