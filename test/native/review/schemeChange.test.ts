import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCase, type OpenCase } from '../../../native/catalog/case.js';
import { readAudit, verifyChain } from '../../../native/audit/log.js';
import { categorise, caseScheme, currentCategory } from '../../../native/review/decisions.js';
import { changeScheme, schemeChangeImpact } from '../../../native/review/schemeChange.js';
import { countItems, itemRows, otherSchemeDecision, queryItems } from '../../../native/review/items.js';
import { buildSyntheticCase } from '../../e2e/syntheticCase.js';

/**
 * A scheme change on a real catalogue of 20 items, 5 decided in Project VIC: confirmed with the
 * number of decisions left in the old scheme, audited, and those decisions shown as such, neither
 * in the case's scheme nor uncategorised.
 */
describe('changing the case category scheme', () => {
  let dir: string;
  let c: OpenCase;
  const ids = (filter: { category: string }) => queryItems(c.db, filter, { key: 'id', dir: 'asc' }, 0, 100).map((r) => r.id);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-scheme-'));
    buildSyntheticCase(join(dir, 'case'), 20);
    c = openCase(join(dir, 'case'));
    categorise(c.db, [1, 2, 3], '1', 'Examiner A', 'selection');
    categorise(c.db, [4], '2', 'Examiner A', 'keyboard');
    categorise(c.db, [5], '0', 'Examiner A', 'keyboard');
  });
  afterEach(() => {
    c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a change that was not confirmed with the number of decisions left behind, and changes nothing', () => {
    expect(schemeChangeImpact(c.db, 'caid-uk')).toEqual({ from: 'vic-us', to: 'caid-uk', stay: 5, byScheme: [{ scheme: 'vic-us', decisions: 5 }] });
    expect(schemeChangeImpact(c.db, 'vic-us').stay).toBe(0);
    const auditBefore = readAudit(c.db).length;
    expect(() => changeScheme(c.db, 'caid-uk', 'Examiner A', undefined))
      .toThrow(/from vic-us to caid-uk leaves 5 decisions in their old scheme \(5 in vic-us\); nothing was changed/);
    // A count taken before other decisions were made is not a confirmation of this change.
    expect(() => changeScheme(c.db, 'caid-uk', 'Examiner A', 4)).toThrow(/\(4 was confirmed\)/);
    expect(caseScheme(c.db)).toBe('vic-us');
    expect(readAudit(c.db)).toHaveLength(auditBefore);
  });

  it('keeps old decisions as they were, shown with their scheme, apart from the uncategorised queue, and audits the change', () => {
    changeScheme(c.db, 'caid-uk', 'Examiner B', 5);
    expect(caseScheme(c.db)).toBe('caid-uk');
    const entry = readAudit(c.db).at(-1)!;
    expect(entry.action).toBe('review.scheme');
    expect(entry.actor).toBe('Examiner B');
    expect(entry.details).toEqual({ from: 'vic-us', to: 'caid-uk', decisionsInOtherSchemes: 5, byScheme: [{ scheme: 'vic-us', decisions: 5 }] });
    expect(verifyChain(readAudit(c.db)).ok).toBe(true);

    const [one, four, six] = itemRows(c.db, [1, 4, 6]);
    expect(one).toMatchObject({ category: null, otherScheme: { category: '1', scheme: 'vic-us' } });
    expect(four).toMatchObject({ category: null, otherScheme: { category: '2', scheme: 'vic-us' } });
    expect(six).toMatchObject({ category: null, otherScheme: null });
    expect(otherSchemeDecision(c.db, 5)).toEqual({ category: '0', scheme: 'vic-us' });
    expect(otherSchemeDecision(c.db, 6)).toBeNull();
    expect(currentCategory(c.db, 1)).toBeNull();

    expect(ids({ category: 'other-scheme' })).toEqual([1, 2, 3, 4, 5]);
    expect(ids({ category: 'none' })).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(countItems(c.db, { category: 'none' })).toBe(15);

    // Decided again in the new scheme, an item leaves the old-scheme list and carries its new category.
    categorise(c.db, [2], 'A', 'Examiner B', 'keyboard');
    expect(ids({ category: 'other-scheme' })).toEqual([1, 3, 4, 5]);
    expect(ids({ category: 'A' })).toEqual([2]);
    expect(itemRows(c.db, [2])[0]).toMatchObject({ category: 'A', otherScheme: null });

    // Going back: the CAID decision is the one left behind now; the VIC ones are the scheme's again.
    expect(schemeChangeImpact(c.db, 'vic-us')).toMatchObject({ stay: 1, byScheme: [{ scheme: 'caid-uk', decisions: 1 }] });
    changeScheme(c.db, 'vic-us', 'Examiner B', 1);
    expect(ids({ category: '1' })).toEqual([1, 3]);
    expect(itemRows(c.db, [2])[0]).toMatchObject({ category: null, otherScheme: { category: 'A', scheme: 'caid-uk' } });
  });

  it('needs no confirmation when no decision would be left behind', () => {
    const empty = mkdtempSync(join(tmpdir(), 'kestrel-scheme-empty-'));
    try {
      buildSyntheticCase(join(empty, 'case'), 3);
      const e = openCase(join(empty, 'case'));
      try {
        changeScheme(e.db, 'dhs', 'Examiner A', undefined);
        expect(caseScheme(e.db)).toBe('dhs');
        expect(readAudit(e.db).at(-1)!.details).toMatchObject({ from: 'vic-us', to: 'dhs', decisionsInOtherSchemes: 0 });
      } finally {
        e.close();
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
