import { existsSync, fstatSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HelperError, HelperFailure, HelperGaveUp, HelperSupervisor, type Frame, type HelperIncident } from '../helpers/supervisor.js';

/**
 * Typed access to kestrel-video (videoHelper.cpp): one long-lived process under the helper
 * supervisor serves every video of a run (probe, black bars, vPDQ frames, contact-sheet keyframes)
 * with FFmpeg's libraries, instead of an ffmpeg or ffprobe process per video. A video that crashes
 * or hangs it costs that video: the process is killed, restarted for the next request, and the
 * video is reported as not decoded with what happened.
 */

/** Where the built helper is, from sources (tests) and from dist/. */
export function videoHelperPath(): string | null {
  const name = process.platform === 'win32' ? 'kestrel-video.exe' : 'kestrel-video';
  for (const rel of [`./build/${name}`, `../../../native/video/build/${name}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

export const VIDEO_HELPER_MISSING = 'the video helper (kestrel-video) is not built: install libavformat-dev libavcodec-dev libavfilter-dev libswscale-dev libavutil-dev and run npm run build';

/** An evidence file Kestrel has open: the helper opens the same path and must find the same file. */
export interface EvidenceFile {
  fd: number;
  /** The path's raw bytes, as the file was opened. */
  path: Buffer;
}

/** The helper could not serve the request: it refused (unreadable video) or broke on it (crash, hang). */
export class VideoHelperError extends Error {
  override name = 'VideoHelperError';
  constructor(message: string, readonly incident: HelperIncident | null) {
    super(message);
  }
}

export interface RgbFrame {
  /** Frame number in decode output order, from 0. */
  n: number;
  /** 0: the frame as decoded; 1: the cropped variant. */
  variant: number;
  width: number;
  height: number;
  /** RGB24, rows packed. Valid only during the callback. */
  rgb: Buffer;
}

export interface VideoHelperOptions {
  /** Longest wait for the next answer or frame before the helper is taken as hung (the same for every request). */
  requestTimeoutMs?: number;
  maxRestarts?: number;
  env?: NodeJS.ProcessEnv;
  onIncident?: (incident: HelperIncident) => void;
}

/** Probing reads headers and a few packets; a minute is already a damaged file. */
const PROBE_TIMEOUT_MS = 60_000;
/** Black-bar detection answers once, after every keyframe of a long recording. */
const CROPDETECT_TIMEOUT_MS = 10 * 60_000;
const FRAME_TIMEOUT_MS = 120_000;

export class VideoHelper {
  private readonly helper: HelperSupervisor;
  private readonly timeoutMs: number | undefined;

  constructor(options: VideoHelperOptions = {}) {
    this.timeoutMs = options.requestTimeoutMs;
    const command = videoHelperPath();
    if (!command) throw new VideoHelperError(VIDEO_HELPER_MISSING, null);
    this.helper = new HelperSupervisor({
      name: 'video',
      command,
      env: { ...process.env, ...options.env },
      requestTimeoutMs: options.requestTimeoutMs ?? FRAME_TIMEOUT_MS,
      // Every damaged video may cost a restart; a run keeps going through many of them.
      maxRestarts: options.maxRestarts ?? 500,
      onIncident: options.onIncident,
    });
  }

  get incidents(): readonly HelperIncident[] {
    return this.helper.incidents;
  }

  get pid(): number | undefined {
    return this.helper.pid;
  }

  async version(): Promise<Record<string, string>> {
    return (await this.helper.request({ op: 'version' })).header as Record<string, string>;
  }

  /** What ffprobe -show_format -show_streams -of json would print, for parseProbe. */
  async probe(file: EvidenceFile, signal?: AbortSignal): Promise<unknown> {
    return (await this.call(file, { op: 'probe' }, PROBE_TIMEOUT_MS, signal)).header['probe'];
  }

  /** cropdetect's last report over the keyframes: [width, height, x, y], or null. */
  async cropdetect(file: EvidenceFile, signal?: AbortSignal): Promise<[number, number, number, number] | null> {
    return (await this.call(file, { op: 'cropdetect' }, CROPDETECT_TIMEOUT_MS, signal)).header['crop'] as [number, number, number, number] | null;
  }

  /** vPDQ's frames (every modulus-th, RGB24 at coded size), with the cropped variant when asked. */
  async hashFrames(
    file: EvidenceFile, request: { modulus: number; crop: [number, number, number, number] | null; threads?: number },
    onFrame: (f: RgbFrame) => void, signal?: AbortSignal,
  ): Promise<{ frames: number; decoded: number; errors: number; lastError?: string }> {
    const header = { op: 'hash', modulus: request.modulus, threads: request.threads ?? 0, ...(request.crop ? { crop: request.crop } : {}) };
    const done = await this.call(file, header, FRAME_TIMEOUT_MS, signal, (f) => onFrame(rgbFrame(f)));
    return done.header as { frames: number; decoded: number; errors: number; lastError?: string };
  }

  /** Keyframes upright, fitted into width x height on black. */
  async keyframes(file: EvidenceFile, width: number, height: number, onFrame: (f: RgbFrame) => void, signal?: AbortSignal): Promise<number> {
    const done = await this.call(file, { op: 'keyframes', w: width, h: height }, FRAME_TIMEOUT_MS, signal, (f) => onFrame(rgbFrame(f)));
    return Number(done.header['frames']);
  }

  close(): Promise<void> {
    return this.helper.close();
  }

  private async call(
    file: EvidenceFile, header: Record<string, unknown>, timeoutMs: number, signal: AbortSignal | undefined, onFrame?: (f: Frame) => void,
  ): Promise<Frame> {
    signal?.throwIfAborted();
    const st = fstatSync(file.fd, { bigint: true });
    const label = `${String(header['op'])} of ${file.path.toString('utf8')}`;
    // Cancelling a video in flight: the helper is stopped (and started afresh for the next request).
    const stop = () => { if (this.helper.pid) process.kill(this.helper.pid, 'SIGKILL'); };
    signal?.addEventListener('abort', stop, { once: true });
    // A frame the caller cannot take (a hashing bug, a frame of the wrong size) stops the video, not the reader.
    let refused: unknown;
    const take = onFrame && ((f: Frame) => {
      if (refused !== undefined) return;
      try {
        onFrame(f);
      } catch (err) {
        refused = err;
        stop();
      }
    });
    try {
      const done = await this.helper.request({ ...header, path: file.path.toString('hex'), dev: String(st.dev), ino: String(st.ino) }, undefined, {
        label, timeoutMs: this.timeoutMs ?? timeoutMs, ...(take ? { onFrame: take } : {}),
      });
      if (refused !== undefined) throw refused;
      return done;
    } catch (err) {
      signal?.throwIfAborted();
      if (refused !== undefined) throw refused;
      if (err instanceof HelperError) throw new VideoHelperError(err.message, null);
      if (err instanceof HelperFailure) throw new VideoHelperError(err.message, err.incident);
      if (err instanceof HelperGaveUp) throw new VideoHelperError(err.message, null);
      throw err;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }
}

function rgbFrame(f: Frame): RgbFrame {
  const width = Number(f.header['w']);
  const height = Number(f.header['h']);
  if (f.body.length !== width * height * 3) throw new Error(`video helper sent ${f.body.length} bytes for a ${width}x${height} frame`);
  return { n: Number(f.header['n']), variant: Number(f.header['v'] ?? 0), width, height, rgb: f.body };
}
