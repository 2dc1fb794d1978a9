import type { Pixels } from '../pixels.js';
import { uprightOffset, uprightSize } from '../orientation.js';
import { hammingHex } from '../hamming.js';
import type { PdqResult } from './pdq.js';
import { pdqOfRegions, pdqRotated, type Region } from './reading.js';

/**
 * Extra PDQ hashes of one picture, for matching that survives what re-sharing does to a picture
 * and PDQ alone does not: added borders (letterbox, padding, screenshot bars), crops and small
 * rotations. They are evidence beside the plain PDQ, never instead of it, and never exported as
 * PDQ: each says what it is a hash of (`kind`, and the region of the picture it covers).
 */
export type ExtraKind = 'trimmed' | 'crop' | 'rotated';

export interface ExtraHash {
  kind: ExtraKind;
  /** Which one: 'trimmed', 'centre-90', 'centre-80', 'top-left-90', ..., 'rotate+2'. */
  name: string;
  /** The rectangle hashed, in pixels of the upright picture (the whole picture for a rotation). */
  region: Region;
  /** Degrees turned, for a rotation; 0 otherwise. */
  degrees: number;
  hash: string;
  quality: number;
}

/** Which extras to make. */
export interface ExtraOptions {
  /** Trim uniform borders and hash what is inside (both sides of a comparison). */
  trim: boolean;
  /** The crop set (material the lab holds: the stored side). */
  crops: boolean;
  /** Turned copies at these angles (stored side); empty for none. */
  rotations: readonly number[];
}

/** The query side: its own borders trimmed; crops and turns are on the stored side only. */
export const QUERY_EXTRAS: ExtraOptions = { trim: true, crops: false, rotations: [] };
/** Material the lab holds (case items, contributed cases, near-duplicate grouping). */
export const STORED_EXTRAS: ExtraOptions = { trim: true, crops: true, rotations: [] };

/**
 * Central 90% and 80%, and 90% and 95% windows at the centre, the four corners and the four edge
 * midpoints: what a crop of up to about 10% keeps. PDQ moves by some 30 bits
 * when the frame shifts by 2-3% of the picture, so the windows are spaced about that far apart.
 */
const CROPS: ReadonlyArray<[name: string, fx: number, fy: number, fw: number, fh: number]> = [
  ['centre-90', 0.05, 0.05, 0.9, 0.9],
  ['centre-80', 0.1, 0.1, 0.8, 0.8],
  ['top-left-90', 0, 0, 0.9, 0.9],
  ['top-right-90', 0.1, 0, 0.9, 0.9],
  ['bottom-left-90', 0, 0.1, 0.9, 0.9],
  ['bottom-right-90', 0.1, 0.1, 0.9, 0.9],
  ['top-90', 0.05, 0, 0.9, 0.9],
  ['bottom-90', 0.05, 0.1, 0.9, 0.9],
  ['left-90', 0, 0.05, 0.9, 0.9],
  ['right-90', 0.1, 0.05, 0.9, 0.9],
  ['centre-95', 0.025, 0.025, 0.95, 0.95],
  ['top-left-95', 0, 0, 0.95, 0.95],
  ['top-right-95', 0.05, 0, 0.95, 0.95],
  ['bottom-left-95', 0, 0.05, 0.95, 0.95],
  ['bottom-right-95', 0.05, 0.05, 0.95, 0.95],
  ['top-95', 0.025, 0, 0.95, 0.95],
  ['bottom-95', 0.025, 0.05, 0.95, 0.95],
  ['left-95', 0, 0.025, 0.95, 0.95],
  ['right-95', 0.05, 0.025, 0.95, 0.95],
];

/** What the stored extras are, recorded with every analysis and match that uses them. */
export const PDQ_EXTRAS_ALGORITHM = {
  name: 'pdq-extras',
  version: '1',
  trim: 'uniform borders (grey within 12 levels on 90% of a line, at least 1% and at most 45% of a side) trimmed, the inside hashed',
  crops: CROPS.map(([name]) => name),
  sampling: 'the reference\'s 512x512 nearest-neighbour samples taken within each region of the full picture',
  redundantWithin: 8,
} as const;

