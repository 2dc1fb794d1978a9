import { closeSync, createReadStream, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { OpenCase } from '../catalog/case.js';
import { appendAudit } from '../audit/log.js';
import { KestrelError, describeError } from '../util/result.js';
import { displayPath } from '../util/pathBytes.js';
import { CatalogWriter, type ReadOutcome } from './catalogWriter.js';
import { claimingReaders } from './pictureClaims.js';
import { extensionMismatch, sniff, SNIFF_BYTES } from './sniff.js';
import { identifyImage, UnsupportedImage, type ImageSource } from '../disk/imageFormat.js';
import { ewfInfo, ewfVerify, type EwfMetadata, type EwfVerification } from '../disk/ewf.js';
import { listVolume, readLayout, type EntryAddress, type ImageLayout } from '../disk/imageSource.js';
import { TskClient, tskHelperPath } from '../tsk/tskClient.js';
import { HelperFailure, HelperGaveUp, HelperError } from '../helpers/supervisor.js';
import { MAX_IMAGE_BYTES, mayBeImage } from '../image/formats.js';
import { saveThumbnail } from '../image/store.js';
import type { IntakeOptions } from './intake.js';
import type { Materialized } from './archiveIntake.js';

/**
 * A disk image opened for intake: its container, segments and the Sleuth Kit helper serving it.
 * Null when SOURCE is a plain file that holds neither a partition table nor a file system (it is
 * then taken in as one file, as before images were read).
 */
export interface OpenedImage {
  image: ImageSource;
  client: TskClient;
  layout: ImageLayout;
  tskVersion: string;
}

export async function openImage(source: string, opts: IntakeOptions): Promise<OpenedImage | null> {
  let image: ImageSource;
  try {
    image = identifyImage(source);
  } catch (err) {
    if (err instanceof UnsupportedImage) throw new KestrelError(`${source}: ${err.message}`, 'E_IMAGE_FORMAT');
    throw new KestrelError(`${source}: cannot read: ${describeError(err)}`, 'E_SOURCE');
  }
  if (!tskHelperPath()) {
    if (image.format === 'raw' && !opts.fsType) return null;
    throw new KestrelError(`${source}: a ${image.format} disk image, but the Sleuth Kit helper is not built (install libtsk-dev and run npm run build)`, 'E_NO_TSK');
  }
  const client = new TskClient(image.segments, { requestTimeoutMs: opts.tsk?.timeoutMs, env: opts.tsk?.env });
  try {
    const tskVersion = await client.version();
    const layout = await readLayout(client, opts.fsType);
    const readable = layout.volumes.some((v) => v.fs !== null);
    if (!readable && image.format === 'raw' && !opts.fsType) {
      await client.close();
      return null;
    }
    if (!readable) {
      const why = layout.volumes.map((v) => v.message).filter(Boolean).join('; ');
      throw new KestrelError(`${source}: no file system the Sleuth Kit can read${why ? `: ${why}` : ''}; --fs-type forces one`, 'E_NO_FS');
    }
    return { image, client, layout, tskVersion };
  } catch (err) {
    await client.close();
    if (err instanceof HelperError || err instanceof HelperGaveUp) throw new KestrelError(`${source}: ${err.message}`, 'E_IMAGE');
    throw err;
  }
}

export interface SegmentRecord { path: string; size: number; md5: string; sha256: string }

/** Each segment file hashed as received (MD5 and SHA-256 of the file itself, not of the media). */
export async function hashSegments(segments: readonly string[], signal?: AbortSignal): Promise<SegmentRecord[]> {
  const out: SegmentRecord[] = [];
  for (const path of segments) {
    const md5 = createHash('md5');
    const sha256 = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 21, signal })) {
      md5.update(chunk as Buffer);
      sha256.update(chunk as Buffer);
    }
    out.push({ path, size: statSync(path).size, md5: md5.digest('hex'), sha256: sha256.digest('hex') });
  }
  return out;
}

interface Provenance { segments: SegmentRecord[]; verification: EwfVerification | null; acquisition: EwfMetadata | null }

/**
 * First run only (a resume keeps what was recorded): hash the segments, verify an E01 against its
 * stored acquisition hashes and read its case metadata, record all of it on the exhibit and in the
 * audit log. A mismatch is recorded and shouted, and the intake goes on: the examiner decides.
 */
