// Builds better-sqlite3 for the installed Electron's ABI into native-electron/, which
// native/catalog/sqlite.ts loads (nativeBinding) when it runs under Electron. It works on a copy of
// the package, so the Node build in node_modules that the CLI and the tests use is never touched
// (electron-rebuild may delete it, or report success for the wrong ABI). Needs internet: it fetches
// the Electron headers (or a prebuilt binary). Afterwards it loads the result in Electron to prove
// the ABI is right.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const electronPkg = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8'));
const target = electronPkg.version;
const work = mkdtempSync(join(tmpdir(), 'kestrel-sqlite-electron-'));
const copy = join(work, 'better-sqlite3');
cpSync(join(root, 'node_modules', 'better-sqlite3'), copy, { recursive: true, filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`) });

const run = (cmd, args) => execFileSync(cmd, args, { cwd: copy, stdio: 'inherit', env: { ...process.env } });
try {
  try {
    run(join(root, 'node_modules', '.bin', 'prebuild-install'), ['--runtime', 'electron', '--target', target, '--arch', process.arch]);
  } catch {
    console.log(`no prebuilt better-sqlite3 for Electron ${target}; compiling`);
    run(join(root, 'node_modules', '.bin', 'node-gyp'), ['rebuild', '--release', `--target=${target}`, '--dist-url=https://electronjs.org/headers', `--arch=${process.arch}`]);
  }
  const built = join(copy, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(built)) throw new Error(`${built}: not produced`);
  mkdirSync(join(root, 'native-electron'), { recursive: true });
  copyFileSync(built, join(root, 'native-electron', 'better_sqlite3.node'));
  console.log(`native-electron/better_sqlite3.node built for Electron ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
if (existsSync(pathFile)) {
  const binary = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  const probe = `const D=require(${JSON.stringify(join(root, 'node_modules', 'better-sqlite3'))});new D(':memory:',{nativeBinding:${JSON.stringify(join(root, 'native-electron', 'better_sqlite3.node'))}}).prepare('select 1').get();console.log('loads in Electron ${target}')`;
  execFileSync(binary, ['-e', probe], { stdio: 'inherit', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
}
