import type { Migration } from '../migrate.js';

/**
 * The examiner's review actions, so undo and redo live with the case rather than in a page: one row
 * an action (a key, a bulk selection, a whole group), with the decisions it wrote. Per examiner:
 * each undoes and redoes their own actions. `state` says whether the action stands (done), was
 * undone (undone: redo can bring it back), or can no longer be redone or undone (closed: a new
 * action after an undo, or its items changed by someone else since).
 * Decisions written before this table existed have no action and are not undoable from here.
 */
export const reviewActions: Migration = {
  version: 10,
  name: 'review actions: undo and redo per examiner in the catalogue',
  up(db) {
    db.exec(`
      CREATE TABLE review_action (
        id INTEGER PRIMARY KEY,
        examiner TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('categorise')),
        via TEXT NOT NULL,
        created_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'closed')),
        changed_at TEXT NULL
      );
      CREATE INDEX review_action_examiner ON review_action(examiner, state, id);

      CREATE TABLE review_action_item (
        action_id INTEGER NOT NULL REFERENCES review_action(id),
        content_id INTEGER NOT NULL REFERENCES content(id),
        -- the decision the action wrote
        decision_id INTEGER NOT NULL REFERENCES category_decision(id),
        -- after an undo: the decision that then stood for the content (NULL: left uncategorised);
        -- redo requires that to be so still
        undone_to INTEGER NULL REFERENCES category_decision(id),
        PRIMARY KEY (action_id, content_id)
      );
    `);
  },
};