/**
 * An extra whose hash is within this distance of one already made adds nothing as evidence (a
 * picture with no border, or a flat margin, gives nearly the plain hash again) and is left out, so
 * that it costs no index space.
 */
const REDUNDANT_DISTANCE = PDQ_EXTRAS_ALGORITHM.redundantWithin;

/** The extras of a fully decoded picture (the pixels decodeImage gives), in pixels of the upright picture. */
export function pdqExtraHashes(pixels: Pixels, plain: PdqResult, options: ExtraOptions): ExtraHash[] {
  const { width, height } = uprightSize(pixels);
  const regions = extraRegions(pixels, options);
  return keptExtras(pixels, plain, regions, pdqOfRegions(pixels, width, height, regions.map((r) => r.region)), options);
}

/**
 * The plain PDQ of a fully decoded picture and its extras, every region sampled in the
 * same single pass over the pixels (what intake does with each picture).
 */
export function pdqWithExtras(pixels: Pixels, options: ExtraOptions): { plain: PdqResult; extras: ExtraHash[] } {
  const { width, height } = uprightSize(pixels);
  const regions = extraRegions(pixels, options);
  const [plain, ...hashes] = pdqOfRegions(pixels, width, height, [{ left: 0, top: 0, width, height }, ...regions.map((r) => r.region)]);
  return { plain: plain!, extras: keptExtras(pixels, plain!, regions, hashes, options) };
}

interface NamedRegion {
  kind: ExtraKind;
  name: string;
  region: Region;
}

/** The trimmed region (when the picture has borders) and the crop set, in the order they are kept. */
function extraRegions(pixels: Pixels, options: ExtraOptions): NamedRegion[] {
  const { width, height } = uprightSize(pixels);
  const out: NamedRegion[] = [];
  if (options.trim) {
    const inner = uniformBorders(pixels);
    if (inner) out.push({ kind: 'trimmed', name: 'trimmed', region: inner });
  }
  if (options.crops) {
    for (const [name, fx, fy, fw, fh] of CROPS) {
      // Rounding the origin and the size separately can reach one pixel past the edge (0.1 x 495
      // rounds up to 50, 0.9 x 495 up to 446): the size is clamped to what the picture holds.
      const left = Math.round(fx * width);
      const top = Math.round(fy * height);
      out.push({ kind: 'crop', name, region: { left, top, width: Math.min(Math.round(fw * width), width - left), height: Math.min(Math.round(fh * height), height - top) } });
    }
  }
  return out;
}

/** The extras worth keeping as evidence (each one not within REDUNDANT_DISTANCE of one before it), then the turned copies. */
function keptExtras(pixels: Pixels, plain: PdqResult, regions: readonly NamedRegion[], hashes: readonly PdqResult[], options: ExtraOptions): ExtraHash[] {
  const { width, height } = uprightSize(pixels);
  const out: ExtraHash[] = [];
  const seen = [plain.hash];
  const add = (kind: ExtraKind, name: string, region: Region, degrees: number, r: PdqResult) => {
    if (seen.some((h) => hammingHex(h, r.hash) <= REDUNDANT_DISTANCE)) return;
    seen.push(r.hash);
    out.push({ kind, name, region, degrees, hash: r.hash, quality: r.quality });
  };
  regions.forEach((r, i) => add(r.kind, r.name, r.region, 0, hashes[i]!));
  for (const degrees of options.rotations) {
    add('rotated', `rotate${degrees > 0 ? '+' : ''}${degrees}`, { left: 0, top: 0, width, height }, degrees, pdqRotated(pixels, degrees));
  }
  return out;
}

/** Grey levels within which a border line counts as one colour (JPEG ringing and noise stay inside). */
const BORDER_TOLERANCE = 12;
/** Share of a line's samples that must be within tolerance: a status bar's icons and text may break it. */
const BORDER_SHARE = 0.9;
/** At most this many samples per line are looked at. */
const MAX_SAMPLES = 512;

