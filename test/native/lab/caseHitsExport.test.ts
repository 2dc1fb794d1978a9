import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initCase, type OpenCase } from '../../../native/catalog/case.js';
import { runIntake } from '../../../native/intake/intake.js';
import { drawScene, editPicture } from '../../../native/image/sampleImages.js';
import { categorise } from '../../../native/review/decisions.js';
import { countItems, queryItems } from '../../../native/review/items.js';
import { openLabStore } from '../../../native/lab/open.js';
import { contributeCase } from '../../../native/lab/contribute.js';
import { crossMatchCase } from '../../../native/lab/crossMatch.js';
import { caseHitsOf } from '../../../native/lab/caseHits.js';
import { addLabel } from '../../../native/lab/labels.js';
import { exportCase } from '../../../native/export/exportCase.js';
import { tempDir } from '../../helpers/cli.js';

/**
 * Cross-case hits reach the examiner and the package: the grid marks and filters them, the detail
 * says where they were seen, and the report (HTML and PDF), findings.csv, VICS and CASE/UCO carry
 * them apart from list hits. Real cases, intaken and matched against a real (SQLite) lab library.
 */
let work: string;
let c3: OpenCase;
let pkg: string;
const ids: Record<string, number> = {};

async function makeCase(root: string, number: string, examiner: string, files: Record<string, Buffer>, exhibit: string): Promise<OpenCase> {
  const src = join(root, `${number}-src`);
  mkdirSync(src, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(src, name), bytes);
  const c = initCase(join(root, number), { caseNumber: number, examiner });
  await runIntake(c, src, { exhibit, examiner, workers: 1 });
  return c;
}

const idOf = (c: OpenCase, name: string) => (c.db.prepare('SELECT content_id AS id FROM file_instance WHERE path_text = ?').get(name) as { id: number }).id;

