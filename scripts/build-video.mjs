// Builds native/video/build/kestrel-video, the long-lived video helper intake talks to (probe,
// black-bar detection, vPDQ frames, contact-sheet keyframes), with the system C++ compiler against
// FFmpeg's libraries (Debian: libavformat-dev libavcodec-dev libavfilter-dev libswscale-dev
// libavutil-dev). A missing compiler or header never fails the install or the build: one line says
// so, pictures and everything else keep working and each video is recorded as not analysed, saying why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = [join(root, 'native', 'video', 'videoHelper.cpp'), join(root, 'native', 'helpers', 'protocol.hpp')];
const outDir = join(root, 'native', 'video', 'build');
const out = join(outDir, process.platform === 'win32' ? 'kestrel-video.exe' : 'kestrel-video');
const skipped = 'videos are catalogued by their digests only';
const libs = ['libavformat', 'libavcodec', 'libavfilter', 'libswscale', 'libavutil'];

if (existsSync(out) && statSync(out).mtimeMs >= Math.max(...sources.map((s) => statSync(s).mtimeMs))) process.exit(0);
const flags = spawnSync('pkg-config', ['--cflags', '--libs', ...libs], { encoding: 'utf8' });
if (flags.status !== 0) {
  console.log(`kestrel: FFmpeg development files not found (install ${libs.map((l) => `${l}-dev`).join(' ')}), video helper not built; ${skipped}`);
  process.exit(0);
}
const cxx = process.env.CXX ?? 'c++';
mkdirSync(outDir, { recursive: true });
const built = spawnSync(cxx, ['-O2', '-std=c++17', '-o', out, sources[0], ...flags.stdout.trim().split(/\s+/)], { encoding: 'utf8' });
if (built.status !== 0) {
  const why = `${built.stderr ?? ''}`.split('\n').find((l) => /error/i.test(l))?.trim() ?? built.error?.message ?? `exit code ${built.status}`;
  console.log(`kestrel: video helper not built (${why}); ${skipped}`);
}