/**
 * The rectangle inside uniform or near-uniform borders (letterbox and pillarbox bars, padding,
 * screenshot bars), or null when the picture has none worth trimming. From each side inwards, a
 * line belongs to the border while nearly all its samples are within tolerance of the colour of
 * the outermost line. At most 45% of each side is trimmed away, and a border must be at least 1%
 * of the picture (and 2 pixels) to count.
 */
export function uniformBorders(pixels: Pixels): Region | null {
  const { width, height } = uprightSize(pixels);
  if (width < 16 || height < 16) return null;
  const xs = spread(width);
  const ys = spread(height);
  const grey = (x: number, y: number) => {
    const p = uprightOffset(pixels, x, y);
    return pixels.channels >= 3 ? (pixels.data[p]! * 77 + pixels.data[p + 1]! * 150 + pixels.data[p + 2]! * 29) >> 8 : pixels.data[p]!;
  };
  const rowLine = (y: number) => xs.map((x) => grey(x, y));
  const colLine = (x: number) => ys.map((y) => grey(x, y));
  const top = borderDepth(height, rowLine, (i) => i);
  const bottom = borderDepth(height, rowLine, (i) => height - 1 - i);
  const left = borderDepth(width, colLine, (i) => i);
  const right = borderDepth(width, colLine, (i) => width - 1 - i);
  const minX = Math.max(2, Math.ceil(width * 0.01));
  const minY = Math.max(2, Math.ceil(height * 0.01));
  const t = top >= minY ? top : 0;
  const b = bottom >= minY ? bottom : 0;
  const l = left >= minX ? left : 0;
  const r = right >= minX ? right : 0;
  if (t + b + l + r === 0) return null;
  return { left: l, top: t, width: width - l - r, height: height - t - b };
}

function borderDepth(length: number, line: (at: number) => number[], at: (i: number) => number): number {
  const limit = Math.floor(length * 0.45);
  const first = line(at(0));
  const colour = median(first);
  let depth = 0;
  for (; depth < limit; depth++) {
    const values = depth === 0 ? first : line(at(depth));
    let near = 0;
    for (const v of values) if (Math.abs(v - colour) <= BORDER_TOLERANCE) near++;
    if (near < BORDER_SHARE * values.length) break;
  }
  return depth;
}

function spread(length: number): number[] {
  const n = Math.min(length, MAX_SAMPLES);
  return Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * length) / n));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** How one query hash met one stored hash: the evidence recorded for a match. */
export interface MatchEvidence {
  /** 'plain', or the extra's name on the query side. */
  queryHash: string;
  /** 'plain', 'plain/rotate90' (a dihedral variant), or the extra's name on the stored side. */
  storedHash: string;
  distance: number;
}

export interface HashSet {
  plain: string;
  /** The 8 dihedral variants of the plain hash, when the side keeps them. */
  dihedral?: readonly string[];
  extras: readonly ExtraHash[];
}

const DIHEDRAL_NAMES = ['original', 'rotate90', 'rotate180', 'rotate270', 'flipX', 'flipY', 'flipPlus1', 'flipMinus1'];

/**
 * The closest pair between a query's hashes and a stored picture's (plain, its dihedral variants,
 * extras): a query matches when this distance is within the threshold, and the pair is the
 * evidence. Ties go to the plain hash, so a picture PDQ alone matches is reported as a plain match.
 */
export function closestPair(query: HashSet, stored: HashSet): MatchEvidence {
  const storedHashes: Array<[string, string]> = [['plain', stored.plain]];
  stored.dihedral?.forEach((h, i) => { if (i > 0) storedHashes.push([`plain/${DIHEDRAL_NAMES[i]}`, h]); });
  for (const e of stored.extras) storedHashes.push([e.name, e.hash]);
  const queryHashes: Array<[string, string]> = [['plain', query.plain], ...query.extras.map((e): [string, string] => [e.name, e.hash])];
  let best: MatchEvidence = { queryHash: 'plain', storedHash: 'plain', distance: 257 };
  for (const [qn, qh] of queryHashes) {
    for (const [sn, sh] of storedHashes) {
      const d = hammingHex(qh, sh);
      if (d < best.distance) best = { queryHash: qn, storedHash: sn, distance: d };
    }
  }
  return best;
}
