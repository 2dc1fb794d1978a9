import type { Db } from '../catalog/sqlite.js';
import { appendAudit } from '../audit/log.js';
import { displayPath } from '../util/pathBytes.js';
import { extensionOf } from './sniff.js';
import { nsToIso } from './times.js';
import type { WalkEntry } from './walk.js';
import { insertImageData } from '../image/store.js';
import type { ImageAnalysis } from '../image/analyse.js';
import type { ImageEntry } from '../disk/imageSource.js';

/** Statements the intake writes with, prepared once per run. All SQL of the intake lives here. */
export class CatalogWriter {
  private readonly insertEntry;
  private readonly insertImageEntry;
  private readonly insertContent;
  private readonly contentId;
  private readonly markRead;
  private readonly markError;

  constructor(private readonly db: Db, private readonly exhibitId: number, private readonly runId: number) {
    this.insertEntry = db.prepare(`
      INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, size, mode, uid, gid,
        inode, nlink, mtime, ctime, atime, birthtime, link_target, link_target_text, extension, read_state,
        error, error_code)
      VALUES (@exhibitId, @runId, @path, @pathText, @type, @size, @mode, @uid, @gid, @inode, @nlink, @mtime,
        @ctime, @atime, @birthtime, @linkTarget, @linkTargetText, @extension, @readState, @error, @errorCode)
      ON CONFLICT (exhibit_id, path) DO NOTHING`);
    this.insertImageEntry = db.prepare(`
      INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, size, inode, mtime, ctime,
        atime, birthtime, extension, read_state, address, fs_type, deleted, meta_reallocated, orphan, alt_stream,
        content_unverified, slack)
      VALUES (@exhibitId, @runId, @path, @pathText, @type, @size, @inode, @mtime, @ctime, @atime, @birthtime,
        @extension, @readState, @address, @fsType, @deleted, @metaReallocated, @orphan, @altStream, @contentUnverified, @slack)
      ON CONFLICT (exhibit_id, path) DO NOTHING`);
    this.insertContent = db.prepare(`
      INSERT INTO content (sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (sha256) DO NOTHING`);
    this.contentId = db.prepare('SELECT id FROM content WHERE sha256 = ?').pluck();
    this.markRead = db.prepare(`
      UPDATE file_instance SET content_id = ?, read_state = 'done', type_mismatch = ?, error = ?, error_code = ?
      WHERE id = ? AND read_state = 'pending'`);
    this.markError = db.prepare(`
      UPDATE file_instance SET read_state = 'error', error = ?, error_code = ? WHERE id = ? AND read_state = 'pending'`);
  }

  /** Records listed entries; entries already recorded by an earlier, interrupted run are left as they are. */
  addEntries(entries: readonly WalkEntry[], isSourceRoot: (e: WalkEntry) => boolean): void {
    this.db.transaction(() => {
      for (const e of entries) {
        const st = e.stat;
        const readable = e.type === 'file' || (e.type === 'block-device' && isSourceRoot(e));
        const readState = e.error ? 'error' : readable ? 'pending' : 'done';
        const result = this.insertEntry.run({
          exhibitId: this.exhibitId,
          runId: this.runId,
          path: e.rel,
          pathText: displayPath(e.rel),
          type: e.type,
          size: st ? Number(st.size) : null,
          mode: st ? Number(st.mode) : null,
          uid: st ? Number(st.uid) : null,
          gid: st ? Number(st.gid) : null,
          inode: st ? st.ino.toString() : null,
          nlink: st ? Number(st.nlink) : null,
          mtime: st ? nsToIso(st.mtimeNs) : null,
          ctime: st ? nsToIso(st.ctimeNs) : null,
          atime: st ? nsToIso(st.atimeNs) : null,
          // Linux reports 0 where the file system keeps no birth time.
          birthtime: st && st.birthtimeNs !== 0n ? nsToIso(st.birthtimeNs) : null,
          linkTarget: e.linkTarget,
          linkTargetText: e.linkTarget ? displayPath(e.linkTarget) : null,
          extension: e.type === 'file' ? extensionOf(e.rel) : null,
          readState,
          error: e.error?.message ?? null,
          errorCode: e.error?.code ?? null,
        });
        if (result.changes === 1 && e.error) {
          appendAudit(this.db, 'intake.error', {
            exhibit: this.exhibitId, run: this.runId, path: displayPath(e.rel), code: e.error.code, message: e.error.message,
          });
        }
      }
    })();
  }

  /**
   * Records entries of a disk image (see native/disk/imageSource.ts); as for folders, entries an
   * earlier, interrupted run recorded are left as they are.
   */
  addImageEntries(entries: readonly ImageEntry[]): void {
    this.db.transaction(() => {
      for (const e of entries) {
        this.insertImageEntry.run({
          exhibitId: this.exhibitId,
          runId: this.runId,
          path: e.rel,
          pathText: displayPath(e.rel),
          type: e.type,
          size: e.size,
          inode: e.inode,
          mtime: e.mtime,
          ctime: e.ctime,
          atime: e.atime,
          birthtime: e.birthtime,
          extension: e.type === 'file' && !e.slack ? extensionOf(e.rel) : null,
          readState: e.readable ? 'pending' : 'done',
          address: JSON.stringify(e.address),
          fsType: e.fsType,
          deleted: e.deleted ? 1 : 0,
          metaReallocated: e.metaReallocated ? 1 : 0,
          orphan: e.orphan ? 1 : 0,
          altStream: e.altStream ? 1 : 0,
          contentUnverified: e.contentUnverified ? 1 : 0,
          slack: e.slack ? 1 : 0,
        });
      }
    })();
  }

  recordRead(r: ReadOutcome): void {
    if (r.ok) {
      this.insertContent.run(r.sha256, r.sha1, r.md5, r.size, r.mime);
      const contentId = this.contentId.get(r.sha256) as number;
      if (r.image) this.recordImage(contentId, r.pathText, r.image, r.thumbnail);
      const warning = r.changedDuringIntake ? 'file changed while it was read; the digests are of the bytes read' : null;
      this.markRead.run(contentId, r.typeMismatch ? 1 : 0, warning, warning ? 'ECHANGED' : null, r.instanceId);
      if (warning) {
        appendAudit(this.db, 'intake.warning', { exhibit: this.exhibitId, run: this.runId, path: r.pathText, code: 'ECHANGED', message: warning });
      }
    } else {
      this.markError.run(r.message, r.code, r.instanceId);
      appendAudit(this.db, 'intake.error', {
        exhibit: this.exhibitId, run: this.runId, path: r.pathText, code: r.code, message: r.message,
      });
    }
  }

  /** A picture's analysis (call inside the transaction that writes its content row). */
  recordImage(contentId: number, pathText: string, image: ImageAnalysis, thumbnail: string | null): void {
    insertImageData(this.db, contentId, image, thumbnail);
    if (image.decodeError) {
      appendAudit(this.db, 'intake.image-error', { exhibit: this.exhibitId, run: this.runId, path: pathText, message: image.decodeError });
    }
  }

  recordReads(results: readonly ReadOutcome[]): void {
    this.db.transaction(() => {
      for (const r of results) this.recordRead(r);
    })();
  }
}

export type ReadOutcome =
  | {
      ok: true; instanceId: number; pathText: string; md5: string; sha1: string; sha256: string; size: number;
      mime: string; typeMismatch: boolean; changedDuringIntake: boolean;
      /** A picture's analysis and its thumbnail's path in the case folder (already written). */
      image: ImageAnalysis | null; thumbnail: string | null;
    }
  | { ok: false; instanceId: number; pathText: string; code: string; message: string };
