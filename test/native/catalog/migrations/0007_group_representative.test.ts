import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { groupRepresentative } from '../../../../native/catalog/migrations/0007_group_representative.js';

describe('migration 0007 group representative', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m7-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops groups built by the chaining rule (so the next match rebuilds them), keeps decisions, and adds the new columns', () => {
    expect(migrate(db, caseMigrations, 'case catalogue', file, groupRepresentative.version - 1)).toBe(groupRepresentative.version - 1);
    const content = db.prepare("INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, 'x', 'y', 1, 'image/jpeg')");
    for (const id of [1, 2, 3]) content.run(id, String(id).repeat(64));
    db.prepare("INSERT INTO near_duplicate_group (id, algorithm, threshold, created_at) VALUES (1, 'pdq', 31, 'now')").run();
    db.prepare('INSERT INTO near_duplicate_member (content_id, group_id, nearest_distance) VALUES (1, 1, 0), (2, 1, 20), (3, 1, 20)').run();
    db.prepare("INSERT INTO near_duplicate_state (id, threshold, content_watermark, updated_at) VALUES (1, 31, 3, 'now')").run();
    db.prepare("INSERT INTO category_decision (content_id, scheme, category, examiner, decided_at) VALUES (3, 'vic-us', '1', 'A', 'now')").run();

    expect(migrate(db, caseMigrations, 'case catalogue', file, groupRepresentative.version)).toBe(groupRepresentative.version);
    expect(schemaVersion(db)).toBe(groupRepresentative.version);
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(n('SELECT count(*) AS n FROM near_duplicate_group')).toBe(0);
    expect(n('SELECT count(*) AS n FROM near_duplicate_member')).toBe(0);
    expect(n('SELECT count(*) AS n FROM near_duplicate_state')).toBe(0);
    expect(n('SELECT count(*) AS n FROM category_decision')).toBe(1);
    db.prepare("INSERT INTO near_duplicate_group (id, algorithm, threshold, created_at, representative, rule) VALUES (1, 'pdq', 31, 'now', 2, 'r')").run();
    db.prepare('INSERT INTO near_duplicate_member (content_id, group_id, nearest_distance, representative_distance) VALUES (2, 1, 5, 0), (1, 1, 5, 5)').run();
    expect(db.prepare('SELECT content_id, representative_distance FROM near_duplicate_member ORDER BY content_id').all())
      .toEqual([{ content_id: 1, representative_distance: 5 }, { content_id: 2, representative_distance: 0 }]);
  });
});
