import { closeSync, fstatSync, readSync } from 'node:fs';
import type { OpenCase } from '../catalog/case.js';
import { appendAudit } from '../audit/log.js';
import { openEvidence } from './openEvidence.js';
import { analyseVideo, VIDEO_ALGORITHMS } from '../video/analyse.js';
import { isAnimatedPicture, isVideoType, MAYBE_ANIMATED_TYPES, VIDEO_TYPES } from '../video/formats.js';
import { insertVideoData } from '../video/store.js';
import { SECONDS_PER_HASH_SEIZED } from '../video/vpdq.js';
import { makeContactSheet } from '../video/contactSheet.js';
import { VIDEO_HELPER_MISSING, VideoHelper, videoHelperPath } from '../video/videoHelper.js';

export interface VideoPhaseOptions {
  exhibit: string;
  examiner?: string;
  signal?: AbortSignal;
  onVideo?: (done: number, total: number) => void;
}

const HEAD_BYTES = 4096;

/**
 * The videos of this exhibit not analysed yet (and animated GIF/WebP, which are videos too) are
 * probed and hashed one at a time by one video helper process for the whole phase: libavcodec
 * already spreads one video's decoding over every core. A video that crashes or hangs the helper is
 * recorded with what happened and the next one gets a fresh process. Without the helper (not built)
 * no video is recorded, so that a later intake analyses them.
 * Each video lands in its own transaction, so an interrupted intake resumes with the next one. A
 * file whose bytes no longer give the catalogued SHA-256 is not analysed, and the audit log says so.
 */
export async function analyseVideos(c: OpenCase, exhibitId: number, locate: (rel: Buffer) => Buffer, opts: VideoPhaseOptions): Promise<number> {
  const candidates = c.db.prepare(`
    SELECT c.id AS contentId, c.sha256, c.size, c.detected_type AS mime, f.path, f.path_text AS pathText
    FROM content c
    JOIN file_instance f ON f.id = (
      SELECT min(id) FROM file_instance WHERE content_id = c.id AND exhibit_id = ? AND read_state = 'done')
    WHERE c.detected_type IN (SELECT value FROM json_each(?))
      AND NOT EXISTS (SELECT 1 FROM video_data v WHERE v.content_id = c.id)
    ORDER BY c.id`).all(exhibitId, JSON.stringify([...VIDEO_TYPES, ...MAYBE_ANIMATED_TYPES])) as Candidate[];
  if (candidates.length === 0) return 0;
  if (!videoHelperPath()) {
    appendAudit(c.db, 'intake.videos-skipped', { exhibit: opts.exhibit, videos: candidates.length, message: VIDEO_HELPER_MISSING }, opts.examiner);
    return 0;
  }
  const helper = new VideoHelper();
  try {
    return await analyseEach(c, helper, candidates, locate, opts);
  } finally {
    await helper.close();
  }
}

interface Candidate { contentId: number; sha256: string; size: number; mime: string; path: Buffer; pathText: string }

async function analyseEach(c: OpenCase, helper: VideoHelper, candidates: Candidate[], locate: (rel: Buffer) => Buffer, opts: VideoPhaseOptions): Promise<number> {
  // Which FFmpeg libraries decoded, for each video's audit entry: the pixels depend on their versions.
  const decoder = await helper.version().catch(() => null);
  let analysed = 0;
  for (const [i, v] of candidates.entries()) {
    opts.signal?.throwIfAborted();
    const path = locate(v.path);
    let fd: number;
    try {
      fd = openEvidence(path);
    } catch (err) {
      appendAudit(c.db, 'intake.video-skipped', { exhibit: opts.exhibit, path: v.pathText, message: (err as Error).message }, opts.examiner);
      continue;
    }
    try {
      if (fstatSync(fd).size !== v.size) {
        appendAudit(c.db, 'intake.video-skipped', { exhibit: opts.exhibit, path: v.pathText, message: 'size differs from the catalogued content; not analysed' }, opts.examiner);
        continue;
      }
      if (!isVideoType(v.mime) && !isAnimatedPicture(readHead(fd))) continue;
      const file = { fd, path };
      const analysis = await analyseVideo(helper, file, SECONDS_PER_HASH_SEIZED, opts.signal);
      const sheet = analysis.decodeError ? null : await makeContactSheet(helper, c.dir, v.sha256, file, opts.signal);
      c.db.transaction(() => {
        insertVideoData(c.db, v.contentId, analysis, sheet);
        appendAudit(c.db, analysis.decodeError ? 'intake.video-error' : 'intake.video', {
          exhibit: opts.exhibit, path: v.pathText, sha256: v.sha256,
          ...(analysis.decodeError
            ? { message: analysis.decodeError }
            : { frames: analysis.features.length, secondsPerHash: analysis.secondsPerHash, crop: analysis.crop, algorithm: VIDEO_ALGORITHMS.vpdq.name, decoder }),
        }, opts.examiner);
      })();
      analysed += 1;
    } finally {
      closeSync(fd);
    }
    opts.onVideo?.(i + 1, candidates.length);
  }
  return analysed;
}

function readHead(fd: number): Uint8Array {
  const head = Buffer.alloc(HEAD_BYTES);
  const n = readSync(fd, head, 0, HEAD_BYTES, 0);
  return head.subarray(0, n);
}
