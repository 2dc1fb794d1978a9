import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { RowBatch } from '../../hashsets/importer.js';
import { openLibrary, removeHashLists, type HashLibrary, type ListRow } from '../../hashsets/library.js';
import { copyLines, readCopyField } from './copyText.js';
import { inTransaction } from './pgLists.js';

const LIST_COLUMNS = [
  'id', 'uid', 'name', 'version', 'format', 'format_version', 'scheme', 'known', 'source_file', 'file_sha256', 'file_size', 'imported_at',
  'records_read', 'records_imported', 'records_rejected', 'reject_report', 'first_entry', 'entry_count', 'tool_version',
] as const;
/** Columns PostgreSQL returns as strings (BIGINT), stored as numbers in SQLite. */
const BIGINT_COLUMNS: ReadonlySet<string> = new Set(['id', 'file_size', 'records_read', 'records_imported', 'records_rejected', 'first_entry', 'entry_count']);

export interface MirrorOutcome {
  lib: HashLibrary;
  /** List versions copied from the server by this call (0 when the mirror was up to date). */
  copied: number;
  removed: number;
}

/** The folder of this workstation's mirror of one server's lists, named by the connection without its password. */
export function mirrorFolder(libraryFolder: string, location: string): string {
  return join(libraryFolder, 'lab-lists', createHash('sha256').update(location).digest('hex').slice(0, 16));
}

/**
 * Brings this workstation's mirror of the PostgreSQL library's lists up to date and returns it as a
 * library.sqlite. A list version never changes once imported (a new import is a new version with a
 * new uid), so the mirror is cached by list version: only versions it does not hold are copied, from
 * one snapshot of the server, and versions removed on the server are removed from it. Matching then
 * reads the lists in process as from a folder library (exact lookups in the sorted blocks, the
 * multi-index search built from them), and exports read the same rows the server holds.
 */
export async function mirrorPgLists(client: pg.Client, folder: string): Promise<MirrorOutcome> {
  const lib = openLibrary(folder);
  try {
    const outcome = await inTransaction(client, async () => {
      const remote = (await client.query<ListRow>(`SELECT ${LIST_COLUMNS.join(', ')} FROM hash_list ORDER BY id`)).rows;
      const remoteUids = new Set(remote.map((r) => r.uid));
      let removed = 0;
      for (const { uid } of lib.db.prepare('SELECT uid FROM hash_list').all() as { uid: string }[]) {
        if (!remoteUids.has(uid)) removed += removeHashLists(lib, { uid }).length;
      }
      let copied = 0;
      for (const row of remote) if (await copyList(client, lib, row)) copied++;
      return { copied, removed };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return { lib, ...outcome };
  } catch (err) {
    lib.close();
    throw err;
  }
}

/** Copies one list version (row, blocks, entries, videos) in one SQLite transaction; false when the mirror has it. */
async function copyList(client: pg.Client, lib: HashLibrary, row: ListRow): Promise<boolean> {
  const db = lib.db;
  // Another Kestrel on this workstation may be copying the same version: the write lock, then a look.
  db.exec('BEGIN IMMEDIATE');
  try {
    if (db.prepare('SELECT 1 FROM hash_list WHERE uid = ?').get(row.uid)) {
      db.exec('ROLLBACK');
      return false;
    }
    db.prepare(`INSERT INTO hash_list (${LIST_COLUMNS.join(', ')}) VALUES (${LIST_COLUMNS.map(() => '?').join(', ')})`)
      .run(...LIST_COLUMNS.map((c) => (BIGINT_COLUMNS.has(c) ? Number(row[c]) : row[c])));
    const listId = Number(row.id);
    const insertBlock = db.prepare(
      'INSERT INTO hash_block (list_id, algorithm, run, block, first_hash, count, hashes, positions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const keys = (await client.query<{ algorithm: string; run: number; block: number }>(
      'SELECT algorithm, run, block FROM hash_block WHERE list_id = $1 ORDER BY algorithm, run, block', [listId])).rows;
    // One block a query: a block is up to 2 MiB, and a list's blocks together can be gigabytes.
    for (const k of keys) {
      const b = (await client.query<{ first_hash: Buffer; count: number; hashes: Buffer; positions: Buffer }>(
        'SELECT first_hash, count, hashes, positions FROM hash_block WHERE list_id = $1 AND algorithm = $2 AND run = $3 AND block = $4',
        [listId, k.algorithm, k.run, k.block])).rows[0]!;
      insertBlock.run(listId, k.algorithm, k.run, k.block, b.first_hash, b.count, b.hashes, b.positions);
    }
    const first = Number(row.first_entry);
    const end = first + Number(row.entry_count);
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(end)) throw new Error(`hash list ${row.uid}: entry range ${row.first_entry}+${row.entry_count} out of range`);
    const entries = new RowBatch(db, ['id', 'list_id', 'record_no', 'label', 'category', 'media_id', 'size', 'quality', 'details']);
    const int = (s: string | null) => (s === null ? null : Number(s));
    // COPY takes no parameters; both bounds are checked integers.
    const stream = client.query(copyTo(`COPY (SELECT id, list_id, record_no, label, category, media_id, size, quality, details
      FROM entry WHERE id >= ${first} AND id < ${end} ORDER BY id) TO STDOUT`));
    for await (const f of copyLines(stream as AsyncIterable<Buffer>)) {
      entries.add4(Number(f[0]), Number(f[1]), Number(f[2]), readCopyField(f[3]!));
      entries.add5(readCopyField(f[4]!), readCopyField(f[5]!), int(readCopyField(f[6]!)), int(readCopyField(f[7]!)), readCopyField(f[8]!));
    }
    entries.flush();
    const insertVideo = db.prepare('INSERT INTO video_hash (entry_id, list_id, frame_count, duration_sec, features) VALUES (?, ?, ?, ?, ?)');
    const videos = (await client.query<{ entry_id: string; frame_count: number; duration_sec: number; features: Buffer }>(
      'SELECT entry_id, frame_count, duration_sec, features FROM video_hash WHERE list_id = $1 ORDER BY entry_id', [listId])).rows;
    for (const v of videos) insertVideo.run(Number(v.entry_id), listId, v.frame_count, v.duration_sec, v.features);
    db.exec('COMMIT');
    return true;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
