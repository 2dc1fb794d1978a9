import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { OpenCase } from '../catalog/case.js';
import type { EntryAddress } from '../disk/imageSource.js';
import { MAX_IMAGE_BYTES } from '../image/formats.js';
import { TskClient, type FsWhere } from '../tsk/tskClient.js';

/**
 * The viewer's way into disk images: the original bytes of an entry read again, read-only, through
 * kestrel-tsk at the address intake recorded (volume, inode or MFT entry, attribute), and shown only
 * when they still have the catalogued SHA-256. One helper process per image, kept while the case is
 * open (never one per picture), under the helper supervisor: a crash on damaged evidence costs the
 * picture, not the app.
 */

interface StoredVolume { offset: number; fsType: string | null; pool: { offset: number; block: number } | null }
interface ImageRow { exhibit_id: number; label: string; image_segments: string; volumes: string; path_text: string; address: string }

export interface ImageRead {
  bytes: Buffer;
  exhibitLabel: string;
  path: string;
}

export class ImageReaders {
  private readonly clients = new Map<number, { client: TskClient; fs: Map<number, number> }>();

  /** The content's bytes from the first image entry that reads back with its SHA-256, or why none did. */
  async read(c: OpenCase, contentId: number, sha256: string): Promise<ImageRead | { unreachable: string[] }> {
    const rows = c.db.prepare(
      `SELECT f.exhibit_id, e.label, e.image_segments, e.volumes, f.path_text, f.address FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id
       WHERE f.content_id = ? AND f.read_state = 'done' AND f.address IS NOT NULL AND e.source_kind = 'image' AND e.image_segments IS NOT NULL
       ORDER BY f.id`,
    ).all(contentId) as ImageRow[];
    const reasons: string[] = [];
    for (const row of rows) {
      try {
        const bytes = await this.readEntry(row);
        if (createHash('sha256').update(bytes).digest('hex') !== sha256) {
          reasons.push(`${row.path_text}: read from the image, its bytes do not have the catalogued SHA-256`);
          continue;
        }
        return { bytes, exhibitLabel: row.label, path: row.path_text };
      } catch (err) {
        reasons.push(`${row.path_text}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return { unreachable: reasons };
  }

  private async readEntry(row: ImageRow): Promise<Buffer> {
    const segments = (JSON.parse(row.image_segments) as { path: string }[]).map((s) => s.path);
    const missing = segments.find((s) => !existsSync(s));
    if (missing !== undefined) throw new Error(`image segment ${missing} is not reachable`);
    const address = JSON.parse(row.address) as EntryAddress;
    const volume = (JSON.parse(row.volumes) as { volumes: StoredVolume[] }).volumes[address.volume];
    if (!volume?.fsType) throw new Error(`volume ${address.volume} of the image holds no file system the intake read`);
    let open = this.clients.get(row.exhibit_id);
    if (!open) {
      open = { client: new TskClient(segments, { requestTimeoutMs: 30_000, maxRestarts: 3 }), fs: new Map() };
      this.clients.set(row.exhibit_id, open);
    }
    let fs = open.fs.get(address.volume);
    if (fs === undefined) {
      // Found again as intake found it (TSK's detection at the same offset), not forced by name.
      const where: FsWhere = volume.pool ? { offset: 0, poolOffset: volume.pool.offset, poolBlock: volume.pool.block } : { offset: volume.offset };
      fs = (await open.client.openFs(where)).fs;
      open.fs.set(address.volume, fs);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const end = await open.client.cat(fs, address.inum, address.attr ?? null, row.path_text, (chunk) => {
      size += chunk.length;
      if (size <= MAX_IMAGE_BYTES) chunks.push(chunk);
    });
    if (size > MAX_IMAGE_BYTES) throw new Error(`larger than ${MAX_IMAGE_BYTES} bytes`);
    if (end.read < end.size) throw new Error(`read ${end.read} of ${end.size} bytes${end.warning ? `: ${end.warning}` : ''}`);
    return Buffer.concat(chunks, size);
  }

  async close(): Promise<void> {
    const open = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(open.map((o) => o.client.close()));
  }
}
