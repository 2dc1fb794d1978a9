import type { Pixels } from './pixels.js';

/**
 * Reading pixels as stored in the file as though the EXIF orientation had been applied, without
 * turning them. libvips turns a 12 MP picture held sideways (orientation 6 or 8, how phones store
 * most portrait photos) in about 100 ms of CPU, as long as the whole decode; every reader of the
 * picture here samples it (PDQ's 512 x 512 grid, the border scan, the working copy) or reduces it
 * (the preview), so each maps its own sample positions instead, and reads exactly the pixel the
 * turned picture holds there.
 *
 * Orientation as EXIF numbers it (1 upright; 2 mirrored; 3 turned 180°; 4 flipped; 5 transposed;
 * 6 turned 90° clockwise to display; 7 transversed; 8 turned 90° anticlockwise to display). For
 * an upright position (u, v) of the picture as displayed, in a stored picture of w x h pixels:
 *   1: (u, v)   2: (w-1-u, v)   3: (w-1-u, h-1-v)   4: (u, h-1-v)
 *   5: (v, u)   6: (v, h-1-u)   7: (w-1-v, h-1-u)   8: (w-1-v, u)
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export function orientationOf(pixels: Pixels): Orientation {
  return (pixels.orientation ?? 1) as Orientation;
}

/** Whether an upright row runs down a stored column (orientations 5-8). */
export function transposes(o: Orientation): boolean {
  return o >= 5;
}

/** Size of the picture as displayed. */
export function uprightSize(pixels: Pixels): { width: number; height: number } {
  return transposes(orientationOf(pixels)) ? { width: pixels.height, height: pixels.width } : { width: pixels.width, height: pixels.height };
}

/**
 * The stored column read for upright coordinate `a` (u when the orientation does not transpose,
 * v when it does), in a stored picture `w` pixels wide.
 */
export function storedColumn(o: Orientation, w: number, a: number): number {
  return o === 2 || o === 3 || o === 7 || o === 8 ? w - 1 - a : a;
}

/** The stored row read for upright coordinate `b` (v when the orientation does not transpose, u when it does). */
export function storedRow(o: Orientation, h: number, b: number): number {
  return o === 3 || o === 4 || o === 6 || o === 7 ? h - 1 - b : b;
}

/** Byte offset in `pixels.data` of the pixel shown at upright (u, v). */
export function uprightOffset(pixels: Pixels, u: number, v: number): number {
  const o = orientationOf(pixels);
  const t = transposes(o);
  const x = storedColumn(o, pixels.width, t ? v : u);
  const y = storedRow(o, pixels.height, t ? u : v);
  return (y * pixels.width + x) * pixels.channels;
}
