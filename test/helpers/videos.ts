import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REFERENCE } from './cli.js';

/**
 * Public photos (ThreatExchange's PDQ test set) that test videos are made of: ones with detail, so
 * that their frames hash with good quality (the labelme q0003/q0004 pictures are nearly blank sky).
 */
export const PHOTOS = [
  'bridge-mods/aaa-orig.jpg', 'pen-and-coaster.png', 'reg-test-input/labelme-subset/q2821.jpg', 'reg-test-input/labelme-subset/q1050.jpg',
  'reg-test-input/labelme-subset/q0746.jpg', 'reg-test-input/labelme-subset/q0291.jpg', 'misc-images/wee.jpg', 'misc-images/c.png',
].map((f) => join(REFERENCE, 'pdq', f));

export interface ClipOptions {
  /** Photos shown one after the other, each slowly zoomed so that no two frames are equal. */
  photos: readonly string[];
  secondsEach: number;
  /** Frame rate as ffmpeg takes it: "25", "30000/1001". */
  fps: string;
  width: number;
  height: number;
  /** Filters applied to the finished picture (pad, crop, hue...). */
  post?: string;
  /** Extra output options (codec, metadata, GOP). */
  output?: readonly string[];
}

/** Makes a small H.264 test video with ffmpeg (a few seconds: the suite stays fast). */
export function makeClip(out: string, o: ClipOptions): string {
  const inputs = o.photos.flatMap((p) => ['-framerate', o.fps, '-loop', '1', '-t', String(o.secondsEach), '-i', p]);
  const parts = o.photos.map((_, i) =>
    `[${i}:v]scale=${o.width * 2}:${o.height * 2},setsar=1,zoompan=z='1+0.004*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=${o.width}x${o.height}:fps=${o.fps},trim=duration=${o.secondsEach},setpts=PTS-STARTPTS[v${i}]`);
  const concat = `${o.photos.map((_, i) => `[v${i}]`).join('')}concat=n=${o.photos.length}:v=1:a=0,format=yuv420p${o.post ? `,${o.post}` : ''}[out]`;
  execFileSync('ffmpeg', [
    '-nostdin', '-v', 'error', '-y', ...inputs, '-filter_complex', [...parts, concat].join(';'), '-map', '[out]',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-r', o.fps, ...(o.output ?? []), out,
  ]);
  return out;
}
