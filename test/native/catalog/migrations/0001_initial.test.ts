import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openSqlite } from '../../../../native/catalog/sqlite.js';
import { migrate } from '../../../../native/catalog/migrate.js';
import { caseMigrations } from '../../../../native/catalog/migrations/index.js';
import { tempDir } from '../../../helpers/cli.js';

describe('migration 0001 (initial catalogue)', () => {
  it('turns an empty file into a catalogue that stores content once and every place it was found', () => {
    const file = join(tempDir('m1'), 'catalogue.sqlite');
    const db = openSqlite(file);
    expect(migrate(db, caseMigrations, 'case catalogue', file, 1)).toBe(1);
    db.prepare("INSERT INTO exhibit (label, source_path, created_at) VALUES ('E1', '/src', 'now')").run();
    db.prepare("INSERT INTO intake_run (exhibit_id, source_path, started_at, status, tool_version) VALUES (1, '/src', 'now', 'running', 't')").run();
    db.prepare("INSERT INTO content (sha256, sha1, md5, size, detected_type) VALUES ('a', 'b', 'c', 1, 'text/plain')").run();
    const instance = db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, content_id, read_state)
      VALUES (1, 1, ?, ?, 'file', 1, 'done')`);
    instance.run(Buffer.from('a/x'), 'a/x');
    instance.run(Buffer.from('b/x'), 'b/x');
    expect(() => instance.run(Buffer.from('a/x'), 'a/x')).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO content (sha256, sha1, md5, size, detected_type) VALUES ('a', 'b', 'c', 1, 'x')").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, content_id, read_state)
      VALUES (1, 1, X'00', '', 'file', 99, 'done')`).run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state)
      VALUES (1, 1, X'01', '', 'file', 'half-done')`).run()).toThrow(/CHECK/);
    expect(db.prepare('SELECT count(*) FROM file_instance WHERE content_id = 1').pluck().get()).toBe(2);
    db.close();
  });
});
