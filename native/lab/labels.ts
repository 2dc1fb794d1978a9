import type { Db } from '../catalog/sqlite.js';
import { appendAudit } from '../audit/log.js';
import { KestrelError } from '../util/result.js';
import { sha256Of } from '../review/decisions.js';

export type LabelKind = 'series' | 'victim';

/**
 * Names a series or a victim (a pseudonymous label, never a real name: it travels to the lab
 * library with the hashes) on items. Adding a label an item already has changes nothing; one audit
 * entry names every item by SHA-256.
 */
export function addLabel(db: Db, contentIds: readonly number[], kind: LabelKind, label: string, examiner: string): number {
  const text = label.trim();
  if (text.length === 0 || text.length > 200) throw new KestrelError(`${kind} label must be 1 to 200 characters`, 'E_LABEL');
  const insert = db.prepare('INSERT OR IGNORE INTO item_label (content_id, kind, label, examiner, created_at) VALUES (?, ?, ?, ?, ?)');
  return db.transaction(() => {
    const now = new Date().toISOString();
    const items: string[] = [];
    for (const id of contentIds) {
      const sha = sha256Of(db, id);
      if (insert.run(id, kind, text, examiner, now).changes > 0) items.push(sha);
    }
    if (items.length > 0) appendAudit(db, 'label.add', { kind, label: text, items }, examiner);
    return items.length;
  })();
}

export function removeLabel(db: Db, contentIds: readonly number[], kind: LabelKind, label: string, examiner: string): number {
  const del = db.prepare('DELETE FROM item_label WHERE content_id = ? AND kind = ? AND label = ?');
  return db.transaction(() => {
    const items: string[] = [];
    for (const id of contentIds) {
      const sha = sha256Of(db, id);
      if (del.run(id, kind, label).changes > 0) items.push(sha);
    }
    if (items.length > 0) appendAudit(db, 'label.remove', { kind, label, items }, examiner);
    return items.length;
  })();
}

export function labelsOf(db: Db, contentId: number): { kind: LabelKind; label: string }[] {
  return db.prepare('SELECT kind, label FROM item_label WHERE content_id = ? ORDER BY kind, label').all(contentId) as { kind: LabelKind; label: string }[];
}
