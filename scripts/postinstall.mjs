// Runs after `npm install` in the Kestrel folder: builds the engine, CLI, Electron shell and UI so
// that `npx kestrel` works at once. Skipped when Kestrel is installed as someone else's dependency.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}/tsconfig.json`) || !existsSync(`${root}/node_modules/typescript`)) process.exit(0);
execSync('npm run build', { cwd: root, stdio: 'inherit' });
