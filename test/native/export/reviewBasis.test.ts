import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE, jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { useTestSigningKey } from '../../helpers/signing.js';
import { openCase } from '../../../native/catalog/case.js';
import { categorise } from '../../../native/review/decisions.js';

useTestSigningKey();

const md5 = (f: string) => createHash('md5').update(readFileSync(f)).digest('hex');
const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const PICTURES = { a: '00002701.jpg', b: '00011601.jpg', c: '00094701.jpg', d: '00106901.jpg', e: '00133601.jpg' } as const;
const LIST = 'VICS regional list';

/**
 * A real case (kestrel init, intake, hashset import, match) where the examiner agrees with the list
 * on A, says 0 where the list says 2 on B, has not reviewed C (the list says 0), decided D (4) with
 * no list hit; exhibit EX-02 is taken in after the match, so the list never saw it.
 */
describe('reports keep what the examiner decided apart from what a list said', () => {
  let caseDir: string;
  let library: string;
  let out: string;
  let stderr: string;
  let html: string;
  let pdf: string;
  const shaOf: Record<string, string> = {};

  beforeAll(() => {
    const work = tempDir('review-basis');
    const ex1 = join(work, 'ex1');
    const ex2 = join(work, 'ex2');
    mkdirSync(ex1);
    mkdirSync(ex2);
    for (const [k, name] of Object.entries(PICTURES)) {
      const dest = join(k === 'e' ? ex2 : ex1, `${k}.jpg`);
      copyFileSync(join(REFERENCE, 'blockhash', name), dest);
      shaOf[k] = sha256(dest);
    }
    const vics = join(work, 'list.json');
    writeFileSync(vics, JSON.stringify({
      '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media',
      value: [{ MD5: md5(join(ex1, 'a.jpg')), Category: 1 }, { MD5: md5(join(ex1, 'b.jpg')), Category: 2 }, { MD5: md5(join(ex1, 'c.jpg')), Category: 0 },
        { MD5: md5(join(ex2, 'e.jpg')), Category: 1 }],
    }));
    caseDir = join(work, 'case');
    library = join(work, 'library');
    const run = (args: string[]) => {
      const r = kestrel(args);
      expect(r.status, r.stderr).toBe(0);
      return r;
    };
    run(['init', caseDir, '--case-number', 'OP-BASIS', '--examiner', 'DC Jane Roe']);
    run(['intake', caseDir, ex1, '--exhibit', 'EX-01']);
    run(['hashset', 'import', vics, '--name', LIST, '--library', library]);
    run(['match', caseDir, '--library', library]);
    run(['intake', caseDir, ex2, '--exhibit', 'EX-02']);
    const c = openCase(caseDir);
    try {
      const id = (k: string) => c.db.prepare('SELECT id FROM content WHERE sha256 = ?').pluck().get(shaOf[k]) as number;
      categorise(c.db, [id('a')], '1', 'DC Jane Roe', 'test');
      categorise(c.db, [id('b')], '0', 'DS Bob Smith', 'test');
      categorise(c.db, [id('d')], '4', 'DC Jane Roe', 'test');
    } finally {
      c.close();
    }
    out = join(work, 'package');
    const r = run(['export', caseDir, out, '--library', library, '--json']);
    stderr = r.stderr;
    expect(jsonLines(r.stdout)[0]).toMatchObject({ unmatchedExhibits: [{ label: 'EX-02', lists: [`${LIST} v1`] }] });
    // The PDF prints 'Label: value' where the HTML has a header cell and a value cell: both read as 'Label value' here.
    const flat = (t: string) => t.replace(/\s+/g, ' ').replace(/: /g, ' ');
    html = flat(readFileSync(join(out, 'report.html'), 'utf8').replace(/<[^>]+>/g, ' ').replace(/&#39;|&apos;/g, "'"));
    pdf = flat(execFileSync('pdftotext', ['-layout', join(out, 'report.pdf'), '-'], { encoding: 'utf8' }));
  });

  it('counts examiner-confirmed findings apart from list precategorisations not yet reviewed', () => {
    for (const text of [html, pdf]) {
      expect(text).toContain('Confirmed by an examiner 3');
      expect(text).toContain('Precategorised by a hash list, not yet reviewed by an examiner 1');
      expect(text).toContain('Disagreements between an examiner and a list 1');
      expect(text).toContain('NOT REVIEWED by an examiner');
    }
  });

  it('lists the disagreement: examiner said 0, list said 2, with the list', () => {
    for (const text of [html, pdf]) {
      expect(text).toMatch(new RegExp(`${shaOf['b']} (Examiner said )?0 \\(vic-us\\) (List said )?2 \\(vic-us\\) (List )?${LIST} 1, record 2 (Decided by )?DS Bob Smith`));
      expect(text).toContain('DS Bob Smith');
    }
  });

  it('lists the findings by category from the most serious down', () => {
    for (const text of [html, pdf]) {
      const at = (s: string) => {
        const i = text.indexOf(s, text.indexOf('Findings by category'));
        expect(i, s).toBeGreaterThan(0);
        return i;
      };
      const one = at('Project VIC (US) category 1 Child abuse material (1)');
      const four = at('Project VIC (US) category 4 Comparison images (1)');
      const zero = at('Project VIC (US) category 0 Non-pertinent (2)');
      expect(one).toBeLessThan(four);
      expect(four).toBeLessThan(zero);
      expect(text).toContain('2 (1 confirmed by an examiner, 1 list precategorisation not yet reviewed)');
    }
  });

  it('names the exhibit the current list never saw, in the report and on stderr', () => {
    expect(stderr).toContain(`kestrel: warning: exhibit EX-02 was not matched against the current hash lists ${LIST} v1`);
    expect(stderr).not.toContain('EX-01');
    for (const text of [html, pdf]) {
      expect(text).toContain('Warning exhibits not matched against the current hash lists');
      expect(text).toMatch(new RegExp(`EX-02 (Lists it was not matched against )?${LIST} v1`));
    }
    // Matched again, nothing is left unmatched and the warning goes.
    expect(kestrel(['match', caseDir, '--library', library]).status).toBe(0);
    const again = kestrel(['export', caseDir, join(out, '..', 'package-2'), '--library', library]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('warning');
    expect(readFileSync(join(out, '..', 'package-2', 'report.html'), 'utf8')).not.toContain('not matched against the current');
  });
});
