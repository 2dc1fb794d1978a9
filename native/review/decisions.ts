import type { Db } from '../catalog/sqlite.js';
import { SCHEMES, findCategory, isSchemeId, type SchemeId } from '../catalog/schemes.js';
import { appendAudit } from '../audit/log.js';
import { signAuditHead } from '../audit/signing.js';
import { KestrelError } from '../util/result.js';
import { recordAction } from './history.js';

/**
 * Category decisions. Rows are only ever added; a decision is replaced by superseding it, so the
 * table keeps the whole history beside the audit log (see migration 0004 for the rules).
 */

export interface CategoriseOutcome {
  decisionIds: number[];
  unchanged: number;
  /** The review action undo and redo take back and bring again whole; null when nothing changed. */
  actionId: number | null;
}

export interface UndoOutcome {
  restored: number;
  withdrawn: number;
  /** [the decision that undo brought back, the new row that now carries it]: lets a caller's undo stack follow. */
  replacements: [number, number][];
}

interface DecisionRow {
  id: number;
  content_id: number;
  scheme: SchemeId;
  category: string;
  examiner: string;
  decided_at: string;
  superseded_by: number | null;
  restores: number | null;
}

export function caseScheme(db: Db): SchemeId {
  const row = db.prepare("SELECT value FROM case_setting WHERE key = 'categoryScheme'").get() as { value: string } | undefined;
  const value = row ? (JSON.parse(row.value) as unknown) : 'vic-us';
  if (typeof value !== 'string' || !isSchemeId(value)) {
    throw new KestrelError(`case_setting categoryScheme: ${JSON.stringify(value)} is not a known scheme`);
  }
  return value;
}

function currentDecision(db: Db, contentId: number): DecisionRow | undefined {
  return db
    .prepare('SELECT * FROM category_decision WHERE content_id = ? AND superseded_by IS NULL ORDER BY id DESC LIMIT 1')
    .get(contentId) as DecisionRow | undefined;
}

/** The SHA-256 that names a content in the audit log; refuses an id the case does not hold. */
export function sha256Of(db: Db, contentId: number): string {
  const row = db.prepare('SELECT sha256 FROM content WHERE id = ?').get(contentId) as { sha256: string } | undefined;
  if (!row) throw new KestrelError(`content ${contentId}: no such item in this case`, 'E_NO_CONTENT');
  return row.sha256;
}

/**
 * Refuses the whole action when a content id does not hold the SHA-256 the examiner was shown for
 * it (a screen of another case, a catalogue rebuilt since): the decision would land on another item.
 */
function checkIdentity(db: Db, contentIds: readonly number[], expectSha256: readonly string[]): void {
  if (expectSha256.length !== contentIds.length) {
    throw new KestrelError(`categorise: ${expectSha256.length} SHA-256 values for ${contentIds.length} items`, 'E_CONTENT_MISMATCH');
  }
  contentIds.forEach((id, i) => {
    const actual = sha256Of(db, id);
    if (actual !== expectSha256[i]) {
      throw new KestrelError(`content ${id} is ${actual}, not ${expectSha256[i]} as shown to the examiner; nothing was categorised`, 'E_CONTENT_MISMATCH');
    }
  });
}

/**
 * Puts each content in `category` of the case's scheme, superseding its current decision. A
 * content already in that category keeps its decision (no new row). One audit entry records the
 * whole action, naming every item by SHA-256 with the category it had before.
 */
export function categorise(
  db: Db,
  contentIds: readonly number[],
  category: string,
  examiner: string,
  via: string,
  expectSha256?: readonly string[],
): CategoriseOutcome {
  const scheme = caseScheme(db);
  if (!findCategory(scheme, category)) {
    const codes = SCHEMES[scheme].categories.map((c) => c.code).join(', ') || 'none defined';
    throw new KestrelError(`category ${JSON.stringify(category)} is not in the case's scheme ${scheme} (codes: ${codes})`, 'E_CATEGORY');
  }
  const insert = db.prepare(
    'INSERT INTO category_decision (content_id, scheme, category, examiner, decided_at) VALUES (?, ?, ?, ?, ?)',
  );
  const supersede = db.prepare('UPDATE category_decision SET superseded_by = ? WHERE id = ?');
  return db.transaction((): CategoriseOutcome => {
    if (expectSha256) checkIdentity(db, contentIds, expectSha256);
    const now = new Date().toISOString();
    const decisionIds: number[] = [];
    const items: Record<string, unknown>[] = [];
    let unchanged = 0;
    for (const contentId of new Set(contentIds)) {
      const sha256 = sha256Of(db, contentId);
      const current = currentDecision(db, contentId);
      if (current && current.scheme === scheme && current.category === category) {
        unchanged += 1;
        continue;
      }
      const newId = Number(insert.run(contentId, scheme, category, examiner, now).lastInsertRowid);
      if (current) supersede.run(newId, current.id);
      decisionIds.push(newId);
      items.push({
        content: contentId, sha256, decision: newId,
        previous: current ? { decision: current.id, scheme: current.scheme, category: current.category } : null,
      });
    }
    let actionId: number | null = null;
    if (items.length > 0) {
      actionId = recordAction(db, examiner, via, items.map((i) => ({ contentId: i['content'] as number, decisionId: i['decision'] as number })));
      appendAudit(db, 'review.categorise', { scheme, category, via, action: actionId, items, unchanged }, examiner);
      signAuditHead(db, 'decisions');
    }
    return { decisionIds, unchanged, actionId };
  })();
}