export async function recordProvenance(c: OpenCase, exhibitId: number, opened: OpenedImage, opts: IntakeOptions): Promise<Provenance> {
  const row = c.db.prepare('SELECT image_segments, verification_detail, acquisition FROM exhibit WHERE id = ?').get(exhibitId) as {
    image_segments: string | null; verification_detail: string | null; acquisition: string | null;
  };
  if (row.image_segments) {
    return {
      segments: JSON.parse(row.image_segments) as SegmentRecord[],
      verification: row.verification_detail ? JSON.parse(row.verification_detail) as EwfVerification : null,
      acquisition: row.acquisition ? JSON.parse(row.acquisition) as EwfMetadata : null,
    };
  }
  const { image, layout } = opened;
  const isEwf = image.format === 'ewf';
  const [segments, verification, acquisition] = await Promise.all([
    hashSegments(image.segments, opts.signal),
    isEwf ? ewfVerify(image.segments[0]!) : Promise.resolve(null),
    isEwf ? ewfInfo(image.segments[0]!) : Promise.resolve(null),
  ]);
  const volumes = layout.volumes.map(({ fs: _fs, ...v }) => v);
  c.db.transaction(() => {
    c.db.prepare(`UPDATE exhibit SET source_kind = 'image', image_format = ?, image_segments = ?, verification = ?,
      verification_detail = ?, acquisition = ?, volumes = ? WHERE id = ?`).run(
      image.format, JSON.stringify(segments), verification?.status ?? null, verification ? JSON.stringify(verification) : null,
      acquisition ? JSON.stringify(acquisition) : null,
      JSON.stringify({ imgType: layout.imgType, size: layout.size, sectorSize: layout.sectorSize, vsType: layout.vsType, volumes }), exhibitId);
    appendAudit(c.db, 'exhibit.image', {
      exhibit: opts.exhibit, format: image.format, tskImageType: layout.imgType, mediaSize: layout.size, tsk: opened.tskVersion,
      segments, volumeSystem: layout.vsType, volumes,
    }, opts.examiner);
    if (verification) {
      appendAudit(c.db, 'exhibit.verification', { exhibit: opts.exhibit, ...verification, acquisition }, opts.examiner);
    }
  })();
  return { segments, verification, acquisition };
}

interface PendingImageRow { id: number; path_text: string; size: number | null; extension: string | null; address: string }

const PAGE = 1024;

/**
 * Lists every volume of the image into the catalogue (entries already recorded are kept) and reads
 * every pending file through the helper: digests in this thread, pictures analysed by the reader
 * threads. A helper crash or hang costs the entry being read (recorded as its error, with the
 * incident in the audit log); the helper restarts and the intake goes on.
 */
export async function catalogueImage(
  c: OpenCase, exhibitId: number, writer: CatalogWriter, opened: OpenedImage, opts: IntakeOptions,
  tick: (change: { phase: 'listing' | 'reading'; entries?: number; filesDone?: number; bytesDone?: number; errors?: number }) => void,
  setTotals: (files: number, bytes: number) => void,
): Promise<{ files: number; bytes: number }> {
  const { client, layout } = opened;
  let listed = 0;
  for (const volume of layout.volumes) {
    opts.signal?.throwIfAborted();
    const walked = await listVolume(client, volume, (entries) => {
      writer.addImageEntries(entries);
      listed += entries.length;
      tick({ phase: 'listing', entries: listed });
    }, { fileSlack: opts.fileSlack });
    if (walked.warning) appendAudit(c.db, 'intake.warning', { exhibit: opts.exhibit, volume: volume.label, message: walked.warning });
  }

  const totals = c.db.prepare(`SELECT count(*) AS files, coalesce(sum(size), 0) AS bytes FROM file_instance
    WHERE exhibit_id = ? AND read_state = 'pending'`).get(exhibitId) as { files: number; bytes: number };
  setTotals(totals.files, totals.bytes);
  const page = c.db.prepare(`SELECT id, path_text, size, extension, address FROM file_instance
    WHERE exhibit_id = ? AND read_state = 'pending' AND id > ? ORDER BY id LIMIT ?`);
  const { pool, flush, record } = claimingReaders(c, opts.workers, writer);
  const pictures = new Set<Promise<void>>();
  let filesDone = 0;
  let bytesDone = 0;
  let errors = 0;
  const finish = (outcome: ReadOutcome, size: number) => {
    filesDone += 1;
    if (outcome.ok) bytesDone += size;
    else errors += 1;
    record(outcome);
    tick({ phase: 'reading', filesDone, bytesDone, errors });
  };
  try {
    let lastId = 0;
    for (;;) {
      const rows = page.all(exhibitId, lastId, PAGE) as PendingImageRow[];
      if (rows.length === 0) break;
      lastId = rows[rows.length - 1]!.id;
      for (const row of rows) {
        opts.signal?.throwIfAborted();
        const address = JSON.parse(row.address) as EntryAddress;
        const volume = layout.volumes[address.volume];
        const fs = volume?.fs;
        if (fs === null || fs === undefined) {
          finish({ ok: false, instanceId: row.id, pathText: row.path_text, code: 'ENOFS', message: 'its file system was not opened in this run' }, 0);
          continue;
        }
        const got = await readEntry(client, fs, address, row.path_text, row.size ?? 0);
        if (!got.ok) {
          if (got.incident) {
            appendAudit(c.db, 'intake.helper-incident', { exhibit: opts.exhibit, path: row.path_text, ...got.incident });
          }
          finish({ ok: false, instanceId: row.id, pathText: row.path_text, code: got.code, message: got.message }, 0);
          continue;
        }
        if (got.picture) {
          const task = pool.read({ id: row.id, path: new Uint8Array(0), listedSize: got.size, listedMtime: '', content: got.picture })
            .then((res) => {
              if (res.ok) {
                finish({
                  ok: true, instanceId: row.id, pathText: row.path_text, md5: res.md5, sha1: res.sha1, sha256: res.sha256, size: res.size,
                  mime: res.mime, typeMismatch: extensionMismatch(row.extension ?? '', res), changedDuringIntake: false,
                  image: res.image, thumbnail: res.image ? saveThumbnail(c.dir, res.sha256, res.image) : null,
                }, res.size);
              } else {
                finish({ ok: false, instanceId: row.id, pathText: row.path_text, code: res.code, message: res.message }, 0);
              }
            });
          pictures.add(task);
          void task.finally(() => pictures.delete(task));
          if (pictures.size >= 8) await Promise.race(pictures);
        } else {
          const type = await sniff(got.head, got.size);
          finish({
            ok: true, instanceId: row.id, pathText: row.path_text, md5: got.md5, sha1: got.sha1, sha256: got.sha256, size: got.size,
            mime: type.mime, typeMismatch: extensionMismatch(row.extension ?? '', type), changedDuringIntake: false, image: null, thumbnail: null,
          }, got.size);
        }
      }
    }
    await Promise.all(pictures);
  } finally {
    await Promise.allSettled(pictures);
    flush();
    await pool.close();
  }
  return { files: filesDone, bytes: bytesDone };
}

