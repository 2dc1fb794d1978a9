import type { VpdqFeature } from '../video/vpdq.js';
import type { Db } from '../catalog/sqlite.js';

/**
 * A listed video's vPDQ features packed for video_hash.features: per frame its number (uint32 LE),
 * quality (uint8), timestamp in seconds (float64 LE, as read from the list) and 32-byte PDQ hash.
 * 45 bytes a frame instead of ~90 as text; an every-frame list of a one-hour video is ~4.9 MB.
 */
const FRAME_BYTES = 45;

export function packFeatures(features: readonly VpdqFeature[]): Buffer {
  const out = Buffer.alloc(features.length * FRAME_BYTES);
  features.forEach((f, i) => {
    const at = i * FRAME_BYTES;
    out.writeUInt32LE(f.frame, at);
    out.writeUInt8(f.quality, at + 4);
    out.writeDoubleLE(f.timestamp, at + 5);
    out.write(f.hash, at + 13, 32, 'hex');
  });
  return out;
}

export function unpackFeatures(blob: Buffer, what: string): VpdqFeature[] {
  if (blob.length % FRAME_BYTES !== 0) throw new Error(`${what}: packed vPDQ features are ${blob.length} bytes, not a multiple of ${FRAME_BYTES}`);
  const out: VpdqFeature[] = [];
  for (let at = 0; at < blob.length; at += FRAME_BYTES) {
    out.push({
      frame: blob.readUInt32LE(at),
      quality: blob.readUInt8(at + 4),
      timestamp: blob.readDoubleLE(at + 5),
      hash: blob.toString('hex', at + 13, at + FRAME_BYTES),
    });
  }
  return out;
}

export interface ListedVideo {
  entryId: number;
  listId: number;
  features: VpdqFeature[];
}

/** Every listed video of the given lists, with its features. */
export function loadListedVideos(db: Db, listIds: readonly number[]): ListedVideo[] {
  const stmt = db.prepare('SELECT entry_id, list_id, features FROM video_hash WHERE list_id = ? ORDER BY entry_id');
  const out: ListedVideo[] = [];
  for (const listId of listIds) {
    for (const r of stmt.iterate(listId) as Iterable<{ entry_id: number; list_id: number; features: Buffer }>) {
      out.push({ entryId: r.entry_id, listId: r.list_id, features: unpackFeatures(r.features, `library entry ${r.entry_id}`) });
    }
  }
  return out;
}
