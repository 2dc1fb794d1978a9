import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where a worker's code lives and how to start it. Built code runs the .js beside the caller; under
 * the test runner the caller is a .ts source, so the worker's .ts source runs through tsx.
 */
export function workerEntry(name: string, callerUrl: string): { url: URL; execArgv: string[] } {
  const js = new URL(`./${name}.js`, callerUrl);
  if (existsSync(fileURLToPath(js))) return { url: js, execArgv: [] };
  return { url: new URL(`./${name}.ts`, callerUrl), execArgv: ['--import', 'tsx'] };
}
