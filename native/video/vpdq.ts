import { LUMA_COEFFICIENTS, pdqFromLuma } from '../hashing/pdq/pdq.js';
import { VideoHelperError, type EvidenceFile, type VideoHelper } from './videoHelper.js';

/**
 * vPDQ (Meta, ThreatExchange vpdq/): a video is a list of frame features, each the PDQ hash of one
 * decoded frame with its quality, frame number and timestamp. Kestrel produces the reference
 * hasher's features bit for bit (checked on the ThreatExchange sample videos): the frames are
 * chosen by count, not time; the frame is the decoder's picture at its coded size with no rotation
 * applied, converted to RGB24 by swscale with SWS_AREA (videoHelper.cpp, in the video helper); PDQ runs on the whole frame's luma.
 */
export const VPDQ_ALGORITHM = {
  name: 'vpdq',
  version: '1.0',
  reference: 'facebook/ThreatExchange vpdq/cpp (vpdq-hash-video) and python-threatexchange vpdq matcher',
  frameSelection: 'frame n (decode order count from 0) kept when n mod max(1, floor(secondsPerHash x avg_frame_rate)) == 0',
  rotation: 'not applied',
  pixels: 'RGB24 at coded size, swscale SWS_AREA',
  timestamp: 'n / avg_frame_rate',
} as const;

/** Seized videos: one hash a second, as the platforms exchange them. */
export const SECONDS_PER_HASH_SEIZED = 1;
/** Known material: every frame, so that a clip hashed at 1 s from any offset lines up with it. */
export const SECONDS_PER_HASH_KNOWN = 0;

export interface VpdqFeature {
  frame: number;
  quality: number;
  /** 64 hex digits, PDQ's byte order. */
  hash: string;
  /** Seconds from the start: frame / frame rate (as float32, as the reference computes it). */
  timestamp: number;
}

/** The frame interval vPDQ uses: int(secondsPerHash * frameRate), at least 1. */
export function frameModulus(secondsPerHash: number, frameRate: number): number {
  return Math.max(1, Math.trunc(secondsPerHash * frameRate));
}

/** Whether vPDQ hashes frame n (counted from 0 in decode output order). */
export function isHashedFrame(n: number, modulus: number): boolean {
  return n % modulus === 0;
}

/** The reference's timestamp: float32 frame number over float32 frame rate. */
export function frameTimestamp(frame: number, frameRate: number): number {
  return Math.fround(Math.fround(frame) / Math.fround(frameRate));
}

/** A rectangle inside the frame to hash as well (black bars cut away). */
export interface Crop { width: number; height: number; x: number; y: number }

export interface HashVideoOptions {
  frameRate: number;
  secondsPerHash: number;
  /** Also hash this part of each chosen frame (letterbox or pillarbox removed). */
  crop?: Crop | null;
  /** Decoder threads; 0 lets libavcodec choose. */
  threads?: number;
  signal?: AbortSignal;
}

export interface HashedVideo {
  features: VpdqFeature[];
  /** Features of the cropped frames, same frame numbers; null when no crop was asked for. */
  cropped: VpdqFeature[] | null;
}

export class VideoDecodeError extends Error {
  override name = 'VideoDecodeError';
}

/**
 * The vPDQ features of a video: the video helper decodes the first video stream, keeps the frames
 * vPDQ keeps and hands them over as RGB24 (no temporary files), where each is hashed.
 *
 * The helper's pixels are those of the two-stage ffmpeg pipeline Kestrel was first checked with:
 * decoding with every CPU feature, then swscale's SWS_AREA conversion to RGB24 with the CPU
 * features off (-cpuflags 0) when the width is a multiple of 16. swscale's YUV-to-RGB conversion
 * differs by a rounding step between its x86 SIMD and plain C code, enough to move PDQ bits.
 * Measured on the 14 ThreatExchange sample videos against the reference's published hashes: widths
 * that are a multiple of 16 agree bit for bit with the C conversion and differ by up to 4 bits with
 * SIMD; the one other width (1080) agrees with the SIMD build's conversion and not with C.
 */
export async function hashVideo(helper: VideoHelper, file: EvidenceFile, opts: HashVideoOptions): Promise<HashedVideo> {
  const modulus = frameModulus(opts.secondsPerHash, opts.frameRate);
  const features: VpdqFeature[] = [];
  const cropped: VpdqFeature[] = [];
  const crop = opts.crop ? [opts.crop.width, opts.crop.height, opts.crop.x, opts.crop.y] as [number, number, number, number] : null;
  try {
    await helper.hashFrames(file, { modulus, crop, threads: opts.threads ?? 0 }, (f) => {
      const pdq = pdqOfRgb(f.rgb, f.width, f.height);
      (f.variant === 1 ? cropped : features).push({ frame: f.n, quality: pdq.quality, hash: pdq.hash, timestamp: frameTimestamp(f.n, opts.frameRate) });
    }, opts.signal);
  } catch (err) {
    if (err instanceof VideoHelperError) throw new VideoDecodeError(err.message);
    throw err;
  }
  return { features, cropped: crop ? cropped : null };
}

/** Float32 share of each channel value in the luma, as the reference's fillFloatLumaFromRGB. */
const share = (k: number) => Float32Array.from({ length: 256 }, (_, v) => Math.fround(k * v));
const R = share(LUMA_COEFFICIENTS[0]);
const G = share(LUMA_COEFFICIENTS[1]);
const B = share(LUMA_COEFFICIENTS[2]);

/** PDQ of one RGB24 frame (rows packed), its luma computed as the reference computes it. */
export function pdqOfRgb(rgb: Uint8Array, width: number, height: number): { hash: string; quality: number } {
  const luma = new Float32Array(width * height);
  for (let i = 0, p = 0; i < luma.length; i++, p += 3) {
    luma[i] = Math.fround(Math.fround(R[rgb[p]!]! + G[rgb[p + 1]!]!) + B[rgb[p + 2]!]!);
  }
  return pdqFromLuma(luma, height, width);
}
