/**
 * One supervisor for every long-lived helper process (Sleuth Kit, ffmpeg, archive readers...).
 * Parsers of damaged evidence crash and hang; that must cost one entry, never the app.
 *
 *   const helper = new HelperSupervisor({ name: 'tsk', command, args, requestTimeoutMs: 30_000,
 *     maxRestarts: 5, prepare: async (call) => { await call({ op: 'open', path }); } });
 *   const reply = await helper.request({ op: 'read', inode: 12 }, undefined, { label: 'inode 12' });
 *   await helper.close();
 *
 * - Protocol: frames.ts (u32 header length, u32 body length, JSON header, raw body) on stdin/stdout;
 *   stderr is kept (last few KiB) for incident reports.
 * - One request in flight at a time, in call order. A reply header `{ "more": true }` is an
 *   intermediate frame handed to `onFrame` (and restarts the timeout clock); the first frame
 *   without it ends the request. A reply header `{ "error": "..." }` rejects with HelperError: the
 *   helper refused the request and stays up.
 * - A helper that exits, is killed, writes a malformed frame, or exceeds the request timeout is
 *   killed (SIGKILL) and the request rejects with HelperFailure naming the request's label; the
 *   incident is kept in `incidents` and passed to `onIncident`. The next request starts a fresh
 *   process and runs `prepare` on it (re-open the image...). After `maxRestarts` restarts the
 *   supervisor gives up: every later request rejects at once.
 * - `close()` refuses new requests, lets the one in flight finish for up to `closeGraceMs`, ends
 *   stdin, and kills the helper if it has not exited `closeGraceMs` later.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { encodeFrame, FrameReader, type Frame } from './frames.js';

export type { Frame } from './frames.js';

export type Call = (header: Record<string, unknown>, body?: Buffer) => Promise<Frame>;

export interface HelperOptions {
  /** Short name used in messages and incidents ("tsk", "ffmpeg"). */
  readonly name: string;
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly requestTimeoutMs: number;
  readonly maxRestarts: number;
  readonly closeGraceMs?: number;
  /** Runs on every fresh process before the request that needed it. */
  readonly prepare?: (call: Call) => Promise<void>;
  readonly onIncident?: (incident: HelperIncident) => void;
}

export interface RequestOptions {
  /** What the request was about, for the incident record (an entry's path, an inode...). */
  readonly label?: string;
  readonly timeoutMs?: number;
  readonly onFrame?: (frame: Frame) => void;
}

export type IncidentKind = 'crash' | 'timeout' | 'protocol' | 'spawn';

export interface HelperIncident {
  readonly helper: string;
  readonly kind: IncidentKind;
  /** The label of the request in flight ("prepare" while preparing, "idle" between requests). */
  readonly request: string;
  readonly detail: string;
  readonly stderrTail: string;
  readonly at: string;
  /** How many processes had been started when this one failed (1 = the first). */
  readonly generation: number;
}

/** The helper broke (crash, hang, garbage) while serving the request. */
export class HelperFailure extends Error {
  constructor(readonly incident: HelperIncident) {
    super(`${incident.helper} helper ${incident.kind === 'timeout' ? 'timed out' : incident.kind === 'crash' ? 'crashed' : 'failed'} on ${incident.request}: ${incident.detail}`);
    this.name = 'HelperFailure';
  }
}

/** The helper answered, with a refusal. */
export class HelperError extends Error {
  constructor(message: string, readonly header: Record<string, unknown>) {
    super(message);
    this.name = 'HelperError';
  }
}

/** The supervisor has used up its restarts (or was closed). */
export class HelperGaveUp extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HelperGaveUp';
  }
}

const STDERR_TAIL_BYTES = 4096;

interface Pending {
  readonly label: string;
  readonly timeoutMs: number;
  readonly onFrame: ((frame: Frame) => void) | undefined;
  readonly resolve: (frame: Frame) => void;
  readonly reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

interface Live {
  readonly child: ChildProcessWithoutNullStreams;
  readonly reader: FrameReader;
  stderr: Buffer;
  dead: boolean;
}

export class HelperSupervisor {
  private live: Live | undefined;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private generation = 0;
  private closed = false;
  private gaveUp: string | undefined;
  private readonly recorded: HelperIncident[] = [];

  constructor(private readonly options: HelperOptions) {}

  get incidents(): readonly HelperIncident[] {
    return this.recorded;
  }

  /** Processes started so far. */
  get starts(): number {
    return this.generation;
  }

  get pid(): number | undefined {
    return this.live?.child.pid;
  }

