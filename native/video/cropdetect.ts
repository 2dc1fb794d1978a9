import { ffmpegPath, INPUT_FD_URL, LOCAL_ONLY, runPipeline } from './tools.js';
import type { Crop } from './vpdq.js';

/**
 * Black bars (letterbox, pillarbox) change every PDQ bit that matters: a letterboxed copy of a known
 * video lands ~100 bits away. ffmpeg's cropdetect over the keyframes finds the picture area that is
 * ever not black; when bars take at least BAR_SHARE of the width or height, the frames are hashed
 * cropped to that area as well.
 */
export const CROPDETECT = { filter: 'cropdetect', limit: 24, round: 2, frames: 'keyframes', minBarShare: 0.04 } as const;

const TIMEOUT_MS = 10 * 60 * 1000;

export async function detectBars(fd: number, width: number, height: number, signal?: AbortSignal): Promise<Crop | null> {
  const run = await runPipeline([{
    bin: ffmpegPath(),
    args: ['-nostdin', '-hide_banner', '-v', 'info', '-skip_frame', 'nokey', ...LOCAL_ONLY, '-noautorotate', '-i', INPUT_FD_URL,
      '-map', '0:v:0', '-vf', `cropdetect=limit=${CROPDETECT.limit}:round=${CROPDETECT.round}:reset=0:skip=0`, '-f', 'null', '-'],
  }], { timeoutMs: TIMEOUT_MS, inputFd: fd, signal });
  if (run.timedOut || run.runs[0]!.code !== 0) return null;
  return barsFrom(run.runs[0]!.stderr, width, height);
}

/** The crop from cropdetect's last report, when it cuts real bars. */
export function barsFrom(log: string, width: number, height: number): Crop | null {
  const all = [...log.matchAll(/crop=(\d+):(\d+):(\d+):(\d+)/g)];
  const last = all.at(-1);
  if (!last) return null;
  const [w, h, x, y] = last.slice(1, 5).map(Number) as [number, number, number, number];
  if (w < 16 || h < 16 || x + w > width || y + h > height) return null;
  const bars = w <= width * (1 - CROPDETECT.minBarShare) || h <= height * (1 - CROPDETECT.minBarShare);
  return bars ? { width: w, height: h, x, y } : null;
}
