import { describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { REFERENCE, isRoot, jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { ageAccessTimes, listAll, makeSource, pseudoRandom, snapshot } from '../../helpers/sources.js';
import { catalogueOf, queryCase } from '../../helpers/catalogue.js';

function newCase(): string {
  const dir = join(tempDir('case'), 'case');
  const r = kestrel(['init', dir, '--case-number', 'T-1', '--examiner', 'Test Examiner']);
  expect(r.status, r.stderr).toBe(0);
  return dir;
}

/** Access times of the given entries, taken with lstat alone (which changes none). */
function accessTimes(root: string, paths: readonly string[]): Record<string, string> {
  return Object.fromEntries(paths.map((p) => [p, lstatSync(join(root, p), { bigint: true }).atimeNs.toString()]));
}

function mixedSource(): string {
  const src = tempDir('src');
  makeSource(src, { files: 60, folders: 4, maxSize: 70_000 });
  copyFileSync(join(REFERENCE, 'blockhash', 'clipper_ship.jpg'), join(src, 'clipper_ship.jpg'));
  copyFileSync(join(REFERENCE, 'pdq', 'misc-images', 'c.png'), join(src, 'dir0', 'notes.txt'));
  writeFileSync(join(src, 'empty.dat'), '');
  mkdirSync(join(src, 'empty-folder'));
  symlinkSync('/etc/passwd', join(src, 'outside-link'));
  execFileSync('mkfifo', [join(src, 'pipe')]);
  return src;
}

describe('kestrel intake', () => {
  it('records every entry with digests that match the bytes, and flags a type hidden behind another extension', () => {
    const src = mixedSource();
    const c = newCase();
    const r = kestrel(['intake', c, src, '--exhibit', 'EX-1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const summary = jsonLines(r.stdout).at(-1)!['summary'] as Record<string, number>;
    const rows = catalogueOf(c, 'EX-1');
    const expected = Object.keys(snapshot(src));
    expect(rows.map((x) => x.path_text).sort()).toEqual(expected.sort());
    expect(summary['entries']).toBe(expected.length);
    for (const row of rows.filter((x) => x.entry_type === 'file')) {
      const bytes = readFileSync(join(src, row.path_text));
      expect(row.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(row.sha1).toBe(createHash('sha1').update(bytes).digest('hex'));
      expect(row.md5).toBe(createHash('md5').update(bytes).digest('hex'));
      expect(row.size).toBe(bytes.length);
    }
    const byPath = new Map(rows.map((x) => [x.path_text, x]));
    expect(byPath.get('clipper_ship.jpg')).toMatchObject({ detected_type: 'image/jpeg', type_mismatch: 0 });
    expect(byPath.get('dir0/notes.txt')).toMatchObject({ detected_type: 'image/png', type_mismatch: 1 });
    expect(byPath.get('empty.dat')).toMatchObject({ size: 0, read_state: 'done', detected_type: 'application/x-empty' });
    expect(byPath.get('empty-folder')).toMatchObject({ entry_type: 'directory' });
    expect(byPath.get('outside-link')).toMatchObject({ entry_type: 'symlink', link_target_text: '/etc/passwd', sha256: null });
    expect(byPath.get('pipe')).toMatchObject({ entry_type: 'fifo', read_state: 'done', sha256: null });
    const mtime = statSync(join(src, 'clipper_ship.jpg'), { bigint: true }).mtimeNs;
    expect(byPath.get('clipper_ship.jpg')!.mtime).toMatch(new RegExp(`\\.${(mtime % 1_000_000_000n).toString().padStart(9, '0')}Z$`));
  });

  it('writes nothing to the source: contents, mtimes and access times (files\' and folders\') are unchanged', () => {
    const src = mixedSource();
    // The source folder itself ('') is listed by the intake too.
    const paths = ['', ...listAll(src)];
    ageAccessTimes(src, paths);
    const before = snapshot(src, paths);
    const c = newCase();
    expect(kestrel(['intake', c, src, '--exhibit', 'EX-RO']).status).toBe(0);
    expect(snapshot(src, paths)).toEqual(before);
    const start = queryCase<{ details: string }>(c, "SELECT details FROM audit_log WHERE action = 'intake.start'")[0]!;
    expect(JSON.parse(start.details)).toMatchObject({ listing: expect.stringMatching(/^O_RDONLY\|O_DIRECTORY\|O_NOFOLLOW\|O_NOATIME where permitted \(native\)/) });
    // Controls: on this mount a plain read moves a file's access time and a plain readdir a folder's,
    // so the checks above had teeth.
    const probe = join(src, 'clipper_ship.jpg');
    const atimeBefore = lstatSync(probe, { bigint: true }).atimeNs;
    readFileSync(probe);
    if (lstatSync(probe, { bigint: true }).atimeNs === atimeBefore) {
      console.warn('this mount does not update access times on read; the file atime check could not fail here');
    }
    const folder = join(src, 'dir1');
    const folderAtime = lstatSync(folder, { bigint: true }).atimeNs;
    readdirSync(folder);
    if (lstatSync(folder, { bigint: true }).atimeNs === folderAtime) {
      console.warn('this mount does not update access times on listing; the folder atime check could not fail here');
    }
  });

  it('takes in a source mounted read-only', () => {
    const src = mixedSource();
    const paths = listAll(src);
    ageAccessTimes(src, paths);
    const timesBefore = accessTimes(src, paths);
    const before = snapshot(src, paths);
    const c = newCase();
    let r;
    if (isRoot) {
      const ro = tempDir('ro-mount');
      const script = `mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && ! touch "$2/probe" 2>/dev/null && exec "$3" "$4" intake "$5" "$2" --exhibit EX-MOUNT`;
      const out = execFileSync('unshare', ['-m', 'sh', '-c', script, 'sh', src, ro, process.execPath, join(import.meta.dirname, '../../../bin/kestrel.js'), c], { encoding: 'utf8' });
      r = { status: 0, stdout: out };
    } else {
      execFileSync('chmod', ['-R', 'a-w', src]);
      r = kestrel(['intake', c, src, '--exhibit', 'EX-MOUNT']);
      execFileSync('chmod', ['-R', 'u+w', src]);
    }
    expect(r.status).toBe(0);
    const rows = catalogueOf(c, 'EX-MOUNT');
    expect(rows.filter((x) => x.read_state === 'error')).toEqual([]);
    expect(rows.length).toBe(Object.keys(before).length);
    if (!isRoot) return;
    // On a read-only mount the kernel moves no access time at all, folders and links included.
    expect(accessTimes(src, paths)).toEqual(timesBefore);
    expect(snapshot(src, paths)).toEqual(before);
  });

  it('keeps names that are not valid UTF-8 as the bytes on disk, with a lossless text form', () => {
    const src = tempDir('names');
    const name = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('-'), Buffer.from([0xff, 0xfe]), Buffer.from('.jpg')]);
    const data = pseudoRandom('latin1', 5000);
    writeFileSync(Buffer.concat([Buffer.from(src + '/'), name]), data);
    writeFileSync(join(src, 'naïve ✓.txt'), 'utf-8 name');
    const c = newCase();
    expect(kestrel(['intake', c, src, '--exhibit', 'EX-NAMES']).status).toBe(0);
    const rows = catalogueOf(c, 'EX-NAMES');
    const odd = rows.find((x) => Buffer.compare(x.path, name) === 0);
    expect(odd).toBeDefined();
    expect(odd!.path_text).toBe('caf\\xe9-\\xff\\xfe.jpg');
    expect(odd!.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(rows.find((x) => x.path_text === 'naïve ✓.txt')?.path.toString('utf8')).toBe('naïve ✓.txt');
  });

  it('records an unreadable file with the OS error and goes on', () => {
    const src = tempDir('unreadable');
    writeFileSync(join(src, 'secret.bin'), pseudoRandom('secret', 1000));
    writeFileSync(join(src, 'fine.bin'), pseudoRandom('fine', 1000));
    mkdirSync(join(src, 'locked'));
    writeFileSync(join(src, 'locked', 'inside.bin'), 'x');
    chmodSync(join(src, 'secret.bin'), 0o000);
    chmodSync(join(src, 'locked'), 0o000);
    const c = newCase();
    let r;
    if (isRoot) {
      // root reads anything; an unprivileged user meets the permission error an examiner would.
      execFileSync('chmod', ['-R', 'a+rwX', join(c, '..')]);
      execFileSync('chmod', ['a+rx', src]);
      r = kestrel(['intake', c, src, '--exhibit', 'EX-ERR', '--json'], { wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] });
    } else {
      r = kestrel(['intake', c, src, '--exhibit', 'EX-ERR', '--json']);
    }
    expect(r.status, r.stderr).toBe(0);
    const rows = catalogueOf(c, 'EX-ERR');
    const secret = rows.find((x) => x.path_text === 'secret.bin')!;
    expect(secret).toMatchObject({ read_state: 'error', error_code: 'EACCES', sha256: null });
    expect(rows.find((x) => x.path_text === 'locked')).toMatchObject({ read_state: 'error', error_code: 'EACCES' });
    expect(rows.find((x) => x.path_text === 'fine.bin')).toMatchObject({ read_state: 'done' });
    expect((jsonLines(r.stdout).at(-1)!['summary'] as Record<string, number>)['errors']).toBe(2);
    const audited = queryCase<{ details: string }>(c, "SELECT details FROM audit_log WHERE action = 'intake.error'");
    expect(audited.map((a) => JSON.parse(a.details).path).sort()).toEqual(['locked', 'secret.bin']);
    chmodSync(join(src, 'locked'), 0o755);
  });

  it('refuses bad input with one line naming the path, and leaves the catalogue as it was', () => {
    const c = newCase();
    const missing = kestrel(['intake', c, '/nonexistent/source', '--exhibit', 'X']);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual(['kestrel: /nonexistent/source: no such file or folder']);
    const notCase = kestrel(['intake', tempDir('not-a-case'), mixedSource(), '--exhibit', 'X']);
    expect(notCase.status).toBe(1);
    expect(notCase.stderr).toMatch(/^kestrel: .*not-a-case.*: not a Kestrel case/);
    expect(queryCase(c, 'SELECT * FROM exhibit')).toEqual([]);
    expect(kestrel(['audit', 'verify', c]).status).toBe(0);
  });

  it('re-running a complete intake adds nothing', () => {
    const src = mixedSource();
    const c = newCase();
    expect(kestrel(['intake', c, src, '--exhibit', 'EX-2']).status).toBe(0);
    const first = catalogueOf(c, 'EX-2');
    const again = kestrel(['intake', c, src, '--exhibit', 'EX-2', '--json']);
    expect(again.status).toBe(0);
    expect(catalogueOf(c, 'EX-2')).toEqual(first);
    const other = kestrel(['intake', c, tempDir('elsewhere'), '--exhibit', 'EX-2']);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/exhibit EX-2 was taken in from/);
  });
});
