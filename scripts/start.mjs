// `npm start`: opens the Electron app where the Electron runtime is installed. Build machines
// install the electron package without its binary (ELECTRON_SKIP_BINARY_DOWNLOAD=1); there we say
// so in one line and name browser mode. Requiring the electron package would try to download it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = join(root, 'node_modules', 'electron');
const pathFile = join(pkg, 'path.txt');
const binary = existsSync(pathFile) ? join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;

if (!binary || !existsSync(binary)) {
  console.log('The Electron runtime is not installed here; use browser mode instead: npx kestrel serve CASE_DIR');
  process.exit(1);
}
const child = spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
