import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '../../../native/catalog/sqlite.js';
import { CATALOGUE_FILE } from '../../../native/catalog/case.js';
import { caseMigrations } from '../../../native/catalog/migrations/index.js';
import { KESTREL_BIN, isRoot, kestrel, tempDir } from '../../helpers/cli.js';
import { makeSource } from '../../helpers/sources.js';
import { catalogueOf, queryCase } from '../../helpers/catalogue.js';

describe('the case store', () => {
  it('creates a case as one WAL-mode SQLite file with foreign keys, a derived folder and an audit entry', () => {
    const c = join(tempDir('init'), 'case');
    const r = kestrel(['init', c, '--case-number', 'OP-7', '--examiner', 'J. Doe', '--description', 'test case', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ caseNumber: 'OP-7', examiner: 'J. Doe', description: 'test case' });
    const db = openSqlite(join(c, CATALOGUE_FILE), { mustExist: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT max(version) FROM schema_migration').pluck().get()).toBe(caseMigrations.length);
    db.close();
    expect(queryCase<{ action: string }>(c, 'SELECT action FROM audit_log').map((a) => a.action)).toEqual(['case.init']);
  });

  it('refuses a folder that holds other files, and a second case in the same folder', () => {
    const busy = tempDir('busy');
    writeFileSync(join(busy, 'evidence.txt'), 'x');
    const r = kestrel(['init', busy, '--case-number', '1', '--examiner', 'x']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/folder is not empty/);
    const c = join(tempDir('twice'), 'case');
    expect(kestrel(['init', c, '--case-number', '1', '--examiner', 'x']).status).toBe(0);
    expect(kestrel(['init', c, '--case-number', '2', '--examiner', 'x']).stderr).toMatch(/a case already exists here/);
  });

  it('refuses a case written by a newer schema and leaves it untouched', () => {
    const c = join(tempDir('newer'), 'case');
    expect(kestrel(['init', c, '--case-number', '1', '--examiner', 'x']).status).toBe(0);
    const db = openSqlite(join(c, CATALOGUE_FILE));
    db.prepare("INSERT INTO schema_migration (version, name, applied_at) VALUES (999, 'from the future', 'x')").run();
    db.close();
    const r = kestrel(['intake', c, tempDir('src'), '--exhibit', 'E']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/catalogue\.sqlite: case catalogue has schema version 999, newer than this Kestrel understands/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(queryCase(c, 'SELECT * FROM exhibit')).toEqual([]);
  });

  it.runIf(isRoot)('stops cleanly when the disk fills, keeps the catalogue sound, and resumes once there is room', () => {
    const src = tempDir('full-src');
    makeSource(src, { files: 6000, folders: 30, maxSize: 2000 });
    const reference = join(tempDir('full-ref'), 'case');
    expect(kestrel(['init', reference, '--case-number', 'F', '--examiner', 'x']).status).toBe(0);
    expect(kestrel(['intake', reference, src, '--exhibit', 'E']).status).toBe(0);

    // A small tmpfs in a private mount namespace is a real full disk, for this test only.
    const mnt = tempDir('full-mnt');
    const out = tempDir('full-out');
    const script = `
      mount -t tmpfs -o size=1m tmpfs "$1" || exit 99
      "$3" "$4" init "$1/case" --case-number F --examiner x > /dev/null || exit 98
      "$3" "$4" intake "$1/case" "$5" --exhibit E 2> "$2/err1"; echo $? > "$2/rc1"
      "$3" "$4" audit verify "$1/case" > "$2/verify1"; echo $? > "$2/rcv"
      mount -o remount,size=64m "$1"
      "$3" "$4" intake "$1/case" "$5" --exhibit E 2> "$2/err2"; echo $? > "$2/rc2"
      cp -a "$1/case" "$2/case"`;
    execFileSync('unshare', ['-m', 'sh', '-c', script, 'sh', mnt, out, process.execPath, KESTREL_BIN, src]);
    const read = (f: string) => readFileSync(join(out, f), 'utf8').trim();
    expect(read('rc1')).toBe('1');
    expect(read('err1')).toMatch(/^kestrel: .*\/case: disk full while writing the catalogue; .* run the same command to resume$/);
    expect(read('err1').split('\n')).toHaveLength(1);
    expect(read('rcv')).toBe('0');
    expect(read('rc2')).toBe('0');
    const withoutFolderAtime = (rows: ReturnType<typeof catalogueOf>) => rows.map((r) => (r.entry_type === 'directory' ? { ...r, atime: null } : r));
    expect(withoutFolderAtime(catalogueOf(join(out, 'case'), 'E'))).toEqual(withoutFolderAtime(catalogueOf(reference, 'E')));
  });
});