  request(header: Record<string, unknown>, body?: Buffer, options: RequestOptions = {}): Promise<Frame> {
    const run = this.queue.then(() => this.run(header, body, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    const grace = this.options.closeGraceMs ?? 2000;
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([this.queue, new Promise((resolve) => { waited = setTimeout(resolve, grace); })]);
    clearTimeout(waited);
    const live = this.live;
    this.live = undefined;
    if (!live || live.dead) return;
    live.dead = true;
    const pending = this.pending;
    this.pending = undefined;
    if (pending?.timer) clearTimeout(pending.timer);
    pending?.reject(new HelperGaveUp(`${this.options.name} helper closed while serving ${pending.label}`));
    const exited = new Promise<void>((resolve) => live.child.once('exit', () => resolve()));
    live.child.stdin.end();
    const kill = setTimeout(() => live.child.kill('SIGKILL'), grace);
    await exited;
    clearTimeout(kill);
  }

  private async run(header: Record<string, unknown>, body: Buffer | undefined, options: RequestOptions): Promise<Frame> {
    if (this.closed) throw new HelperGaveUp(`${this.options.name} helper is closed`);
    if (!this.live || this.live.dead) await this.start();
    return this.exchange(header, body, options.label ?? String(header['op'] ?? 'request'), options.timeoutMs ?? this.options.requestTimeoutMs, options.onFrame);
  }

  private async start(): Promise<void> {
    if (this.gaveUp) throw new HelperGaveUp(this.gaveUp);
    if (this.generation > this.options.maxRestarts) {
      this.gaveUp = `${this.options.name} helper gave up after ${this.options.maxRestarts} restarts (last: ${this.recorded.at(-1)?.detail ?? 'unknown'})`;
      throw new HelperGaveUp(this.gaveUp);
    }
    this.generation += 1;
    const child = spawn(this.options.command, [...(this.options.args ?? [])], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: this.options.env ?? process.env,
      windowsHide: true,
    });
    const live: Live = { child, reader: new FrameReader(), stderr: Buffer.alloc(0), dead: false };
    this.live = live;
    child.stdout.on('data', (chunk: Buffer) => this.onData(live, chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      const all = Buffer.concat([live.stderr, chunk]);
      live.stderr = all.length > STDERR_TAIL_BYTES ? all.subarray(all.length - STDERR_TAIL_BYTES) : all;
    });
    // A helper that dies while we write to it makes stdin emit EPIPE; the exit handler reports it.
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => this.fail(live, 'spawn', err.message));
    child.on('exit', (code, signal) => {
      if (live.dead) return;
      this.fail(live, 'crash', signal ? `killed by ${signal}` : `exited with code ${code}`);
    });
    if (this.options.prepare) {
      const call: Call = (h, b) => this.exchange(h, b, 'prepare', this.options.requestTimeoutMs, undefined);
      try {
        await this.options.prepare(call);
      } catch (err) {
        // A refusal (the image cannot be opened) will not change on a restart: stop here for good.
        if (err instanceof HelperError) {
          this.gaveUp = `${this.options.name} helper: ${err.message}`;
          live.dead = true;
          child.kill('SIGKILL');
        }
        throw err;
      }
    }
  }

  private exchange(header: Record<string, unknown>, body: Buffer | undefined, label: string, timeoutMs: number, onFrame: ((f: Frame) => void) | undefined): Promise<Frame> {
    const live = this.live;
    if (!live || live.dead) return Promise.reject(new HelperFailure(this.recorded.at(-1) ?? this.incident('crash', label, 'helper not running', '')));
    return new Promise<Frame>((resolve, reject) => {
      const pending: Pending = { label, timeoutMs, onFrame, resolve, reject, timer: undefined };
      this.pending = pending;
      this.arm(live, pending);
      live.child.stdin.write(encodeFrame(header, body));
    });
  }

  private arm(live: Live, pending: Pending): void {
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = setTimeout(() => this.fail(live, 'timeout', `no answer within ${pending.timeoutMs} ms`), pending.timeoutMs);
  }

  private onData(live: Live, chunk: Buffer): void {
    if (live.dead) return;
    let frames: Frame[];
    try {
      frames = live.reader.push(chunk);
    } catch (err) {
      this.fail(live, 'protocol', err instanceof Error ? err.message : String(err));
      return;
    }
    for (const frame of frames) {
      const pending = this.pending;
      if (!pending) {
        this.fail(live, 'protocol', 'frame received with no request in flight');
        return;
      }
      if (frame.header['more'] === true) {
        this.arm(live, pending);
        pending.onFrame?.(frame);
        continue;
      }
      clearTimeout(pending.timer);
      this.pending = undefined;
      const error = frame.header['error'];
      if (typeof error === 'string') pending.reject(new HelperError(error, frame.header));
      else pending.resolve(frame);
    }
  }

  private fail(live: Live, kind: IncidentKind, detail: string): void {
    if (live.dead) return;
    live.dead = true;
    live.child.kill('SIGKILL');
    const pending = this.pending;
    this.pending = undefined;
    if (pending?.timer) clearTimeout(pending.timer);
    const stderr = live.stderr.toString('utf8').trim();
    const incident = this.incident(kind, pending?.label ?? 'idle', detail, stderr);
    this.recorded.push(incident);
    this.options.onIncident?.(incident);
    pending?.reject(new HelperFailure(incident));
  }

  private incident(kind: IncidentKind, request: string, detail: string, stderrTail: string): HelperIncident {
    return { helper: this.options.name, kind, request, detail, stderrTail, at: new Date().toISOString(), generation: this.generation };
  }
}
