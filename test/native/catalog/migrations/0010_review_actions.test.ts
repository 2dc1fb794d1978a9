import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { reviewActions } from '../../../../native/catalog/migrations/0010_review_actions.js';

describe('migration 0010 review actions', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m10-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a catalogue holding decisions, keeping them, and adds the action tables with their constraints', () => {
    expect(migrate(db, caseMigrations, 'case catalogue', file, reviewActions.version - 1)).toBe(reviewActions.version - 1);
    db.prepare(`INSERT INTO case_info (id, case_uuid, case_number, examiner, created_at, tool_version)
      VALUES (1, 'u-1', 'OP-7', 'Examiner A', '2026-01-01T00:00:00.000Z', '0.1.0')`).run();
    db.prepare("INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (1, ?, ?, ?, 5, 'image/png')").run('a'.repeat(64), 'b'.repeat(40), 'c'.repeat(32));
    const decide = db.prepare("INSERT INTO category_decision (content_id, scheme, category, examiner, decided_at) VALUES (1, 'vic-us', ?, 'Examiner A', 'now')");
    const first = Number(decide.run('1').lastInsertRowid);
    const second = Number(decide.run('2').lastInsertRowid);
    db.prepare('UPDATE category_decision SET superseded_by = ? WHERE id = ?').run(second, first);
    const before = db.prepare('SELECT * FROM category_decision ORDER BY id').all();

    expect(migrate(db, caseMigrations, 'case catalogue', file, reviewActions.version)).toBe(reviewActions.version);
    expect(schemaVersion(db)).toBe(reviewActions.version);
    expect(db.prepare('SELECT * FROM category_decision ORDER BY id').all()).toEqual(before);
    expect(db.prepare('SELECT count(*) AS n FROM review_action').get()).toEqual({ n: 0 });

    const action = Number(db.prepare("INSERT INTO review_action (examiner, kind, via, created_at) VALUES ('Examiner A', 'categorise', 'keyboard', 'now')").run().lastInsertRowid);
    expect(db.prepare('SELECT state FROM review_action WHERE id = ?').get(action)).toEqual({ state: 'done' });
    db.prepare('INSERT INTO review_action_item (action_id, content_id, decision_id) VALUES (?, 1, ?)').run(action, second);
    expect(() => db.prepare('INSERT INTO review_action_item (action_id, content_id, decision_id) VALUES (?, 1, ?)').run(action, second)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => db.prepare('INSERT INTO review_action_item (action_id, content_id, decision_id) VALUES (?, 2, ?)').run(action, second)).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("UPDATE review_action SET state = 'gone' WHERE id = ?").run(action)).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO review_action (examiner, kind, via, created_at) VALUES ('A', 'tag', 'x', 'now')").run()).toThrow(/CHECK/);
  });
});