type EntryRead =
  | { ok: true; size: number; md5: string; sha1: string; sha256: string; head: Buffer; picture: Uint8Array | null }
  | { ok: false; code: string; message: string; incident?: Record<string, unknown> };

/** One entry's content through the helper: hashed as it streams, a picture kept whole for analysis. */
async function readEntry(client: TskClient, fs: number, address: EntryAddress, label: string, listedSize: number): Promise<EntryRead> {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  let head = Buffer.alloc(0);
  let kept: Buffer[] | null = listedSize <= MAX_IMAGE_BYTES ? [] : null;
  let size = 0;
  try {
    const end = await client.cat(fs, address.inum, address.attr ?? null, label, (chunk) => {
      if (head.length < SNIFF_BYTES) {
        head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        if (kept && size === 0 && !mayBeImage(head)) kept = null;
      }
      if (kept) kept.push(chunk);
      md5.update(chunk);
      sha1.update(chunk);
      sha256.update(chunk);
      size += chunk.length;
    }, { slack: address.slack === true });
    if (end.read < end.size) {
      return { ok: false, code: 'ESHORT', message: `read ${end.read} of ${end.size} bytes${end.warning ? `: ${end.warning}` : ''}` };
    }
    const picture = kept && size > 0 ? new Uint8Array(Buffer.concat(kept, size)) : null;
    return { ok: true, size, md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex'), head, picture };
  } catch (err) {
    if (err instanceof HelperFailure) {
      const { incident } = err;
      return {
        ok: false, code: 'EHELPER', message: err.message,
        incident: { helper: incident.helper, kind: incident.kind, detail: incident.detail, stderr: incident.stderrTail, generation: incident.generation },
      };
    }
    if (err instanceof HelperError) return { ok: false, code: 'ETSK', message: err.message };
    throw err;
  }
}

/**
 * An archive inside an image is copied out by the helper into the case's temporary folder (the
 * archive reader needs a file), and removed once expanded.
 */
export function imageMaterializer(c: OpenCase, opened: OpenedImage) {
  const addressOf = c.db.prepare('SELECT address FROM file_instance WHERE id = ?').pluck();
  return async (row: { id: number; path: Buffer; size: number | null }, tmp: string): Promise<Materialized> => {
    const address = JSON.parse(addressOf.get(row.id) as string) as EntryAddress;
    const fs = opened.layout.volumes[address.volume]?.fs;
    if (fs === null || fs === undefined) throw new Error('its file system was not opened in this run');
    const file = join(tmp, `archive-${row.id}`);
    const fd = openSync(file, 'wx', 0o600);
    try {
      await opened.client.cat(fs, address.inum, address.attr ?? null, displayPath(row.path), (chunk) => { writeSync(fd, chunk); });
    } catch (err) {
      closeSync(fd);
      rmSync(file, { force: true });
      throw err;
    }
    closeSync(fd);
    return { path: file, cleanup: () => rmSync(file, { force: true }) };
  };
}
