import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const script = join(root, 'scripts', 'system-deps.sh');
const emptyPath = mkdtempSync(join(tmpdir(), 'kestrel-deps-'));
afterAll(() => rmSync(emptyPath, { recursive: true, force: true }));

function listed(): Array<{ pkg: string; check: string }> {
  const text = readFileSync(script, 'utf8');
  const block = /PACKAGES='\n([\s\S]*?)\n'/.exec(text)?.[1] ?? '';
  return block.split('\n').map((line) => line.trim().split(/\s+/)).filter((w) => w[0]).map(([pkg, check]) => ({ pkg: pkg!, check: check! }));
}
const listedPackages = () => listed().map((p) => p.pkg);

describe('scripts/system-deps.sh: the one list of Debian packages', () => {
  it('lists the tools the tests drive', () => {
    expect(listedPackages()).toEqual(expect.arrayContaining(['chromium', 'p7zip-full', 'poppler-utils', 'tmux', 'hashdeep']));
  });

  it('on a machine without them, names every missing package in one apt-get line and fails', () => {
    // A PATH holding nothing but bash: every `cmd:` check fails as on a fresh machine.
    symlinkSync('/bin/bash', join(emptyPath, 'bash'));
    const r = spawnSync(join(emptyPath, 'bash'), [script, '--check'], { encoding: 'utf8', env: { PATH: emptyPath } });
    expect(r.status).toBe(1);
    const line = r.stderr.split('\n').find((l) => l.includes('apt-get install'));
    // Header-file checks do not depend on PATH, so on this machine they stay satisfied.
    const missing = listed().filter((p) => p.check.startsWith('cmd:') || !existsSync(p.check.slice('file:'.length))).map((p) => p.pkg);
    expect(missing.length).toBeGreaterThan(5);
    expect(line?.trim()).toBe(`sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  });

  it('succeeds silently where everything is installed (this machine, as CI leaves it)', () => {
    const r = spawnSync('bash', [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('`npm test` runs it first and .ci/run runs exactly the README test command after it', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['pretest']).toBe('bash scripts/system-deps.sh');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const readmeTest = /^(npm test)\s+#/m.exec(readme)?.[1];
    expect(readmeTest).toBe('npm test');
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    expect(ci.at(-1)).toBe(readmeTest);
    expect(ci).toContain('bash scripts/system-deps.sh');
    expect(ci.some((l) => /apt-get|missing\+=/.test(l))).toBe(false);
  });
});
