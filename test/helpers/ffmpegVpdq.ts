import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';

/**
 * The ffmpeg command-line pipeline Kestrel's vPDQ frames were first made with, and checked bit for
 * bit against vpdq-hash-video on the ThreatExchange sample videos: the oracle the video helper must
 * reproduce. Stage 1 decodes the first video stream with every CPU feature, no autorotation, frames
 * as decoded, keeps frame n when n mod modulus == 0 and writes them losslessly as NUT rawvideo;
 * stage 2 converts them with swscale's SWS_AREA to RGB24, with -cpuflags 0 when the width is a
 * multiple of 16 (and the crop first for the cropped variant).
 */
export function ffmpegVpdqPixels(file: string, o: { modulus: number; width: number; crop?: [number, number, number, number] }): { full: Buffer; cut: Buffer | null } {
  const dir = tempDir('ffmpeg-vpdq');
  const nut = join(dir, 'frames.nut');
  const quiet = ['-nostdin', '-hide_banner', '-v', 'error'];
  const select = o.modulus === 1 ? [] : ['-vf', `select='not(mod(n\\,${o.modulus}))'`];
  execFileSync('ffmpeg', [...quiet, '-threads', '0', '-noautorotate', '-i', file, '-map', '0:v:0', ...select,
    '-fps_mode', 'passthrough', '-c:v', 'rawvideo', '-f', 'nut', nut]);
  const toRgb = 'scale=flags=area,format=rgb24';
  const graph = o.crop
    ? `[0:v:0]split[a][b];[a]${toRgb}[full];[b]crop=${o.crop.join(':')},${toRgb}[cut]`
    : `[0:v:0]${toRgb}[full]`;
  const raw = ['-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24'];
  execFileSync('ffmpeg', [...quiet, ...(o.width % 16 === 0 ? ['-cpuflags', '0'] : []), '-f', 'nut', '-i', nut,
    '-filter_complex', graph, '-map', '[full]', ...raw, join(dir, 'full.rgb'), ...(o.crop ? ['-map', '[cut]', ...raw, join(dir, 'cut.rgb')] : [])]);
  return { full: readFileSync(join(dir, 'full.rgb')), cut: o.crop ? readFileSync(join(dir, 'cut.rgb')) : null };
}

/** ffprobe's JSON for a file, as Kestrel used to read it. */
export function ffprobeJson(file: string): unknown {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', '-i', file], { encoding: 'utf8' }));
}

/** ffmpeg's cropdetect over the keyframes: its last report [w, h, x, y] (it logs to stderr). */
export function ffmpegCropdetect(file: string): number[] | null {
  const run = spawnSync('ffmpeg', ['-nostdin', '-hide_banner', '-v', 'info', '-skip_frame', 'nokey', '-noautorotate', '-i', file,
    '-map', '0:v:0', '-vf', 'cropdetect=limit=24:round=2:reset=0:skip=0', '-f', 'null', '-'], { encoding: 'utf8' });
  const last = [...run.stderr.matchAll(/crop=(\d+):(\d+):(\d+):(\d+)/g)].at(-1);
  return last ? last.slice(1, 5).map(Number) : null;
}
