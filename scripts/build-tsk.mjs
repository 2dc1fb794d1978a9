// Builds native/tsk/build/kestrel-tsk, the long-lived Sleuth Kit helper that disk-image intake
// talks to, with the system C++ compiler against libtsk (Debian: libtsk-dev; libewf-dev for E01
// comes with it). A missing compiler or header never fails the install or the build: one line says
// so, folder intake keeps working and image intake reports that the helper is not built.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'native', 'tsk', 'tskHelper.cpp');
const outDir = join(root, 'native', 'tsk', 'build');
const out = join(outDir, process.platform === 'win32' ? 'kestrel-tsk.exe' : 'kestrel-tsk');
const skipped = 'disk images cannot be taken in (folders can)';

const protocol = join(root, 'native', 'helpers', 'protocol.hpp');
if (existsSync(out) && statSync(out).mtimeMs >= Math.max(statSync(source).mtimeMs, statSync(protocol).mtimeMs)) process.exit(0);
const header = ['/usr/include/tsk/libtsk.h', '/usr/local/include/tsk/libtsk.h'].find((h) => existsSync(h));
if (!header && process.platform !== 'win32') {
  console.log(`kestrel: libtsk headers not found (install libtsk-dev), Sleuth Kit helper not built; ${skipped}`);
  process.exit(0);
}
const cxx = process.env.CXX ?? 'c++';
mkdirSync(outDir, { recursive: true });
const built = spawnSync(cxx, ['-O2', '-std=c++17', '-o', out, source, '-ltsk'], { encoding: 'utf8' });
if (built.status !== 0) {
  const why = `${built.stderr ?? ''}`.split('\n').find((l) => /error/i.test(l))?.trim() ?? built.error?.message ?? `exit code ${built.status}`;
  console.log(`kestrel: Sleuth Kit helper not built (${why}); ${skipped}`);
}
