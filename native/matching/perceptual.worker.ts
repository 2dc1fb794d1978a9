import { parentPort } from 'node:worker_threads';
import { searchRange, type RangeJob } from './mih.js';

/** One share of a perceptual search: the list buckets [lo, hi) of every chunk. */
parentPort!.on('message', (job: RangeJob) => {
  try {
    const r = searchRange(job);
    parentPort!.postMessage({ ok: true, value: r }, [r.query.buffer as ArrayBuffer, r.list.buffer as ArrayBuffer, r.distance.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