beforeAll(async () => {
  work = tempDir('lab-hits');
  const victim = await drawScene({ seed: 11, title: 'harbour' }, 800, 600);
  const resized = await editPicture(victim, 'resized');
  const other = await drawScene({ seed: 42, title: 'orchard' }, 800, 600);
  const c1 = await makeCase(work, '2025-0412', 'J. Jansen', { 'IMG_0001.jpg': victim }, 'EX-03');
  categorise(c1.db, [idOf(c1, 'IMG_0001.jpg')], '1', 'J. Jansen', 'test');
  addLabel(c1.db, [idOf(c1, 'IMG_0001.jpg')], 'series', 'Harbour', 'J. Jansen');
  c3 = await makeCase(work, '2026-0101', 'P. de Vries', { 'copy.jpg': victim, 'small.jpg': resized, 'unrelated.jpg': other }, 'EX-01');
  for (const n of ['copy.jpg', 'small.jpg', 'unrelated.jpg']) ids[n] = idOf(c3, n);
  const store = await openLabStore(join(work, 'library'));
  try {
    await contributeCase(c1, store, 'J. Jansen');
    await crossMatchCase(c3, store, { examiner: 'P. de Vries' });
  } finally {
    await store.close();
    c1.close();
  }
  pkg = join(work, 'package');
  await exportCase(c3, pkg, { media: 'none', zip: false, examiner: 'P. de Vries', signer: null });
}, 180_000);
afterAll(() => {
  c3?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('cross-case hits for the examiner', () => {
  it('the grid marks them and filters on them', () => {
    const rows = queryItems(c3.db, {}, { key: 'name', dir: 'asc' }, 0, 10);
    expect(rows.map((r) => [r.name, r.otherCases, r.matched])).toEqual([['copy.jpg', 1, null], ['small.jpg', 1, null], ['unrelated.jpg', 0, null]]);
    expect(countItems(c3.db, { seenElsewhere: true })).toBe(2);
    expect(queryItems(c3.db, { seenElsewhere: false }, { key: 'id', dir: 'asc' }, 0, 10).map((r) => r.name)).toEqual(['unrelated.jpg']);
  });

  it('the detail says where, by whom, how and how near', () => {
    const [exact] = caseHitsOf(c3.db, ids['copy.jpg']!);
    expect(exact).toMatchObject({ case: '2025-0412', exhibit: 'EX-03', category: '1', scheme: 'vic-us', examiner: 'J. Jansen', algorithm: 'sha256', distance: 0 });
    const day = exact!.date!.slice(0, 10);
    expect(exact!.sentence).toBe(`seen in case 2025-0412, exhibit EX-03, categorised 1 (vic-us) by J. Jansen on ${day}, exact (SHA-256); series Harbour`);
    const [near] = caseHitsOf(c3.db, ids['small.jpg']!);
    expect(near!.algorithm).toBe('pdq');
    expect(near!.sentence).toMatch(new RegExp(`^seen in case 2025-0412, exhibit EX-03, categorised 1 \\(vic-us\\) by J\\. Jansen on ${day}, near-duplicate, PDQ distance ${near!.distance} <= 31`));
    expect(caseHitsOf(c3.db, ids['unrelated.jpg']!)).toEqual([]);
  });
});

describe('cross-case hits in the case package', () => {
  it('findings.csv has them in their own columns, not as list hits', () => {
    const [header, ...rows] = parseCsv(readFileSync(join(pkg, 'findings.csv'), 'utf8'));
    const col = (name: string) => header!.indexOf(name);
    expect(col('seen_in_cases')).toBeGreaterThan(0);
    const byPath = new Map(rows.map((r) => [r[col('path')]!, r]));
    expect([...byPath.keys()].sort()).toEqual(['copy.jpg', 'small.jpg']);
    const copy = byPath.get('copy.jpg')!;
    expect([copy[col('seen_in_cases')], copy[col('case_hit_algorithms')], copy[col('case_hit_min_distance')]]).toEqual(['2025-0412', 'sha256', '0']);
    expect(copy[col('case_hits')]).toContain('seen in case 2025-0412, exhibit EX-03, categorised 1 (vic-us) by J. Jansen');
    expect(copy[col('matched_lists')]).toBe('');
    // another case's category is not this case's: no category, no decision
    expect([copy[col('category')], copy[col('decided_by')]]).toEqual(['', '']);
    expect(byPath.get('small.jpg')![col('case_hit_algorithms')]).toBe('pdq');
  });

  it('the report, HTML and PDF, has a section of its own', () => {
    const html = readFileSync(join(pkg, 'report.html'), 'utf8');
    expect(html).toContain('Seen in other cases (lab library)');
    expect(html).toContain('seen in case 2025-0412, exhibit EX-03, categorised 1 (vic-us) by J. Jansen');
    expect(html).toContain('other cases of the lab library: SHA-256 exact; PDQ, 8 dihedral variants');
    const pdf = execFileSync('pdftotext', [join(pkg, 'report.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(pdf).toContain('Seen in other cases (lab library)');
    expect(pdf).toContain('seen in case 2025-0412, exhibit EX-03, categorised 1 (vic-us) by J. Jansen');
  });

  it('VICS carries them as an annotation beside the Media, never as its category', () => {
    const vics = JSON.parse(readFileSync(join(pkg, 'findings.vics.json'), 'utf8')) as { value: { Media: Record<string, unknown>[] }[] };
    const media = vics.value[0]!.Media;
    expect(media).toHaveLength(2);
    for (const m of media) {
      expect(m['Category']).toBeNull();
      expect(m['@kestrel.seenInCases']).toEqual([expect.objectContaining({ CaseNumber: '2025-0412', SourceID: 'EX-03', CategoryScheme: 'vic-us', CategoryCode: '1', Series: ['Harbour'] })]);
    }
  });

  it('CASE/UCO has a cross-case matching action whose results are case-hit annotations', () => {
    const uco = JSON.parse(readFileSync(join(pkg, 'findings.case-uco.jsonld'), 'utf8')) as { '@graph': Record<string, unknown>[] };
    const graph = uco['@graph'];
    const action = graph.find((n) => n['uco-core:name'] === 'cross-case matching')!;
    expect(action).toBeDefined();
    const results = (action['uco-action:result'] as { '@id': string }[]).map((r) => r['@id']);
    expect(results).toHaveLength(2);
    // copy.jpg is found exactly: not again as a near-duplicate at distance 0
    const notes = graph.filter((n) => results.includes(n['@id'] as string));
    expect(notes.every((n) => (n['uco-core:tag'] as string[]).includes('case hit') && !(n['uco-core:tag'] as string[]).includes('match'))).toBe(true);
    expect(notes.map((n) => n['uco-core:statement'])).toEqual(expect.arrayContaining([expect.stringMatching(/^seen in case 2025-0412, exhibit EX-03/)]));
  });
});

/** RFC 4180 as buildCsv writes it: CRLF rows, quoted fields with doubled quotes and embedded newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += ch;
  }
  return rows;
}
