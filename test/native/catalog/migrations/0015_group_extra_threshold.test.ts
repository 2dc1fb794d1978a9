import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Db } from '../../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { groupExtraThreshold } from '../../../../native/catalog/migrations/0015_group_extra_threshold.js';

describe('migration 0015 near-duplicate groups record the extra-hash threshold', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-m15-'));
    file = join(dir, 'catalogue.sqlite');
    db = openSqlite(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a version-14 catalogue with a group in it, keeping it with no extras threshold recorded', () => {
    expect(migrate(db, caseMigrations, 'case catalogue', file, groupExtraThreshold.version - 1)).toBe(groupExtraThreshold.version - 1);
    const content = db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, 10, ?)');
    content.run(1, 'a'.repeat(64), 'b'.repeat(40), 'c'.repeat(32), 'image/jpeg');
    content.run(2, 'd'.repeat(64), 'e'.repeat(40), 'f'.repeat(32), 'image/jpeg');
    db.prepare("INSERT INTO near_duplicate_group (id, algorithm, threshold, created_at, representative, rule) VALUES (1, 'pdq', 31, 'then', 1, 'complete-linkage')").run();
    db.prepare('INSERT INTO near_duplicate_member (content_id, group_id, nearest_distance, representative_distance) VALUES (1, 1, 4, 0), (2, 1, 4, 4)').run();
    db.prepare("INSERT INTO near_duplicate_state (id, threshold, content_watermark, updated_at) VALUES (1, 31, 2, 'then')").run();
    const groups = db.prepare('SELECT * FROM near_duplicate_group').all() as Record<string, unknown>[];
    const members = db.prepare('SELECT * FROM near_duplicate_member ORDER BY content_id').all();
    const state = db.prepare('SELECT * FROM near_duplicate_state').all() as Record<string, unknown>[];

    expect(migrate(db, caseMigrations, 'case catalogue', file, groupExtraThreshold.version)).toBe(groupExtraThreshold.version);
    expect(schemaVersion(db)).toBe(groupExtraThreshold.version);
    expect(db.prepare('SELECT * FROM near_duplicate_group').all()).toEqual(groups.map((g) => ({ ...g, extra_threshold: null })));
    expect(db.prepare('SELECT * FROM near_duplicate_member ORDER BY content_id').all()).toEqual(members);
    expect(db.prepare('SELECT * FROM near_duplicate_state').all()).toEqual(state.map((s) => ({ ...s, extra_threshold: null })));
    db.prepare('UPDATE near_duplicate_group SET extra_threshold = 25').run();
    expect(db.prepare('SELECT extra_threshold FROM near_duplicate_group').pluck().get()).toBe(25);
  });
});
