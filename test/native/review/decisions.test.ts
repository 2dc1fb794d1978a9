import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCase, type OpenCase } from '../../../native/catalog/case.js';
import { categorise, currentCategory, undoDecisions } from '../../../native/review/decisions.js';
import { readAudit, verifyChain } from '../../../native/audit/log.js';

describe('category decisions', () => {
  let dir: string;
  let c: OpenCase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-decisions-'));
    c = initCase(join(dir, 'case'), { caseNumber: 'OP-1', examiner: 'Examiner A' });
    const content = c.db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, 1, ?)');
    for (const id of [1, 2, 3]) content.run(id, String(id).repeat(64), String(id).repeat(40), String(id).repeat(32), 'image/png');
  });
  afterEach(() => {
    c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => c.db.prepare('SELECT id, content_id, category, superseded_by, restores FROM category_decision ORDER BY id').all();

  it('supersedes instead of updating, and undo walks back through the history', () => {
    const a = categorise(c.db, [1], '1', 'Examiner A', 'test');
    expect(currentCategory(c.db, 1)).toBe('1');
    const b = categorise(c.db, [1], '2', 'Examiner B', 'test');
    expect(currentCategory(c.db, 1)).toBe('2');

    const undoB = undoDecisions(c.db, b.decisionIds, 'Examiner B');
    expect(undoB).toMatchObject({ restored: 1, withdrawn: 0 });
    expect(currentCategory(c.db, 1)).toBe('1');
    // The stack entry for `a` now stands for the row that restored it.
    const restoredA = undoB.replacements.find(([from]) => from === a.decisionIds[0])?.[1];
    expect(restoredA).toBeDefined();

    const undoA = undoDecisions(c.db, [restoredA!], 'Examiner B');
    expect(undoA).toMatchObject({ restored: 0, withdrawn: 1 });
    expect(currentCategory(c.db, 1)).toBeNull();

    // Four rows, none deleted or rewritten except superseded_by: the history stays readable.
    expect(rows()).toEqual([
      { id: 1, content_id: 1, category: '1', superseded_by: 2, restores: null },
      { id: 2, content_id: 1, category: '2', superseded_by: 3, restores: null },
      { id: 3, content_id: 1, category: '1', superseded_by: 3, restores: 1 },
    ]);
  });

  it('records every decision and undo in the audit log with SHA-256 and previous category', () => {
    categorise(c.db, [1, 2], '1', 'Examiner A', 'keyboard');
    const second = categorise(c.db, [2], '4', 'Examiner A', 'keyboard');
    undoDecisions(c.db, second.decisionIds, 'Examiner A');
    const log = readAudit(c.db);
    expect(verifyChain(log).ok).toBe(true);
    const [cat1, cat2, undo] = log.filter((e) => e.action.startsWith('review.'));
    expect(cat1).toMatchObject({ action: 'review.categorise', actor: 'Examiner A', details: { scheme: 'vic-us', category: '1', via: 'keyboard' } });
    expect((cat1!.details['items'] as { sha256: string }[]).map((i) => i.sha256)).toEqual(['1'.repeat(64), '2'.repeat(64)]);
    expect(cat2!.details['items']).toEqual([{ content: 2, sha256: '2'.repeat(64), decision: 3, previous: { decision: 2, scheme: 'vic-us', category: '1' } }]);
    expect(undo).toMatchObject({ action: 'review.undo', details: { items: [{ content: 2, undone: { decision: 3, category: '4' }, restored: { scheme: 'vic-us', category: '1' } }] } });
  });

  it('refuses categories outside the case scheme, unknown content and stale undo, changing nothing', () => {
    expect(() => categorise(c.db, [1], 'A', 'X', 'test')).toThrow(/not in the case's scheme vic-us/);
    expect(() => categorise(c.db, [1, 99], '1', 'X', 'test')).toThrow(/content 99: no such item/);
    expect(rows()).toEqual([]);
    const first = categorise(c.db, [3], '1', 'X', 'test');
    categorise(c.db, [3], '2', 'X', 'test');
    expect(() => undoDecisions(c.db, first.decisionIds, 'X')).toThrow(/changed since; undo refused/);
    expect(currentCategory(c.db, 3)).toBe('2');
  });

  it('refuses the whole action when a content is not the one the examiner was shown (SHA-256)', () => {
    expect(() => categorise(c.db, [1, 2], '1', 'X', 'keyboard', ['1'.repeat(64), '3'.repeat(64)]))
      .toThrow(/content 2 is 2{64}, not 3{64} as shown to the examiner; nothing was categorised/);
    expect(rows()).toEqual([]);
    expect(() => categorise(c.db, [1, 2], '1', 'X', 'keyboard', ['1'.repeat(64)])).toThrow(/1 SHA-256 values for 2 items/);
    const ok = categorise(c.db, [1, 2], '1', 'X', 'keyboard', ['1'.repeat(64), '2'.repeat(64)]);
    expect(ok.decisionIds).toHaveLength(2);
  });

  it('does not write a new row when the category is already the current one', () => {
    categorise(c.db, [1], '3', 'X', 'test');
    const again = categorise(c.db, [1, 2], '3', 'X', 'test');
    expect(again).toEqual({ decisionIds: [2], unchanged: 1, actionId: 2 });
  });
});
