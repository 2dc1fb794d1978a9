import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCase, openCase, type OpenCase } from '../../../native/catalog/case.js';
import { categorise, currentCategory } from '../../../native/review/decisions.js';
import { historyState, redoLastAction, undoLastAction } from '../../../native/review/history.js';
import { readAudit, verifyChain } from '../../../native/audit/log.js';

describe('undo and redo of review actions, per examiner, in the catalogue', () => {
  let dir: string;
  let caseDir: string;
  let c: OpenCase;
  const A = 'Examiner A';
  const B = 'Examiner B';
  const cats = () => [1, 2, 3, 4, 5].map((id) => currentCategory(c.db, id));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-history-'));
    caseDir = join(dir, 'case');
    c = initCase(caseDir, { caseNumber: 'OP-UNDO', examiner: A });
    const content = c.db.prepare("INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, 1, 'image/png')");
    for (const id of [1, 2, 3, 4, 5]) content.run(id, String(id).repeat(64), String(id).repeat(40), String(id).repeat(32));
  });
  afterEach(() => {
    c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes back and brings again one action at a time (a key, a bulk selection, a group), across a reopen of the case', () => {
    categorise(c.db, [1], '1', A, 'keyboard');
    categorise(c.db, [2, 3], '2', A, 'selection');
    categorise(c.db, [1, 4, 5], '0', A, 'group');
    expect(cats()).toEqual(['0', '2', '2', '0', '0']);
    expect(historyState(c.db, A)).toEqual({ undoable: 3, redoable: 0 });

    // The case is closed and opened again between steps: nothing of the history lives in memory.
    c.close();
    c = openCase(caseDir);
    expect(undoLastAction(c.db, A)).toMatchObject({ via: 'group', contentIds: [1, 4, 5], restored: 1, withdrawn: 2 });
    expect(cats()).toEqual(['1', '2', '2', null, null]);
    expect(undoLastAction(c.db, A)).toMatchObject({ via: 'selection', contentIds: [2, 3], withdrawn: 2 });
    expect(undoLastAction(c.db, A)).toMatchObject({ via: 'keyboard', contentIds: [1], withdrawn: 1 });
    expect(cats()).toEqual([null, null, null, null, null]);
    expect(() => undoLastAction(c.db, A)).toThrow(/nothing to undo for Examiner A/);
    expect(historyState(c.db, A)).toEqual({ undoable: 0, redoable: 3 });

    c.close();
    c = openCase(caseDir);
    expect(redoLastAction(c.db, A)).toMatchObject({ via: 'keyboard', redone: 1 });
    expect(redoLastAction(c.db, A)).toMatchObject({ via: 'selection', redone: 2 });
    expect(redoLastAction(c.db, A)).toMatchObject({ via: 'group', redone: 3 });
    expect(cats()).toEqual(['0', '2', '2', '0', '0']);
    // Undo after redo goes back to what each item had before the action, not further.
    undoLastAction(c.db, A);
    expect(cats()).toEqual(['1', '2', '2', null, null]);

    // A new action closes what could be redone.
    categorise(c.db, [5], '3', A, 'keyboard');
    expect(historyState(c.db, A)).toEqual({ undoable: 3, redoable: 0 });
    expect(() => redoLastAction(c.db, A)).toThrow(/nothing to redo for Examiner A/);

    const entries = readAudit(c.db);
    expect(verifyChain(entries).ok).toBe(true);
    const undos = entries.filter((e) => e.action === 'review.undo');
    expect(undos.map((e) => e.details['via'])).toEqual(['group', 'selection', 'keyboard', 'group']);
    expect(undos.every((e) => typeof e.details['action'] === 'number' && e.actor === A)).toBe(true);
    const redos = entries.filter((e) => e.action === 'review.redo');
    expect(redos.map((e) => (e.details['items'] as unknown[]).length)).toEqual([1, 2, 3]);
    expect(redos[0]!.details['items']).toEqual([{ content: 1, sha256: '1'.repeat(64), redone: { decision: 1, scheme: 'vic-us', category: '1' }, decision: expect.any(Number), previous: null }]);
  });

  it('keeps each examiner to their own actions', () => {
    categorise(c.db, [1], '1', A, 'keyboard');
    categorise(c.db, [2], '2', B, 'keyboard');
    expect(undoLastAction(c.db, A)).toMatchObject({ contentIds: [1] });
    expect(cats()).toEqual([null, '2', null, null, null]);
    expect(() => undoLastAction(c.db, A)).toThrow(/nothing to undo for Examiner A/);
    expect(historyState(c.db, B)).toEqual({ undoable: 1, redoable: 0 });
    // B's new action does not close A's redo.
    categorise(c.db, [3], '3', B, 'keyboard');
    expect(redoLastAction(c.db, A)).toMatchObject({ contentIds: [1], redone: 1 });
  });

  it('refuses to undo over another examiner\'s later decision, naming the item, and the next undo reaches the step before', () => {
    categorise(c.db, [3], '4', A, 'keyboard');
    categorise(c.db, [1, 2], '1', A, 'selection');
    categorise(c.db, [2], '2', B, 'keyboard');
    expect(() => undoLastAction(c.db, A)).toThrow(
      `undo refused: content 2 (${'2'.repeat(64)}) was changed since (now vic-us 2 by Examiner B); that step is closed, undo again to reach the one before it`,
    );
    expect(cats()).toEqual(['1', '2', '4', null, null]);
    expect(undoLastAction(c.db, A)).toMatchObject({ contentIds: [3] });
    expect(cats()).toEqual(['1', '2', null, null, null]);
    const refused = readAudit(c.db).filter((e) => e.action === 'review.undo-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.details).toMatchObject({ content: 2, current: { category: '2', examiner: B } });

    // Redo refused the same way when the item changed after the undo.
    categorise(c.db, [4], '1', A, 'keyboard');
    undoLastAction(c.db, A);
    categorise(c.db, [4], '3', B, 'keyboard');
    expect(() => redoLastAction(c.db, A)).toThrow(/redo refused: content 4 .* \(now vic-us 3 by Examiner B\)/);
    expect(currentCategory(c.db, 4)).toBe('3');
  });
});
