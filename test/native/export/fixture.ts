import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REFERENCE, jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { pseudoRandom } from '../../helpers/sources.js';
import { openCase } from '../../../native/catalog/case.js';
import { categorise } from '../../../native/review/decisions.js';

export const EXAMINER = 'DC Jane Roe';
export const SECOND_EXAMINER = 'DS Bob Smith';
export const CASE_NUMBER = 'OP-2026/117';
export const FORMULA_NAME = '=HYPERLINK(x).jpg';

export interface TestCase {
  caseDir: string;
  src: string;
  /** SHA-256 of the contents categorised, by category code. */
  categorised: Record<string, string[]>;
  /** SHA-256 of the photo found in two places. */
  orig: string;
  /** Where the categorised contents are in the source (raw bytes: one name is not UTF-8). */
  findingPaths: Buffer[];
}

/**
 * A real case: made with `kestrel init` and `kestrel intake` from a source holding reference
 * photos (one of them twice, one under a name a spreadsheet would run as a formula), a file whose
 * name is not UTF-8, one with a Cyrillic name, and filler; three contents categorised by two
 * examiners through the review code the UI uses.
 */
export function makeTestCase(): TestCase {
  const src = tempDir('export-src');
  mkdirSync(join(src, 'photos', 'again'), { recursive: true });
  copyFileSync(join(REFERENCE, 'pdq', 'bridge-mods', 'aaa-orig.jpg'), join(src, 'photos', 'aaa-orig.jpg'));
  copyFileSync(join(REFERENCE, 'pdq', 'bridge-mods', 'aaa-orig.jpg'), join(src, 'photos', 'again', 'copy.jpg'));
  copyFileSync(join(REFERENCE, 'pdq', 'bridge-mods', 'blur-a-little.jpg'), join(src, 'photos', FORMULA_NAME));
  copyFileSync(join(REFERENCE, 'blockhash', 'clipper_ship.jpg'), join(src, 'Привет.jpg'));
  writeFileSync(Buffer.concat([Buffer.from(`${src}/odd-`), Buffer.from([0xff, 0xfe]), Buffer.from('.bin')]), pseudoRandom('odd', 5000));
  for (let i = 0; i < 5; i++) writeFileSync(join(src, `filler-${i}.dat`), pseudoRandom(`filler${i}`, 1000 + i));

  const caseDir = join(tempDir('export-case'), 'case');
  let r = kestrel(['init', caseDir, '--case-number', CASE_NUMBER, '--examiner', EXAMINER, '--description', 'Export test case']);
  expect(r.status, r.stderr).toBe(0);
  r = kestrel(['intake', caseDir, src, '--exhibit', 'EX-01', '--description', 'USB stick, seal 0042', '--json']);
  expect(r.status, r.stderr).toBe(0);

  const sha = (p: string | Buffer) => createHash('sha256').update(readFileSync(p)).digest('hex');
  const orig = sha(join(src, 'photos', 'aaa-orig.jpg'));
  const blur = sha(join(src, 'photos', FORMULA_NAME));
  const ship = sha(join(src, 'Привет.jpg'));
  const oddPath = Buffer.concat([Buffer.from(`${src}/odd-`), Buffer.from([0xff, 0xfe]), Buffer.from('.bin')]);
  const odd = sha(oddPath);
  const c = openCase(caseDir);
  try {
    const idOf = (h: string) => c.db.prepare('SELECT id FROM content WHERE sha256 = ?').pluck().get(h) as number;
    categorise(c.db, [idOf(orig), idOf(blur)], '1', EXAMINER, 'test');
    categorise(c.db, [idOf(ship)], '4', SECOND_EXAMINER, 'test');
    categorise(c.db, [idOf(odd)], '0', SECOND_EXAMINER, 'test');
  } finally {
    c.close();
  }
  return {
    caseDir,
    src,
    categorised: { '1': [orig, blur].sort(), '4': [ship], '0': [odd] },
    orig,
    findingPaths: [join(src, 'photos', 'aaa-orig.jpg'), join(src, 'photos', FORMULA_NAME), join(src, 'Привет.jpg')].map((p) => Buffer.from(p)).concat([oddPath]),
  };
}

export interface ExportRun {
  out: string;
  manifestSha256: string;
  packageHash: string;
  stdout: string;
}

export function exportPackage(caseDir: string, extra: string[] = []): ExportRun {
  const out = join(tempDir('export-out'), 'package');
  const r = kestrel(['export', caseDir, out, '--json', ...extra]);
  expect(r.status, r.stderr).toBe(0);
  const [result] = jsonLines(r.stdout);
  return { out, manifestSha256: String(result!['manifestSha256']), packageHash: String(result!['packageHash']), stdout: r.stdout };
}

/** A copy of a package to tamper with. */
export function copyPackage(dir: string): string {
  const copy = join(tempDir('export-copy'), 'package');
  cpSync(dir, copy, { recursive: true });
  return copy;
}

export function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}
