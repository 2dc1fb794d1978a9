import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { KESTREL_BIN, isRoot, jsonLines, kestrel, kestrelAsync, tempDir } from '../../helpers/cli.js';
import { exportPackage, makeTestCase, type TestCase } from './fixture.js';
import { useTestSigningKey } from '../../helpers/signing.js';

/**
 * An export that is killed or runs out of space must leave nothing that looks like a package, and the
 * case's audit log must not claim an export that is not there; a package under its final name is
 * whole, verifiable and recorded.
 */
useTestSigningKey();

let tc: TestCase;
let passFile: string;
/** Sizes of a whole package's parts with encrypted media, and of its zip. */
let sizes: Record<string, number>;
let zipSize: number;

const exportsRecorded = (caseDir: string) =>
  jsonLines(kestrel(['audit', 'show', caseDir]).stdout).filter((e) => e['action'] === 'export.package').map((e) => e['details'] as Record<string, unknown>);

beforeAll(() => {
  tc = makeTestCase();
  passFile = join(tempDir('crash-pass'), 'pass');
  writeFileSync(passFile, 'a passphrase long enough\n');
  const whole = exportPackage(tc.caseDir, ['--zip', '--media', 'encrypted', '--passphrase-file', passFile]);
  sizes = Object.fromEntries(readdirSync(whole.out).map((f) => [f, statSync(join(whole.out, f)).size]));
  zipSize = statSync(`${whole.out}.zip`).size;
});

const pages = (n: number) => Math.ceil(n / 4096) * 4096;

describe('export on a full disk', () => {
  // A small tmpfs in a private mount namespace is a real full disk, for this test only. Each size
  // leaves room for the parts written before one part and not for that part.
  it.runIf(isRoot)('names the file that did not fit, leaves nothing on the disk and records no export', () => {
    const before = ['audit-log.jsonl', 'findings.vics.json', 'findings.case-uco.jsonld', 'findings.csv'];
    const cases = [
      { failsAt: 'package/media.zip', room: before.reduce((s, f) => s + pages(sizes[f]!), 0) + 3 * 4096 },
      { failsAt: 'package.zip', room: Object.values(sizes).reduce((s, n) => s + pages(n), 0) + 3 * 4096 },
    ];
    expect(zipSize).toBeGreaterThan(4 * 4096);
    for (const { failsAt, room } of cases) {
      const recorded = exportsRecorded(tc.caseDir).length;
      const mnt = tempDir('crash-mnt');
      const out = tempDir('crash-out');
      const script = `
        mount -t tmpfs -o size=${room} tmpfs "$1" || exit 99
        "$3" "$4" export "$5" "$1/package" --zip --media encrypted --passphrase-file "$6" 2> "$2/err"; echo $? > "$2/rc"
        ls -A "$1" > "$2/left"`;
      execFileSync('unshare', ['-m', 'sh', '-c', script, 'sh', mnt, out, process.execPath, KESTREL_BIN, tc.caseDir, passFile]);
      const read = (f: string) => readFileSync(join(out, f), 'utf8').trim();
      expect(read('rc'), failsAt).toBe('1');
      const err = read('err');
      expect(err.split('\n'), err).toHaveLength(1);
      expect(err).toBe(`kestrel: ${mnt}/${failsAt}: cannot write: no space left on the device (ENOSPC); nothing was exported (the partial package was removed)`);
      expect(read('left'), failsAt).toBe('');
      expect(exportsRecorded(tc.caseDir), failsAt).toHaveLength(recorded);
    }
    expect(kestrel(['audit', 'verify', tc.caseDir]).status).toBe(0);
  }, 600_000);

  // Where nothing can be mounted, a file size limit (RLIMIT_FSIZE) fails the write the same way.
  it('under a file size limit: names the file, leaves nothing, records nothing, and the next export succeeds', () => {
    const recorded = exportsRecorded(tc.caseDir).length;
    const dir = tempDir('crash-fsize');
    const out = join(dir, 'package');
    // Larger than the case catalogue (which the export also writes to), smaller than the media zip.
    const limit = Math.round((statSync(join(tc.caseDir, 'catalogue.sqlite')).size + sizes['media.zip']!) / 2);
    expect(limit).toBeGreaterThan(statSync(join(tc.caseDir, 'catalogue.sqlite')).size + 64 * 1024);
    const r = kestrel(['export', tc.caseDir, out, '--zip', '--media', 'encrypted', '--passphrase-file', passFile], { wrap: ['prlimit', `--fsize=${limit}`] });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`kestrel: ${out}/media.zip: cannot write: file too large for this file system or the file size limit (EFBIG); nothing was exported (the partial package was removed)\n`);
    expect(readdirSync(dir)).toEqual([]);
    expect(exportsRecorded(tc.caseDir)).toHaveLength(recorded);

    const again = kestrel(['export', tc.caseDir, out, '--zip', '--media', 'encrypted', '--passphrase-file', passFile, '--json']);
    expect(again.status, again.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['package', 'package.zip']);
  }, 600_000);
});

describe('export killed at any moment', () => {
  it('leaves no package under its final name unless it is whole and recorded; the next run removes the partial files and exports', async () => {
    const outcomes: string[] = [];
    // Killed some time after the package's folder appears, while its parts are being written.
    for (const delayMs of [0, 30, 150, 600]) {
      const dir = tempDir('crash-kill');
      const out = join(dir, 'package');
      const child = kestrelAsync(['export', tc.caseDir, out, '--zip', '--media', 'encrypted', '--passphrase-file', passFile]);
      let running = true;
      const exited = new Promise<void>((done) => child.once('exit', () => { running = false; done(); }));
      while (running && readdirSync(dir).length === 0) await new Promise((wait) => setTimeout(wait, 2));
      await new Promise((wait) => setTimeout(wait, delayMs));
      child.kill('SIGKILL');
      await exited;

      const left = readdirSync(dir).sort();
      const partials = left.filter((n) => /\.partial-\d+$/.test(n));
      const published = left.filter((n) => !partials.includes(n));
      outcomes.push(published.length ? 'published' : partials.length ? 'partial' : 'nothing');
      if (existsSync(out)) {
        // Whole: it verifies, and the audit log names its manifest.
        const v = kestrel(['verify', out]);
        expect(v.status, v.stdout + v.stderr).toBe(0);
        const manifestSha256 = createHash('sha256').update(readFileSync(join(out, 'manifest.json'))).digest('hex');
        expect(exportsRecorded(tc.caseDir).map((d) => d['manifestSha256'])).toContain(manifestSha256);
        expect(published).toEqual(['package', 'package.zip']);
        continue;
      }
      expect(published, `killed ${delayMs} ms in`).toEqual([]);
      const again = kestrel(['export', tc.caseDir, out, '--zip', '--media', 'encrypted', '--passphrase-file', passFile]);
      expect(again.status, again.stderr).toBe(0);
      for (const p of partials) expect(again.stderr).toContain(`kestrel: removed ${join(dir, p)}, left by an export that was interrupted`);
      expect(readdirSync(dir).sort()).toEqual(['package', 'package.zip']);
      expect(kestrel(['verify', out]).status).toBe(0);
    }
    // The kills landed while the package was being written, not only before or after.
    expect(outcomes).toContain('partial');
    expect(kestrel(['audit', 'verify', tc.caseDir]).status).toBe(0);
  }, 600_000);
});
