// Builds native/fsnoatime (folder listing with O_NOATIME) with node-gyp, against the headers of the
// Node running this script so that no download is needed. N-API: the same build loads in Electron.
// Linux only. A failed build never fails the install or the build: the intake then lists folders with
// readdir and its audit log says so. One line tells the user what happened.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const addonDir = join(root, 'native', 'fsnoatime');
const nodeGyp = join(root, 'node_modules', '.bin', 'node-gyp');
const fallback = 'folders will be listed with readdir, which can move their access times on a writable mount';

if (process.platform !== 'linux') process.exit(0);
if (!existsSync(nodeGyp)) {
  console.log(`kestrel: node-gyp not installed, O_NOATIME folder listing not built; ${fallback}`);
  process.exit(0);
}
const prefix = dirname(dirname(process.execPath));
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const built = spawnSync(nodeGyp, ['rebuild', '--loglevel=error', ...nodedir], { cwd: addonDir, encoding: 'utf8' });
if (built.status !== 0) {
  const why = `${built.stderr ?? ''}\n${built.stdout ?? ''}`.split('\n').find((l) => /error/i.test(l))?.trim()
    ?? (built.error?.message ?? `exit code ${built.status}`);
  console.log(`kestrel: O_NOATIME folder listing not built (${why}); ${fallback}`);
}