/**
 * Undoes decisions that are still current: each is superseded by a new row restoring the decision
 * it replaced, or by itself when it replaced nothing (the content is uncategorised again). A
 * decision changed since is refused, naming it, and nothing is undone.
 */
export function undoDecisions(db: Db, decisionIds: readonly number[], examiner: string, context: Record<string, unknown> = {}): UndoOutcome {
  const get = db.prepare('SELECT * FROM category_decision WHERE id = ?');
  const replacedBy = db.prepare('SELECT * FROM category_decision WHERE superseded_by = ? AND id <> ? ORDER BY id DESC LIMIT 1');
  // A row that undo wrote stands for the decision it restores, so what it replaced is what that one replaced.
  const replaced = (row: DecisionRow): DecisionRow | undefined => {
    let r = row;
    while (r.restores !== null) r = get.get(r.restores) as DecisionRow;
    return replacedBy.get(r.id, r.id) as DecisionRow | undefined;
  };
  const insert = db.prepare(
    'INSERT INTO category_decision (content_id, scheme, category, examiner, decided_at, restores) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const supersede = db.prepare('UPDATE category_decision SET superseded_by = ? WHERE id = ?');
  return db.transaction((): UndoOutcome => {
    const now = new Date().toISOString();
    const outcome: UndoOutcome = { restored: 0, withdrawn: 0, replacements: [] };
    const items: Record<string, unknown>[] = [];
    for (const id of new Set(decisionIds)) {
      const row = get.get(id) as DecisionRow | undefined;
      if (!row) throw new KestrelError(`decision ${id}: no such decision`, 'E_NO_DECISION');
      if (row.superseded_by !== null) {
        throw new KestrelError(`decision ${id} (content ${row.content_id}) was changed since; undo refused`, 'E_NOT_CURRENT');
      }
      const previous = replaced(row);
      const sha256 = sha256Of(db, row.content_id);
      if (previous) {
        const newId = Number(insert.run(row.content_id, previous.scheme, previous.category, examiner, now, previous.id).lastInsertRowid);
        supersede.run(newId, id);
        outcome.restored += 1;
        outcome.replacements.push([previous.id, newId]);
        items.push({ content: row.content_id, sha256, undone: { decision: id, scheme: row.scheme, category: row.category }, restored: { decision: newId, scheme: previous.scheme, category: previous.category } });
      } else {
        supersede.run(id, id);
        outcome.withdrawn += 1;
        items.push({ content: row.content_id, sha256, undone: { decision: id, scheme: row.scheme, category: row.category }, restored: null });
      }
    }
    appendAudit(db, 'review.undo', { ...context, items }, examiner);
    signAuditHead(db, 'decisions');
    return outcome;
  })();
}

export interface DecisionHistoryRow {
  id: number;
  scheme: SchemeId;
  category: string;
  examiner: string;
  decidedAt: string;
  supersededBy: number | null;
}

export function decisionHistory(db: Db, contentId: number): DecisionHistoryRow[] {
  const rows = db.prepare('SELECT * FROM category_decision WHERE content_id = ? ORDER BY id').all(contentId) as DecisionRow[];
  return rows.map((r) => ({ id: r.id, scheme: r.scheme, category: r.category, examiner: r.examiner, decidedAt: r.decided_at, supersededBy: r.superseded_by }));
}

/** The current category in the case's scheme, or null (a decision in another scheme does not count). */
export function currentCategory(db: Db, contentId: number): string | null {
  const current = currentDecision(db, contentId);
  return current && current.scheme === caseScheme(db) ? current.category : null;
}
