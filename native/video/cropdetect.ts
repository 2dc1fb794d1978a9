import { VideoHelperError, type EvidenceFile, type VideoHelper } from './videoHelper.js';
import type { Crop } from './vpdq.js';

/**
 * Black bars (letterbox, pillarbox) change every PDQ bit that matters: a letterboxed copy of a known
 * video lands ~100 bits away. FFmpeg's cropdetect over the keyframes (in the video helper) finds the picture area that is
 * ever not black; when bars take at least BAR_SHARE of the width or height, the frames are hashed
 * cropped to that area as well.
 */
export const CROPDETECT = { filter: 'cropdetect', limit: 24, round: 2, frames: 'keyframes', minBarShare: 0.04 } as const;

export async function detectBars(helper: VideoHelper, file: EvidenceFile, width: number, height: number, signal?: AbortSignal): Promise<Crop | null> {
  try {
    const report = await helper.cropdetect(file, signal);
    return report ? barsOf(report, width, height) : null;
  } catch (err) {
    // Bars are an extra: a video whose keyframes cannot be read is still hashed whole.
    if (err instanceof VideoHelperError) return null;
    throw err;
  }
}

/** cropdetect's last report [width, height, x, y], when it cuts real bars. */
export function barsOf([w, h, x, y]: readonly [number, number, number, number], width: number, height: number): Crop | null {
  if (w < 16 || h < 16 || x + w > width || y + h > height) return null;
  const bars = w <= width * (1 - CROPDETECT.minBarShare) || h <= height * (1 - CROPDETECT.minBarShare);
  return bars ? { width: w, height: h, x, y } : null;
}
