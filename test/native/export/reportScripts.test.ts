import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';
import { pseudoRandom } from '../../helpers/sources.js';
import { openCase } from '../../../native/catalog/case.js';
import { categorise } from '../../../native/review/decisions.js';
import { exportPackage } from './fixture.js';
import { useTestSigningKey } from '../../helpers/signing.js';

// Packages are signed with an examiner key; verify refuses unsigned ones.
useTestSigningKey();

/** Names a court must read exactly as recorded, in scripts the embedded fonts draw. */
const DRAWN = [
  'Фотография Ёлки.jpg',
  'Φωτογραφία_ΑΒΓ_αβγ.jpg',
  // Decomposed: e + U+0301, o + U+0308, a + U+030A; left as found, never normalised.
  'Cafe\u0301 No\u0308el a\u030Angstro\u0308m.jpg',
  'Łódź Dvořák Ševčík ğış.jpg',
];
/** Names with characters the PDF writes as \u{…}: CJK (no glyph), Arabic (right to left), an override. */
const ESCAPED: [string, string][] = [
  ['写真.jpg', '\\u{5199}\\u{771f}.jpg'],
  ['صورة.jpg', '\\u{635}\\u{648}\\u{631}\\u{629}.jpg'],
  ['invoice\u202Egpj.exe', 'invoice\\u{202e}gpj.exe'],
];
const EXAMINER = 'DC Łucja Dvořák';
const CATEGORISER = 'DS Ἀλέξανδρος Πάππας';

let caseDir: string;
let pdfText: string;
let pathTexts: string[];
let firstPdf: Buffer;

beforeAll(() => {
  const src = tempDir('export-scripts-src');
  mkdirSync(join(src, 'Папка'));
  const names = [...DRAWN, ...ESCAPED.map(([n]) => n)];
  names.forEach((n, i) => writeFileSync(join(src, 'Папка', n), pseudoRandom(`script${i}`, 2000 + i)));
  caseDir = join(tempDir('export-scripts-case'), 'case');
  let r = kestrel(['init', caseDir, '--case-number', 'OP-2026/Ω-7', '--examiner', EXAMINER]);
  expect(r.status, r.stderr).toBe(0);
  r = kestrel(['intake', caseDir, src, '--exhibit', 'EX-Ж', '--description', 'Телефон, пломба 0042', '--json']);
  expect(r.status, r.stderr).toBe(0);
  const c = openCase(caseDir);
  try {
    const ids = c.db.prepare("SELECT content_id FROM file_instance WHERE entry_type = 'file' ORDER BY path").pluck().all() as number[];
    expect(ids).toHaveLength(names.length);
    categorise(c.db, ids, '2', CATEGORISER, 'test');
  } finally {
    c.close();
  }
  pathTexts = queryCase<{ path_text: string }>(caseDir, "SELECT path_text FROM file_instance WHERE entry_type = 'file' ORDER BY path")
    .map((row) => row.path_text);
  const pkg = exportPackage(caseDir);
  firstPdf = readFileSync(join(pkg.out, 'report.pdf'));
  pdfText = execFileSync('pdftotext', [join(pkg.out, 'report.pdf'), '-'], { encoding: 'utf8' });

  const artifacts = join(REPO_ROOT, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '2', '-l', '2', '-singlefile', join(pkg.out, 'report.pdf'), join(artifacts, 'export-report-scripts')]);
  execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', join(pkg.out, 'report.pdf'), join(artifacts, 'export-report-scripts-page1')]);
});

/**
 * The recorded text as a pattern over pdftotext's output: every code point, in order, with no
 * Unicode normalisation. The one allowance is a space pdftotext adds after a letter with a
 * combining mark (it measures the gap from the mark, which the font places back over the letter).
 */
function asExtracted(recorded: string): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp([...recorded].map((ch) => (/\p{M}/u.test(ch) ? `${escape(ch)} ?` : escape(ch))).join(''), 'u');
}

describe('PDF report text in other scripts', () => {
  it('prints Cyrillic, Greek and decomposed accented names exactly as the catalogue recorded them', () => {
    for (const name of DRAWN) {
      const recorded = pathTexts.find((p) => p.endsWith(name));
      expect(recorded, name).toBe(`Папка/${name}`);
      expect(pdfText, name).toMatch(asExtracted(`EX-Ж: ${recorded!}`));
    }
  });

  it('prints the examiners, case number and exhibit description as recorded', () => {
    for (const s of [EXAMINER, CATEGORISER, 'OP-2026/Ω-7', 'Телефон, пломба 0042']) expect(pdfText, s).toContain(s);
  });

  it('writes what it cannot draw faithfully as \\u{…}, says so, and never draws those characters raw', () => {
    for (const [name, shown] of ESCAPED) {
      expect(pathTexts, name).toContain(`Папка/${name}`);
      expect(pdfText, name).toContain(`EX-Ж: Папка/${shown}`);
      expect(pdfText, name).not.toContain(name);
    }
    const note = pdfText.replace(/\s+/g, ' ');
    expect(note).toMatch(/embeds the DejaVu Sans and DejaVu Sans Mono fonts/);
    expect(note).toMatch(/characters the embedded fonts do not have \(such as Chinese, Japanese and Korean\)/);
    expect(note).toMatch(/right-to-left scripts/);
    expect(note).toMatch(/invisible control and format characters/);
    expect(note).toMatch(/it writes these as \\u\{code point\}/);
    expect(note).toMatch(/report\.html and findings\.csv give them exactly as recorded/);
  });

  it('embeds DejaVu Sans and DejaVu Sans Mono, subset, no standard font, and the same bytes when exported again', () => {
    const pkgDir = tempDir('export-scripts-fonts');
    const out = join(pkgDir, 'p');
    expect(kestrel(['export', caseDir, out]).status).toBe(0);
    const fonts = execFileSync('pdffonts', [join(out, 'report.pdf')], { encoding: 'utf8' });
    const names = fonts.split('\n').slice(2).filter(Boolean).map((l) => l.split(/\s+/)[0]!);
    expect(names.map((n) => n.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(
      ['DejaVuSans', 'DejaVuSans-Bold', 'DejaVuSans-Oblique', 'DejaVuSansMono'],
    );
    expect(names.every((n) => /^[A-Z]{6}\+/.test(n))).toBe(true);
    expect(fonts).not.toMatch(/Helvetica|Courier|Times/);
    expect(statSync(join(out, 'report.pdf')).size).toBeLessThan(400_000);
    expect(readFileSync(join(out, 'report.pdf')).equals(firstPdf)).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('写真.jpg');
  });
});
