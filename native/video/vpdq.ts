import { LUMA_COEFFICIENTS, pdqFromLuma } from '../hashing/pdq/pdq.js';
import { ffmpegPath, INPUT_FD_URL, LOCAL_ONLY, pipelineError, runPipeline, type Stage } from './tools.js';

/**
 * vPDQ (Meta, ThreatExchange vpdq/): a video is a list of frame features, each the PDQ hash of one
 * decoded frame with its quality, frame number and timestamp. Kestrel produces the reference
 * hasher's features bit for bit (checked on the ThreatExchange sample videos): the frames are
 * chosen by count, not time; the frame is the decoder's picture at its coded size with no rotation
 * applied, converted to RGB24 by swscale with SWS_AREA; PDQ runs on the whole frame's luma.
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
  width: number;
  height: number;
  secondsPerHash: number;
  /** Also hash this part of each chosen frame (letterbox or pillarbox removed). */
  crop?: Crop | null;
  /** Decoder threads; 0 lets ffmpeg choose. */
  threads?: number;
  timeoutMs?: number;
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

/** Plenty for a long recording at real-time speed and more; a hung decoder is killed at this point. */
function defaultTimeout(): number {
  return 6 * 60 * 60 * 1000;
}

/**
 * The vPDQ features of a video: ffmpeg decodes the first video stream, keeps the frames vPDQ keeps
 * and pipes them as raw RGB24 into this process (no temporary files), where each is hashed.
 */
export async function hashVideo(fd: number, opts: HashVideoOptions): Promise<HashedVideo> {
  const modulus = frameModulus(opts.secondsPerHash, opts.frameRate);
  const full = new FrameHasher(opts.width, opts.height, modulus, opts.frameRate);
  const crop = opts.crop ? new FrameHasher(opts.crop.width, opts.crop.height, modulus, opts.frameRate) : null;
  const run = await runPipeline(vpdqStages(modulus, opts.width, opts.threads ?? 0, opts.crop ?? null), {
    inputFd: fd,
    timeoutMs: opts.timeoutMs ?? defaultTimeout(),
    onStdout: (chunk) => full.push(chunk),
    ...(crop ? { onOutput3: (chunk: Buffer) => crop.push(chunk) } : {}),
    signal: opts.signal,
  });
  if (run.timedOut) throw new VideoDecodeError('ffmpeg did not finish decoding within its time budget');
  const failure = pipelineError(run);
  if (failure) throw new VideoDecodeError(`ffmpeg: ${failure}`);
  return { features: full.features, cropped: crop ? crop.features : null };
}

/**
 * Two ffmpeg stages give vPDQ's frames. The first decodes (with every CPU feature) the first video
 * stream, no autorotation, frames passed through as decoded (no duplication or dropping to a
 * constant rate), keeps those whose count n vPDQ keeps, and hands them on losslessly (raw video in
 * NUT, which carries size, pixel format and range). The second converts them to RGB24 with
 * swscale's SWS_AREA as the reference does.
 *
 * swscale's YUV-to-RGB conversion differs by a rounding step between its x86 SIMD and plain C code,
 * enough to move PDQ bits. Measured on the 14 ThreatExchange sample videos against the reference's
 * published hashes: widths that are a multiple of 16 agree bit for bit with the C conversion
 * (-cpuflags 0, in the second stage only, so decoding keeps its speed) and differ by up to 4 bits
 * with SIMD; the one other width (1080) agrees with the SIMD build's conversion and not with C.
 */
export function vpdqStages(modulus: number, width: number, threads: number, crop: Crop | null): Stage[] {
  const select = modulus === 1 ? [] : ['-vf', `select='not(mod(n\\,${modulus}))'`];
  const toRgb = 'scale=flags=area,format=rgb24';
  const graph = crop
    ? `[0:v:0]split[a][b];[a]${toRgb}[full];[b]crop=${crop.width}:${crop.height}:${crop.x}:${crop.y},${toRgb}[cut]`
    : `[0:v:0]${toRgb}[full]`;
  const raw = ['-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24'];
  const quiet = ['-nostdin', '-hide_banner', '-v', 'error'];
  return [
    {
      bin: ffmpegPath(),
      args: [...quiet, '-threads', String(threads), ...LOCAL_ONLY, '-noautorotate', '-i', INPUT_FD_URL, '-map', '0:v:0', ...select,
        '-fps_mode', 'passthrough', '-c:v', 'rawvideo', '-f', 'nut', 'pipe:1'],
    },
    {
      bin: ffmpegPath(),
      args: [...quiet, ...(width % 16 === 0 ? ['-cpuflags', '0'] : []), ...LOCAL_ONLY, '-f', 'nut', '-i', 'pipe:0',
        '-filter_complex', graph, '-map', '[full]', ...raw, 'pipe:1', ...(crop ? ['-map', '[cut]', ...raw, 'pipe:3'] : [])],
    },
  ];
}

/** Float32 share of each channel value in the luma, as the reference's fillFloatLumaFromRGB. */
const share = (k: number) => Float32Array.from({ length: 256 }, (_, v) => Math.fround(k * v));
const R = share(LUMA_COEFFICIENTS[0]);
const G = share(LUMA_COEFFICIENTS[1]);
const B = share(LUMA_COEFFICIENTS[2]);

/** Collects a stream of raw RGB24 frames of one size and hashes each as it completes. */
export class FrameHasher {
  readonly features: VpdqFeature[] = [];
  private readonly frame: Buffer;
  private readonly luma: Float32Array;
  private filled = 0;
  private index = 0;

  constructor(private readonly width: number, private readonly height: number, private readonly modulus: number, private readonly frameRate: number) {
    this.frame = Buffer.alloc(width * height * 3);
    this.luma = new Float32Array(width * height);
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, this.frame.length - this.filled);
      chunk.copy(this.frame, this.filled, at, at + n);
      this.filled += n;
      at += n;
      if (this.filled === this.frame.length) {
        this.hashFrame();
        this.filled = 0;
      }
    }
  }

  private hashFrame(): void {
    const { frame, luma } = this;
    for (let i = 0, p = 0; i < luma.length; i++, p += 3) {
      luma[i] = Math.fround(Math.fround(R[frame[p]!]! + G[frame[p + 1]!]!) + B[frame[p + 2]!]!);
    }
    const pdq = pdqFromLuma(luma, this.height, this.width);
    const n = this.index * this.modulus;
    this.index += 1;
    this.features.push({ frame: n, quality: pdq.quality, hash: pdq.hash, timestamp: frameTimestamp(n, this.frameRate) });
  }
}
