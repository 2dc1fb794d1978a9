import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const REFERENCE = resolve(REPO_ROOT, '..', 'shared', 'reference');
export const KESTREL_BIN = join(REPO_ROOT, 'bin', 'kestrel.js');

export interface CliResult { status: number | null; stdout: string; stderr: string }

/** Runs the built `kestrel` command as a user would (npm test builds first). */
export function kestrel(args: readonly string[], options: { env?: NodeJS.ProcessEnv; wrap?: readonly string[] } = {}): CliResult {
  const argv = [...(options.wrap ?? []), process.execPath, KESTREL_BIN, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, ...options.env }, maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function kestrelAsync(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [KESTREL_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `kestrel-${prefix}-`));
}

export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export const isRoot = process.getuid?.() === 0;
