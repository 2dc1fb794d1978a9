// `.ci/run` and anyone setting up a machine: is this Node.js the version the project states
// (package.json engines, .nvmrc, README; test/scripts/nodeVersion.test.ts keeps them in agreement)?
// Older Node still runs the CLI and the tests down to 20.19, but Electron's packaging tools
// (@electron/get, @electron/rebuild) need the stated one, so this warns loudly rather than failing.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const wanted = /^>=(\d+)\.(\d+)$/.exec(pkg.engines.node);
if (!wanted) {
  console.error(`scripts/check-node.mjs: package.json engines.node is ${pkg.engines.node}, expected >=MAJOR.MINOR`);
  process.exit(2);
}
const [major, minor] = process.versions.node.split('.').map(Number);
const [needMajor, needMinor] = [Number(wanted[1]), Number(wanted[2])];
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  console.error(`kestrel: WARNING: Node.js ${process.versions.node} is older than ${needMajor}.${needMinor}, the version this project needs (package.json engines, .nvmrc); the CLI and tests run, packaging the desktop app does not`);
} else {
  console.log(`kestrel: Node.js ${process.versions.node} (needs ${needMajor}.${needMinor} or newer)`);
}
