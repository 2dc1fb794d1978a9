import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DERIVED_DIR } from '../catalog/case.js';
import { composeContactSheet, CONTACT_SHEET } from '../image/contactSheet.js';
import type { Pixels } from '../hashing/pixels.js';
import { ffmpegPath, INPUT_FD_URL, LOCAL_ONLY, runPipeline } from './tools.js';

/** Tile size: a 4 x 4 sheet of 160 x 90 tiles is 640 x 360, about a thumbnail's cost to show. */
const TILE = { width: 160, height: 90 } as const;
/** Frames darker than this mean luma (0–255) are fades and black screens, not content. */
const DARK_LUMA = 20;
/** Frames this close (mean absolute difference per channel) to the last one kept add nothing. */
const SAME_FRAME = 4;
const TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Up to 16 keyframes spread over the video's length, without black and near-duplicate frames, as
 * one JPEG under derived/contact-sheets/, upright (rotation applied, unlike the hashes: this is for
 * a person to look at). Keyframes decode without their neighbours, so this costs little beside the
 * hashing. Returns the sheet's path relative to the case folder, or null when no frame was usable.
 */
export async function makeContactSheet(caseDir: string, sha256: string, fd: number, signal?: AbortSignal): Promise<string | null> {
  const frames = await keyframes(fd, signal);
  const tiles = chooseTiles(frames, CONTACT_SHEET.maxTiles);
  if (tiles.length === 0) return null;
  const sheet = await composeContactSheet(tiles);
  const rel = `${DERIVED_DIR}/contact-sheets/${sha256.slice(0, 2)}/${sha256}.jpg`;
  const file = join(caseDir, rel);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, sheet.jpeg);
  renameSync(tmp, file);
  return rel;
}

async function keyframes(fd: number, signal?: AbortSignal): Promise<Pixels[]> {
  const size = TILE.width * TILE.height * 3;
  const frames: Pixels[] = [];
  let pending = Buffer.alloc(0);
  // A sheet is for looking at: a decoder that gives up part-way still leaves the frames it gave.
  await runPipeline([{
    bin: ffmpegPath(),
    args: ['-nostdin', '-hide_banner', '-v', 'error', '-skip_frame', 'nokey', ...LOCAL_ONLY, '-i', INPUT_FD_URL, '-map', '0:v:0',
      '-vf', `scale=${TILE.width}:${TILE.height}:force_original_aspect_ratio=decrease,pad=${TILE.width}:${TILE.height}:-1:-1:black,format=rgb24`,
      '-fps_mode', 'passthrough', '-f', 'rawvideo', 'pipe:1'],
  }], {
    timeoutMs: TIMEOUT_MS, inputFd: fd, signal,
    onStdout: (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= size) {
        frames.push({ data: Uint8Array.from(pending.subarray(0, size)), width: TILE.width, height: TILE.height, channels: 3 });
        pending = pending.subarray(size);
      }
    },
  });
  return frames;
}

/** Drops dark and repeated frames, then takes `count` spread evenly over what is left. */
export function chooseTiles(frames: readonly Pixels[], count: number): Pixels[] {
  const usable: Pixels[] = [];
  for (const f of frames) {
    if (meanLuma(f) < DARK_LUMA) continue;
    const last = usable.at(-1);
    if (last && meanDifference(last, f) < SAME_FRAME) continue;
    usable.push(f);
  }
  if (usable.length <= count) return usable;
  return Array.from({ length: count }, (_, i) => usable[Math.floor((i * usable.length) / count)]!);
}

function meanLuma(p: Pixels): number {
  let sum = 0;
  for (let i = 0; i < p.data.length; i += 3) sum += 0.299 * p.data[i]! + 0.587 * p.data[i + 1]! + 0.114 * p.data[i + 2]!;
  return sum / (p.data.length / 3);
}

function meanDifference(a: Pixels, b: Pixels): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}
