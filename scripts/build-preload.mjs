// Bundles the Electron preload into one CommonJS file: a sandboxed preload can require only
// 'electron', so the contract it imports must be inlined.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}/electron/preload/preload.ts`],
  outfile: `${root}/dist/electron/preload/preload.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  logLevel: 'warning',
});
