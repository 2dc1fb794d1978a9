import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE, kestrel, tempDir } from '../../helpers/cli.js';
import { openCase } from '../../../native/catalog/case.js';
import { compareItems } from '../../../native/review/compare.js';
import { categorise, caseScheme } from '../../../native/review/decisions.js';
import { readAudit, verifyChain } from '../../../native/audit/log.js';

/**
 * kestrel compare and kestrel case scheme on a real case: the reference bridge photo and its
 * rotations and flips (dih), taken in by kestrel intake. compare prints what the Compare screen
 * shows (the engine's comparison, by id, SHA-256 or MD5); case scheme refuses without --yes when
 * decisions would stay in the old scheme, saying how many, and records the change as the UI does.
 */
describe('kestrel compare and kestrel case scheme', () => {
  let work: string;
  let caseDir: string;
  const ids: Record<string, { id: number; sha256: string; md5: string }> = {};

  const run = (args: string[]) => kestrel(args);
  beforeAll(() => {
    work = tempDir('cli-compare');
    const evidence = join(work, 'evidence');
    cpSync(join(REFERENCE, 'pdq', 'reg-test-input', 'dih'), evidence, { recursive: true });
    caseDir = join(work, 'case');
    for (const args of [['init', caseDir, '--case-number', 'OP-CMP', '--examiner', 'Examiner C'], ['intake', caseDir, evidence, '--exhibit', 'EX-D']]) {
      const r = run(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const c = openCase(caseDir);
    try {
      for (const r of c.db.prepare(`SELECT c.id, c.sha256, c.md5, f.path_text FROM content c JOIN file_instance f ON f.content_id = c.id`).all() as
        { id: number; sha256: string; md5: string; path_text: string }[]) ids[r.path_text.slice(r.path_text.lastIndexOf('/') + 1)] = r;
    } finally {
      c.close();
    }
  }, 120_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('compare prints the Compare screen\'s comparison: by id, SHA-256 or MD5, as JSON and aligned text', () => {
    const a = ids['bridge-1-original.jpg']!;
    const b = ids['bridge-3-rotate-180.jpg']!;
    const c = openCase(caseDir);
    let engine;
    try {
      engine = compareItems(c, a.id, b.id);
    } finally {
      c.close();
    }
    for (const [x, y] of [[String(a.id), String(b.id)], [a.sha256, b.md5.toUpperCase()]]) {
      const r = run(['compare', caseDir, x!, y!, '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(engine)));
    }
    // The rotated copy: a different file, the same picture turned (near at its nearest dihedral variant, far as displayed).
    expect(engine.pdq!.nearest).toBeLessThan(engine.pdq!.asDisplayed);
    expect(engine.rows.find((r) => r.field === 'sha256')!.same).toBe(false);

    const text = run(['compare', caseDir, String(a.id), String(b.id)]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(`PDQ distance: ${engine.pdq!.nearest} (nearest dihedral variant`);
    expect(text.stdout).toContain(`, ${engine.pdq!.asDisplayed} as displayed`);
    expect(text.stdout).toMatch(new RegExp(`^≠ SHA-256 +${a.sha256}  \\|  ${b.sha256}$`, 'm'));
    for (const row of engine.rows) expect(text.stdout).toContain(row.label);

    const missing = run(['compare', caseDir, String(a.id), 'f'.repeat(64)]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`kestrel: ${caseDir}: no item ${'f'.repeat(64)} in this case\n`);
    expect(run(['compare', caseDir, String(a.id), 'bridge']).stderr).toMatch(/^kestrel: bridge: not an item id, SHA-256 or MD5\n$/);
  });

  it('case scheme says how many decisions stay in the old scheme and changes nothing without --yes; with it, records the change as the UI does', () => {
    const decided = ['bridge-1-original.jpg', 'bridge-2-rotate-90.jpg', 'bridge-5-flipx.jpg'].map((n) => ids[n]!.id);
    let c = openCase(caseDir);
    try {
      expect(caseScheme(c.db)).toBe('vic-us');
      categorise(c.db, decided, '1', 'Examiner C', 'test');
    } finally {
      c.close();
    }
    const auditBefore = (() => { const o = openCase(caseDir); try { return readAudit(o.db).length; } finally { o.close(); } })();

    const refused = run(['case', 'scheme', caseDir, 'caid-uk']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`kestrel: changing ${caseDir} from vic-us to caid-uk: 3 decisions stay in their old scheme (3 in vic-us); nothing was changed: run again with --yes to confirm\n`);
    c = openCase(caseDir);
    try {
      expect(caseScheme(c.db)).toBe('vic-us');
      expect(readAudit(c.db).length).toBe(auditBefore);
    } finally {
      c.close();
    }

    const done = run(['case', 'scheme', caseDir, 'caid-uk', '--yes', '--examiner', 'Examiner D', '--json']);
    expect(done.status, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({ from: 'vic-us', to: 'caid-uk', stay: 3, byScheme: [{ scheme: 'vic-us', decisions: 3 }], changed: true });
    c = openCase(caseDir);
    try {
      expect(caseScheme(c.db)).toBe('caid-uk');
      const audit = readAudit(c.db);
      expect(verifyChain(audit).ok).toBe(true);
      expect(audit.slice(auditBefore).map((e) => [e.action, e.actor, e.details])).toEqual([
        ['review.scheme', 'Examiner D', { from: 'vic-us', to: 'caid-uk', decisionsInOtherSchemes: 3, byScheme: [{ scheme: 'vic-us', decisions: 3 }] }],
        ['review.settings', 'Examiner D', { categoryScheme: 'caid-uk', confirmDecisionsInOtherSchemes: 3 }],
      ]);
      // The decisions were not converted.
      expect(c.db.prepare('SELECT DISTINCT scheme FROM category_decision WHERE superseded_by IS NULL').pluck().all()).toEqual(['vic-us']);
    } finally {
      c.close();
    }
    expect(run(['case', 'scheme', caseDir, 'caid-uk']).stdout).toBe(`${caseDir}: the category scheme is already caid-uk\n`);
    expect(run(['case', 'scheme', caseDir, 'nope']).stderr).toMatch(/^kestrel: nope: not a category scheme \(vic-us, dhs, caid-uk, custom\)\n$/);
  });
});
