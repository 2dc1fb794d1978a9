// Runs after `npm install` in the Kestrel folder: builds the engine (on Linux with its native
// O_NOATIME folder lister: `npm run build` starts with it, and a failed addon build prints one line
// and goes on), CLI, Electron shell and UI so that `npx kestrel` works at once, then fetches the
// Electron runtime where the machine can (a user's workstation during setup). Build and CI machines
// without internet skip that in one line.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}/tsconfig.json`) || !existsSync(`${root}/node_modules/typescript`)) process.exit(0);
execSync('npm run build', { cwd: root, stdio: 'inherit' });

const electronInstall = `${root}/node_modules/electron/install.js`;
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD || process.env.CI || !existsSync(electronInstall)) process.exit(0);
const fetched = spawnSync(process.execPath, [electronInstall], { cwd: root, encoding: 'utf8' });
if (fetched.status !== 0) {
  console.log('kestrel: Electron runtime not downloaded (no internet here?); `npm start` needs it, browser mode works now: npx kestrel serve CASE_DIR');
  process.exit(0);
}
const sqlite = spawnSync(process.execPath, [`${root}/scripts/build-electron-sqlite.mjs`], { cwd: root, stdio: 'inherit' });
if (sqlite.status !== 0) console.log('kestrel: better-sqlite3 for Electron not built; run `npm run build:electron-sqlite` before `npm start`');
