import { describe, expect, it } from 'vitest';
import { chmodSync, lstatSync, lutimesSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { isRoot, tempDir } from '../../helpers/cli.js';
import { LISTING_METHOD, listFolder } from '../../../native/fsnoatime/listFolder.js';

const ADDON = join(import.meta.dirname, '../../../native/fsnoatime/build/Release/fsnoatime.node');

/** A folder a day "unread": relatime then moves its access time on the next plain listing. */
function age(path: string): bigint {
  const st = lstatSync(path);
  lutimesSync(path, new Date(st.mtimeMs - 86_400_000), st.mtime);
  return lstatSync(path, { bigint: true }).atimeNs;
}

function thrown(fn: () => unknown): NodeJS.ErrnoException {
  try {
    fn();
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('expected an error');
}

describe.runIf(process.platform === 'linux')('listFolder (native O_NOATIME listing)', () => {
  it('is the native addon, built by npm run build', () => {
    expect(LISTING_METHOD).toMatch(/^O_RDONLY\|O_DIRECTORY\|O_NOFOLLOW\|O_NOATIME where permitted \(native\)/);
  });

  it('returns every name as the bytes on disk, invalid UTF-8 included, without . and ..', () => {
    const dir = tempDir('fsnoatime-names');
    const odd = [Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from([0xff, 0xfe, 0x2e, 0x6a, 0x70, 0x67]), Buffer.from('naïve ✓')];
    for (const name of odd) writeFileSync(Buffer.concat([Buffer.from(dir + '/'), name]), 'x');
    mkdirSync(join(dir, 'sub'));
    symlinkSync('/etc/passwd', join(dir, 'link'));
    const { names } = listFolder(Buffer.from(dir));
    const expected = readdirSync(dir, { encoding: 'buffer' });
    expect(names.every((n) => Buffer.isBuffer(n))).toBe(true);
    expect(names.map((n) => n.toString('hex')).sort()).toEqual(expected.map((n) => n.toString('hex')).sort());
    expect(names.map((n) => n.toString('hex'))).toEqual(expect.arrayContaining(odd.map((n) => n.toString('hex'))));
    expect(names).toHaveLength(odd.length + 2);
    expect(listFolder(Buffer.from(join(dir, 'sub'))).names).toEqual([]);
  });

  it('opens the folder with O_NOATIME as its owner or root, so listing leaves its access time alone', () => {
    const dir = tempDir('fsnoatime-atime');
    writeFileSync(join(dir, 'a'), 'a');
    const aged = age(dir);
    expect(listFolder(Buffer.from(dir))).toMatchObject({ noAtime: true, names: [Buffer.from('a')] });
    expect(lstatSync(dir, { bigint: true }).atimeNs).toBe(aged);
    // Control: a plain readdir of the same aged folder does move it on this mount.
    readdirSync(dir);
    if (lstatSync(dir, { bigint: true }).atimeNs === aged) {
      console.warn('this mount does not update access times on listing; the check above could not fail here');
    }
  });

  it('throws errors shaped like Node fs errors, with code, errno, syscall and path', () => {
    const dir = tempDir('fsnoatime-errors');
    writeFileSync(join(dir, 'file'), 'x');
    mkdirSync(join(dir, 'target'));
    symlinkSync('target', join(dir, 'link'));
    const missing = thrown(() => listFolder(Buffer.from(join(dir, 'missing'))));
    expect(missing).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open', path: join(dir, 'missing') });
    expect(missing.message).toBe(`ENOENT: no such file or directory, open '${join(dir, 'missing')}'`);
    expect(thrown(() => listFolder(Buffer.from(join(dir, 'file'))))).toMatchObject({ code: 'ENOTDIR', syscall: 'open' });
    // A link to a folder is not followed (O_NOFOLLOW): the walk must never leave the source.
    expect(thrown(() => listFolder(Buffer.from(join(dir, 'link'))))).toMatchObject({ code: 'ENOTDIR', syscall: 'open' });
    expect(thrown(() => listFolder(Buffer.from('a\0b')))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  });

  // As another user, O_NOATIME on root's folder is refused (EPERM): the folder is listed without it
  // and the caller is told; a folder that user may not read at all gives EACCES as readdir would.
  it.runIf(isRoot)('falls back to a plain open where the kernel refuses O_NOATIME, and reports it', () => {
    const dir = tempDir('fsnoatime-other-user');
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'readable'), { mode: 0o755 });
    writeFileSync(join(dir, 'readable', 'inside'), 'x');
    mkdirSync(join(dir, 'private'), { mode: 0o700 });
    const script = `
      const { readdirNoAtime } = require(process.argv[1]);
      const out = { listing: readdirNoAtime(Buffer.from(process.argv[2])) };
      try { readdirNoAtime(Buffer.from(process.argv[3])); } catch (e) { out.error = { code: e.code, syscall: e.syscall }; }
      out.listing.names = out.listing.names.map(String);
      console.log(JSON.stringify(out));`;
    const out = execFileSync('setpriv', [
      '--reuid=65534', '--regid=65534', '--clear-groups',
      process.execPath, '-e', script, ADDON, join(dir, 'readable'), join(dir, 'private'),
    ], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({
      listing: { names: ['inside'], noAtime: false },
      error: { code: 'EACCES', syscall: 'open' },
    });
  });
});
