import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import { KestrelError, describeError } from '../util/result.js';
import { TOOL_VERSION } from '../util/version.js';
import { parseVpdqJson, parseVpdqText, VpdqFormatError } from '../video/vpdqFiles.js';
import type { VpdqFeature } from '../video/vpdq.js';
import { packFeatures } from './videoHashes.js';
import { printable, type ListRecord } from './readersCommon.js';
import { listHashLists, type HashLibrary } from './library.js';
import type { ImportOptions, ImportResult } from './importer.js';
import { rejectReportPath, writeRejectReport, type Reject } from './rejectReport.js';

const VPDQ_FILE = /\.(txt|json)$/i;

interface VideoFile { path: string; rel: string; size: number }

/**
 * Imports vPDQ hashes as one list version: a file is one video (vpdq-hash-video's
 * frame,quality,pdqhex,timestamp lines, or python-threatexchange's JSON signal), a folder is every
 * .txt and .json file under it, one video each, in path order. The file name is the video's label.
 * All frames are kept as written (lists of known material are hashed at every frame, which is what
 * lets a clip hashed at 1 s from any offset line up). One transaction: a bad file imports nothing
 * unless skipInvalid, and the error names the file and the line or item.
 */
export function importVpdqList(lib: HashLibrary, fileOrFolder: string, options: ImportOptions): ImportResult {
  const path = resolve(fileOrFolder);
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw new KestrelError(`${path}: cannot read: ${describeError(err)}`, 'E_READ');
  }
  const files = st.isDirectory() ? videoFiles(path) : st.isFile() ? [{ path, rel: basename(path), size: st.size }] : [];
  if (!st.isDirectory() && !st.isFile()) throw new KestrelError(`${path}: not a file or folder`, 'E_READ');
  if (files.length === 0) throw new KestrelError(`${path}: no .txt or .json vPDQ hash files in the folder; nothing was imported`, 'E_EMPTY_LIST');
  const name = options.name?.trim() || basename(path, st.isDirectory() ? '' : extname(path));
  const db = lib.db;
  const uid = randomUUID();
  const rejects: Reject[] = [];
  let reportPath: string | null = null;
  // The list's SHA-256: of the file, or for a folder of its sha256sum-style manifest (hash, two
  // spaces, relative path, in path order), so the same folder always gives the same digest.
  const manifest = createHash('sha256');
  let single = '';
  const kinds = new Set<string>();

  db.transaction(() => {
    const version = ((db.prepare('SELECT max(version) AS v FROM hash_list WHERE name = ?').get(name) as { v: number | null }).v ?? 0) + 1;
    const firstEntry = ((db.prepare('SELECT max(id) AS m FROM entry').get() as { m: number | null }).m ?? 0) + 1;
    const totalSize = files.reduce((s, f) => s + f.size, 0);
    const listId = Number(db.prepare(
      `INSERT INTO hash_list (uid, name, version, format, scheme, known, source_file, file_sha256, file_size, imported_at,
         records_read, records_imported, records_rejected, first_entry, entry_count, tool_version)
       VALUES (?, ?, ?, 'vpdq', NULL, ?, ?, '', ?, ?, 0, 0, 0, ?, 0, ?)`,
    ).run(uid, name, version, options.known ? 1 : 0, path, totalSize, new Date().toISOString(), firstEntry, TOOL_VERSION).lastInsertRowid);
    const insertEntry = db.prepare('INSERT INTO entry (id, list_id, record_no, label, details) VALUES (?, ?, ?, ?, ?)');
    const insertVideo = db.prepare('INSERT INTO video_hash (entry_id, list_id, frame_count, duration_sec, features) VALUES (?, ?, ?, ?, ?)');
    let position = 0;
    files.forEach((f, i) => {
      const bytes = readBytes(f.path);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      manifest.update(`${sha256}  ${f.rel}\n`);
      single = sha256;
      let features: VpdqFeature[];
      try {
        const text = bytes.toString('utf8');
        const json = text.replace(/^\uFEFF/, '').trimStart().startsWith('[');
        kinds.add(json ? 'json' : 'txt');
        features = json ? parseVpdqJson(text, f.path) : parseVpdqText(text, f.path);
      } catch (err) {
        if (!(err instanceof VpdqFormatError)) throw err;
        if (!options.skipInvalid) {
          throw new KestrelError(`${printable(err.message)}; nothing was imported (use --skip-invalid to import the valid files)`, 'E_BAD_RECORD');
        }
        rejects.push({ at: f.rel, reason: printable(err.message) });
        return;
      }
      const record: Pick<ListRecord, 'label' | 'details'> = {
        label: basename(f.path),
        details: { file: f.rel, sha256, frames: features.length },
      };
      const id = firstEntry + position;
      insertEntry.run(id, listId, i + 1, record.label, JSON.stringify(record.details));
      const duration = features.reduce((m, x) => Math.max(m, x.timestamp), 0);
      insertVideo.run(id, listId, features.length, duration, packFeatures(features));
      position++;
    });
    const read = files.length;
    const rejected = read - position;
    if (position === 0) throw new KestrelError(`${path}: no valid vPDQ files (${rejected} rejected, first: ${rejects[0]?.reason}); nothing was imported`, 'E_EMPTY_LIST');
    if (rejected > 0) reportPath = rejectReportPath(lib.dir, name, version, uid);
    const formatVersion = [...kinds].sort().map((k) => (k === 'txt' ? 'vpdq-hash-video text' : 'python-threatexchange JSON')).join(' + ');
    db.prepare(
      `UPDATE hash_list SET file_sha256 = ?, format_version = ?, records_read = ?, records_imported = ?, records_rejected = ?,
         entry_count = ?, reject_report = ? WHERE id = ?`,
    ).run(st.isDirectory() ? manifest.digest('hex') : single, formatVersion, read, position, rejected, position, reportPath, listId);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  if (reportPath) writeRejectReport(reportPath, path, rejects);
  const list = listHashLists(lib).find((l) => l.uid === uid);
  if (!list) throw new Error(`imported list ${uid} not found after commit`);
  return { list, rejects, duplicateOf: null };
}

/** The .txt and .json files under a folder, hidden entries skipped, in code-point order of their relative paths. */
function videoFiles(root: string): VideoFile[] {
  const out: VideoFile[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      throw new KestrelError(`${dir}: cannot list: ${describeError(err)}`, 'E_READ');
    }
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const p = join(dir, n);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (s.isFile() && VPDQ_FILE.test(n)) out.push({ path: p, rel: relative(root, p).split(sep).join('/'), size: s.size });
    }
  };
  walk(root);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new KestrelError(`${path}: cannot read: ${describeError(err)}`, 'E_READ');
  }
}
