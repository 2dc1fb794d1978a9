import type { Db } from '../catalog/sqlite.js';
import { appendAudit } from '../audit/log.js';
import { signAuditHead } from '../audit/signing.js';
import { KestrelError } from '../util/result.js';
import { sha256Of, undoDecisions } from './decisions.js';

/**
 * Undo and redo of review actions, per examiner, kept in the catalogue (review_action, migration
 * 0010) so they survive leaving the screen, a reload and a restart. One action is what one key,
 * one bulk selection or one whole group decided; undo and redo take it back or bring it again
 * whole. Decisions are never rewritten: undo and redo add rows (see decisions.ts), and both are
 * audit-logged with the action they concern.
 */

export interface ActionOutcome {
  actionId: number;
  via: string;
  /** The contents the action concerned, in the order it named them. */
  contentIds: number[];
  restored: number;
  withdrawn: number;
  redone: number;
}

export interface HistoryState {
  undoable: number;
  redoable: number;
}

interface ActionRow { id: number; examiner: string; via: string; state: string }
interface ItemRow { content_id: number; decision_id: number; undone_to: number | null }
interface DecisionRow { id: number; content_id: number; scheme: string; category: string; examiner: string; superseded_by: number | null; restores: number | null }

/** Records an action that wrote these decisions; the examiner's undone actions can no longer be redone. */
export function recordAction(db: Db, examiner: string, via: string, written: readonly { contentId: number; decisionId: number }[]): number {
  const now = new Date().toISOString();
  db.prepare("UPDATE review_action SET state = 'closed', changed_at = ? WHERE examiner = ? AND state = 'undone'").run(now, examiner);
  const id = Number(db.prepare("INSERT INTO review_action (examiner, kind, via, created_at) VALUES (?, 'categorise', ?, ?)").run(examiner, via, now).lastInsertRowid);
  const item = db.prepare('INSERT INTO review_action_item (action_id, content_id, decision_id) VALUES (?, ?, ?)');
  for (const w of written) item.run(id, w.contentId, w.decisionId);
  return id;
}

export function historyState(db: Db, examiner: string): HistoryState {
  const n = (state: string) => (db.prepare('SELECT count(*) AS n FROM review_action WHERE examiner = ? AND state = ?').get(examiner, state) as { n: number }).n;
  return { undoable: n('done'), redoable: n('undone') };
}

const getDecision = (db: Db, id: number) => db.prepare('SELECT * FROM category_decision WHERE id = ?').get(id) as DecisionRow;
const currentRow = (db: Db, contentId: number) =>
  db.prepare('SELECT * FROM category_decision WHERE content_id = ? AND superseded_by IS NULL ORDER BY id DESC LIMIT 1').get(contentId) as DecisionRow | undefined;

/** The decision a row stands for: a row written by undo or redo stands for the one it restores. */
function origin(db: Db, row: DecisionRow): number {
  let r = row;
  while (r.restores !== null) r = getDecision(db, r.restores);
  return r.id;
}

function items(db: Db, actionId: number): ItemRow[] {
  return db.prepare('SELECT content_id, decision_id, undone_to FROM review_action_item WHERE action_id = ? ORDER BY rowid').all(actionId) as ItemRow[];
}

/**
 * Closes an action that can no longer be undone or redone because one of its items was changed
 * since, records why, and refuses with a message naming the item. The closing is kept (it is
 * committed before the refusal), so the examiner's next undo or redo reaches the action before it.
 */
function refuse(db: Db, action: ActionRow, what: 'undo' | 'redo', contentId: number, now: DecisionRow | undefined, examiner: string): never {
  const sha256 = sha256Of(db, contentId);
  db.transaction(() => {
    db.prepare("UPDATE review_action SET state = 'closed', changed_at = ? WHERE id = ?").run(new Date().toISOString(), action.id);
    appendAudit(db, `review.${what}-refused`, {
      action: action.id, content: contentId, sha256, current: now ? { decision: now.id, scheme: now.scheme, category: now.category, examiner: now.examiner } : null,
    }, examiner);
  })();
  const state = now ? `now ${now.scheme} ${now.category} by ${now.examiner}` : 'now uncategorised';
  throw new KestrelError(
    `${what} refused: content ${contentId} (${sha256}) was changed since (${state}); that step is closed, ${what} again to reach the one before it`,
    'E_NOT_CURRENT',
  );
}

