import { spawn, type ChildProcess } from 'node:child_process';
import { KestrelError } from '../util/result.js';

/**
 * Which ffmpeg and ffprobe Kestrel runs: KESTREL_FFMPEG / KESTREL_FFPROBE when set (a packaged
 * app points them at its own copies), else the system's (Debian's ffmpeg package on Linux).
 */
export function ffmpegPath(): string {
  return process.env.KESTREL_FFMPEG || 'ffmpeg';
}

export function ffprobePath(): string {
  return process.env.KESTREL_FFPROBE || 'ffprobe';
}

export interface ToolRun {
  /** Exit code; null when the tool was killed (timed out, or by a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface PipelineResult {
  /** One per stage, in order. */
  runs: ToolRun[];
  timedOut: boolean;
  /** The last stage's stdout, when `collect` was asked for. */
  stdout: Buffer;
}

export interface ToolOptions {
  /** The whole run may take at most this long; then every stage is killed. */
  timeoutMs: number;
  /** The last stage's stdout as it arrives. */
  onStdout?: (chunk: Buffer) => void;
  /** The last stage's fd 3 (a second output, `pipe:3`) as it arrives. */
  onOutput3?: (chunk: Buffer) => void;
  /** Collect the last stage's stdout instead. */
  collect?: boolean;
  signal?: AbortSignal;
  /**
   * An open evidence file handed to the first stage as its fd 3 (read as file:/dev/fd/3): the tool
   * reads exactly the file Kestrel opened (no name looked up again, any name bytes).
   */
  inputFd?: number;
}

/** How a stage names the evidence file given as `inputFd`. */
export const INPUT_FD_URL = 'file:/dev/fd/3';

/** Every stage reads only local files and pipes: no network protocol, whatever a playlist asks. */
export const LOCAL_ONLY = ['-protocol_whitelist', 'file,pipe'];

export interface Stage { bin: string; args: readonly string[] }

const STDERR_KEEP = 64 * 1024;

/**
 * Runs ffmpeg/ffprobe stages on one video, each stage's stdout feeding the next one's stdin
 * directly (an OS pipe, never through a file), and kills them all when they outlive their time
 * budget, so a damaged file that makes a decoder hang or crash costs that file only. Arguments go
 * as arrays (never a shell); the first stage's stdin is closed: it reads the evidence itself.
 */
export function runPipeline(stages: readonly Stage[], opts: ToolOptions): Promise<PipelineResult> {
  return new Promise((resolve, reject) => {
    const children: ChildProcess[] = [];
    const runs: ToolRun[] = [];
    const out: Buffer[] = [];
    let timedOut = false;
    let failed: Error | null = null;
    let open = stages.length;
    const killAll = () => { for (const c of children) c.kill('SIGKILL'); };
    const timer = setTimeout(() => { timedOut = true; killAll(); }, opts.timeoutMs);
    opts.signal?.addEventListener('abort', killAll, { once: true });
    stages.forEach((stage, i) => {
      const stdin = i === 0 ? 'ignore' : children[i - 1]!.stdout!;
      const last = i === stages.length - 1;
      if (i === 0 && last && opts.inputFd !== undefined && opts.onOutput3) throw new Error('one stage cannot take fd 3 both ways');
      const extra = i === 0 && opts.inputFd !== undefined ? [opts.inputFd] : last && opts.onOutput3 ? ['pipe' as const] : [];
      const child = spawn(stage.bin, stage.args, { stdio: [stdin, 'pipe', 'pipe', ...extra] });
      children.push(child);
      runs.push({ code: null, signal: null, stderr: '' });
      child.stderr!.on('data', (chunk: Buffer) => {
        if (runs[i]!.stderr.length < STDERR_KEEP) runs[i]!.stderr += chunk.toString('utf8');
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        failed = err.code === 'ENOENT'
          ? new KestrelError(`${stage.bin}: not found; install ffmpeg (Debian: apt-get install ffmpeg) or set KESTREL_FFMPEG and KESTREL_FFPROBE`, 'E_FFMPEG_MISSING')
          : err;
        killAll();
      });
      child.on('close', (code, signal) => {
        runs[i]!.code = code;
        runs[i]!.signal = signal;
        // A stage that ends early must not leave the ones before it blocked on a full pipe.
        if (code !== 0) killAll();
        open -= 1;
        if (open > 0) return;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', killAll);
        if (failed) reject(failed);
        else resolve({ runs, timedOut, stdout: Buffer.concat(out) });
      });
    });
    // The parent holds a copy of each inner pipe only to hand it over; it reads the last one.
    for (const c of children.slice(0, -1)) c.stdout!.destroy();
    const guarded = (take: (chunk: Buffer) => void) => (chunk: Buffer) => {
      if (failed) return;
      try {
        take(chunk);
      } catch (err) {
        failed = err as Error;
        killAll();
      }
    };
    const lastChild = children.at(-1)!;
    lastChild.stdout!.on('data', guarded((chunk) => {
      if (opts.onStdout) opts.onStdout(chunk);
      else if (opts.collect) out.push(chunk);
    }));
    if (opts.onOutput3) (lastChild.stdio[3] as NodeJS.ReadableStream).on('data', guarded(opts.onOutput3));
  });
}

/** The first failing stage's reason, as ffmpeg wrote it last on stderr; null when all succeeded. */
export function pipelineError(r: PipelineResult): string | null {
  // A stage that failed by itself, before one Kestrel killed because of it.
  const bad = r.runs.find((run) => run.code !== null && run.code !== 0) ?? r.runs.find((run) => run.code !== 0);
  if (!bad) return null;
  const lines = bad.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.at(-1) ?? (bad.signal ? `killed by ${bad.signal}` : `exit code ${bad.code}`);
}
