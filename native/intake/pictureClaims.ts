import type { OpenCase } from '../catalog/case.js';
import type { CatalogWriter, ReadOutcome } from './catalogWriter.js';
import { ReaderPool } from './readerPool.js';

const WRITE_BATCH = 256;

/**
 * The reader threads of one intake pass (folder or disk image) and the batch of outcomes waiting to
 * be written. A picture's content is decoded once: not again for a copy found elsewhere in the
 * exhibit, nor for one already analysed. A claim lasts until the analysis is in the catalogue, so
 * it is released only when its batch is written.
 */
export function claimingReaders(c: OpenCase, workers: number | undefined, writer: CatalogWriter) {
  const analysed = c.db.prepare('SELECT 1 FROM content c JOIN image_data i ON i.content_id = c.id WHERE c.sha256 = ?').pluck();
  const claimed = new Set<string>();
  const pool = new ReaderPool(workers, (sha256) => {
    if (claimed.has(sha256) || analysed.get(sha256) !== undefined) return false;
    claimed.add(sha256);
    return true;
  });
  const done: ReadOutcome[] = [];
  const flush = () => {
    if (done.length === 0) return;
    const batch = done.splice(0);
    writer.recordReads(batch);
    for (const r of batch) if (r.ok && r.image) claimed.delete(r.sha256);
  };
  return {
    pool,
    flush,
    /** Queues an outcome for the catalogue, writing a batch once it is full. */
    record(outcome: ReadOutcome) {
      done.push(outcome);
      if (done.length >= WRITE_BATCH) flush();
    },
  };
}
