import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker `name` that lives beside the calling module. Built code starts the compiled
 * .js. From sources (tests, benches under tsx) the worker registers tsx itself first: Node 20 does
 * not apply `--import tsx` from a worker's execArgv to the worker's own entry file.
 */
export function startWorker(name: string, callerUrl: string): Worker {
  const js = new URL(`./${name}.js`, callerUrl);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  const ts = new URL(`./${name}.ts`, callerUrl).href;
  const api = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); })`, { eval: true });
}