/** Undoes the examiner's latest standing action, whole, or refuses naming the item changed since. */
export function undoLastAction(db: Db, examiner: string): ActionOutcome {
  const action = db.prepare("SELECT id, examiner, via, state FROM review_action WHERE examiner = ? AND state = 'done' ORDER BY id DESC LIMIT 1")
    .get(examiner) as ActionRow | undefined;
  if (!action) throw new KestrelError(`nothing to undo for ${examiner} in this case`, 'E_NOTHING_TO_UNDO');
  const rows = items(db, action.id);
  const current: number[] = [];
  for (const it of rows) {
    const now = currentRow(db, it.content_id);
    if (!now || origin(db, now) !== it.decision_id) refuse(db, action, 'undo', it.content_id, now, examiner);
    current.push(now.id);
  }
  return db.transaction((): ActionOutcome => {
    const out = undoDecisions(db, current, examiner, { action: action.id, via: action.via });
    const left = db.prepare('UPDATE review_action_item SET undone_to = ? WHERE action_id = ? AND content_id = ?');
    for (const it of rows) {
      const now = currentRow(db, it.content_id);
      left.run(now ? origin(db, now) : null, action.id, it.content_id);
    }
    db.prepare("UPDATE review_action SET state = 'undone', changed_at = ? WHERE id = ?").run(new Date().toISOString(), action.id);
    return { actionId: action.id, via: action.via, contentIds: rows.map((r) => r.content_id), restored: out.restored, withdrawn: out.withdrawn, redone: 0 };
  })();
}

/** Brings back the examiner's most recently undone action, whole, or refuses naming the item changed since. */
export function redoLastAction(db: Db, examiner: string): ActionOutcome {
  // Undone actions are undone newest first, so the one undone last is the oldest still undone.
  const action = db.prepare("SELECT id, examiner, via, state FROM review_action WHERE examiner = ? AND state = 'undone' ORDER BY id ASC LIMIT 1")
    .get(examiner) as ActionRow | undefined;
  if (!action) throw new KestrelError(`nothing to redo for ${examiner} in this case`, 'E_NOTHING_TO_REDO');
  const rows = items(db, action.id);
  for (const it of rows) {
    const now = currentRow(db, it.content_id);
    const asLeft = now ? origin(db, now) === it.undone_to : it.undone_to === null;
    if (!asLeft) refuse(db, action, 'redo', it.content_id, now, examiner);
  }
  const insert = db.prepare(
    'INSERT INTO category_decision (content_id, scheme, category, examiner, decided_at, restores) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const supersede = db.prepare('UPDATE category_decision SET superseded_by = ? WHERE id = ?');
  return db.transaction((): ActionOutcome => {
    const now = new Date().toISOString();
    const audited: Record<string, unknown>[] = [];
    for (const it of rows) {
      const decided = getDecision(db, it.decision_id);
      const before = currentRow(db, it.content_id);
      const id = Number(insert.run(it.content_id, decided.scheme, decided.category, examiner, now, decided.id).lastInsertRowid);
      if (before) supersede.run(id, before.id);
      audited.push({
        content: it.content_id, sha256: sha256Of(db, it.content_id), redone: { decision: decided.id, scheme: decided.scheme, category: decided.category },
        decision: id, previous: before ? { decision: before.id, scheme: before.scheme, category: before.category } : null,
      });
    }
    db.prepare("UPDATE review_action SET state = 'done', changed_at = ? WHERE id = ?").run(now, action.id);
    appendAudit(db, 'review.redo', { action: action.id, via: action.via, items: audited }, examiner);
    signAuditHead(db, 'decisions');
    return { actionId: action.id, via: action.via, contentIds: rows.map((r) => r.content_id), restored: 0, withdrawn: 0, redone: rows.length };
  })();
}
