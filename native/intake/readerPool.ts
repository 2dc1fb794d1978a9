import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { startWorker } from '../util/workerEntry.js';
import type { AnalyseAnswer, ReadRequest, ReadResponse, ReaderMessage } from './readRequest.js';

/**
 * Reader threads, one per core: each reads and hashes whole files, so the cores work on different
 * files and the main thread is left to list entries and write the catalogue.
 */
export class ReaderPool {
  private readonly workers: Worker[] = [];
  /** Free request slots, a worker listed once per slot. */
  private readonly idle: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (r: ReadResponse) => void; reject: (e: Error) => void }>();
  private readonly queue: ReadRequest[] = [];
  private failure: Error | null = null;

  /**
   * `shouldAnalyse` answers a reader's question whether a picture's content still needs its
   * analysis (by default every picture is analysed).
   */
  constructor(size = availableParallelism(), private readonly shouldAnalyse: (sha256: string) => boolean = () => true) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const w = startWorker('read.worker', import.meta.url);
      w.on('message', (msg: ReaderMessage) => {
        if ('question' in msg) w.postMessage({ id: msg.id, analyse: this.shouldAnalyse(msg.sha256) } satisfies AnalyseAnswer);
        else this.done(w, msg);
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`reader thread stopped with exit code ${code}`));
      });
      this.workers.push(w);
      // Two requests a thread, so a thread finishing one file starts the next without waiting on us.
      this.idle.push(w, w);
    }
  }

  read(req: ReadRequest): Promise<ReadResponse> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(req.id, { resolve, reject });
      this.queue.push(req);
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      this.idle.pop()!.postMessage(this.queue.shift()!);
    }
  }

  private done(w: Worker, res: ReadResponse): void {
    const waiter = this.waiting.get(res.id);
    this.waiting.delete(res.id);
    this.idle.push(w);
    this.pump();
    waiter?.resolve(res);
  }

  private fail(err: Error): void {
    this.failure = err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
