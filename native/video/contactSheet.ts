import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DERIVED_DIR } from '../catalog/case.js';
import { composeContactSheet, CONTACT_SHEET } from '../image/contactSheet.js';
import type { Pixels } from '../hashing/pixels.js';
import { VideoHelperError, type EvidenceFile, type VideoHelper } from './videoHelper.js';

/** Tile size: a 4 x 4 sheet of 160 x 90 tiles is 640 x 360, about a thumbnail's cost to show. */
const TILE = { width: 160, height: 90 } as const;
/** Frames darker than this mean luma (0–255) are fades and black screens, not content. */
const DARK_LUMA = 20;
/** Frames this close (mean absolute difference per channel) to the last one kept add nothing. */
const SAME_FRAME = 4;

/**
 * Up to 16 keyframes spread over the video's length, without black and near-duplicate frames, as
 * one JPEG under derived/contact-sheets/, upright (rotation applied, unlike the hashes: this is for
 * a person to look at). Keyframes decode without their neighbours, so this costs little beside the
 * hashing. Returns the sheet's path relative to the case folder, or null when no frame was usable.
 */
export async function makeContactSheet(helper: VideoHelper, caseDir: string, sha256: string, video: EvidenceFile, signal?: AbortSignal): Promise<string | null> {
  const frames = await keyframes(helper, video, signal);
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

async function keyframes(helper: VideoHelper, file: EvidenceFile, signal?: AbortSignal): Promise<Pixels[]> {
  const frames: Pixels[] = [];
  try {
    await helper.keyframes(file, TILE.width, TILE.height, (f) => {
      frames.push({ data: Uint8Array.from(f.rgb), width: f.width, height: f.height, channels: 3 });
    }, signal);
  } catch (err) {
    // A sheet is for looking at: a decoder that gives up part-way still leaves the frames it gave.
    if (!(err instanceof VideoHelperError)) throw err;
  }
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
