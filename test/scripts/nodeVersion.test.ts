import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One Node.js version, stated alike in package.json engines, .nvmrc, the README and .ci/run's check,
 * and it is the one every installed package accepts (Electron's packaging tools want 22.12).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const semver = require('semver') as {
  minVersion(range: string): { version: string; major: number; minor: number } | null;
  satisfies(version: string, range: string): boolean;
  gt(a: string, b: string): boolean;
  valid(v: string): string | null;
};

/** Every installed package's engines.node range, nested node_modules included. */
function installedEngines(): Array<{ name: string; range: string }> {
  const found: Array<{ name: string; range: string }> = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      if (name.startsWith('@')) {
        visit(path);
        continue;
      }
      const manifest = join(path, 'package.json');
      if (existsSync(manifest)) {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; engines?: { node?: unknown } };
        if (typeof pkg.engines?.node === 'string' && semver.minVersion(pkg.engines.node)) found.push({ name: pkg.name ?? name, range: pkg.engines.node });
      }
      if (existsSync(join(path, 'node_modules'))) visit(join(path, 'node_modules'));
    }
  };
  visit(join(ROOT, 'node_modules'));
  return found;
}

describe('the Node.js version', () => {
  const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  const stated = semver.minVersion(engines)!;

  it('is the lowest that every installed package accepts', () => {
    const ranges = installedEngines();
    expect(ranges.length).toBeGreaterThan(100);
    const refused = ranges.filter((r) => !semver.satisfies(stated.version, r.range));
    expect(refused).toEqual([]);
    const highestMinimum = ranges.map((r) => semver.minVersion(r.range)!.version).reduce((a, b) => (semver.gt(a, b) ? a : b));
    expect(stated.version).toBe(highestMinimum);
    expect(engines).toBe(`>=${stated.major}.${stated.minor}`);
  });

  it('is the same in .nvmrc, the README and the check .ci/run makes before installing', () => {
    expect(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim()).toBe(String(stated.major));
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const mentions = [...readme.matchAll(/Node\.js (\d+\.\d+)(?: or newer|\+)/g)].map((m) => m[1]);
    expect(mentions.length).toBeGreaterThan(0);
    expect(new Set(mentions)).toEqual(new Set([`${stated.major}.${stated.minor}`]));
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(ci.indexOf('node scripts/check-node.mjs')).toBeGreaterThan(-1);
    expect(ci.indexOf('node scripts/check-node.mjs')).toBeLessThan(ci.findIndex((l) => l.startsWith('npm ci')));
    const check = spawnSync(process.execPath, [join(ROOT, 'scripts', 'check-node.mjs')], { encoding: 'utf8' });
    expect(check.status).toBe(0);
    const older = !semver.satisfies(process.versions.node, engines);
    expect(older ? check.stderr : check.stdout).toContain(`${stated.major}.${stated.minor}`);
    expect(older ? check.stderr : check.stdout).toMatch(older ? /WARNING: Node\.js [\d.]+ is older than/ : /^kestrel: Node\.js [\d.]+ \(needs/);
  });

  it('system-deps.sh --list names every Debian package to carry to an air-gapped machine', () => {
    const listed = execFileSync('bash', [join(ROOT, 'scripts', 'system-deps.sh'), '--list'], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toContain('chromium');
    expect(listed).toContain('poppler-utils');
    for (const name of listed) expect(name).toMatch(/^[a-z0-9][a-z0-9.+-]+$/);
    expect(new Set(listed).size).toBe(listed.length);
  });
});
