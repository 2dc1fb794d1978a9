import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { nextLabAudit } from '../labAudit.js';
import { KestrelError } from '../../util/result.js';
import { TOOL_VERSION } from '../../util/version.js';
import { RunBuilder, type BlockRow } from '../../hashsets/blocks.js';
import {
  HASH_COUNTS_SQL, listsToRemove, toHashListInfo, type Algorithm, type HashCountRow, type HashListInfo, type ListRow,
} from '../../hashsets/library.js';
import {
  IMPORT_AGAIN_AUDIT_ACTION, REJECT_REPORT_LIMIT, alreadyImportedError, badRecordError, emptyListError, planImport, sha256OfFile,
  type ImportedCopy, type ImportOptions, type ImportPlan, type ImportResult,
} from '../../hashsets/importer.js';
import { openReader, printable, type ListRecord } from '../../hashsets/readers.js';
import { rejectReportPath, writeRejectReport, type Reject } from '../../hashsets/rejectReport.js';
import { copyField } from './copyText.js';

/** Any constant but the migration lock's: list imports and removals on one server queue on it. */
const LIST_LOCK = 0x4b4c6973;
/** Entry rows sent to COPY at a time (about 1 MiB of text). */
const COPY_CHUNK = 1 << 20;
const ENTRY_COPY = 'COPY entry (id, list_id, record_no, label, category, media_id, size, quality, details) FROM STDIN';

/**
 * Hash lists in a PostgreSQL lab library: the same tables, versions, entry ids and packed blocks as
 * in library.sqlite (native/hashsets), so a workstation's mirror of them (listMirror.ts) is a
 * library.sqlite the matcher and the exports read unchanged.
 */
export async function pgHashLists(client: pg.Client): Promise<HashListInfo[]> {
  const rows = (await client.query<ListRow>('SELECT * FROM hash_list ORDER BY name, version')).rows;
  const counts = (await client.query<HashCountRow>(HASH_COUNTS_SQL)).rows;
  return rows.map((r) => toHashListInfo(r, counts));
}

/** Removes list versions in one transaction (entries by their id range; blocks and videos by cascade). */
export async function removePgHashLists(client: pg.Client, location: string,
  which: { name?: string; version?: number; uid?: string }): Promise<HashListInfo[]> {
  return inTransaction(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LIST_LOCK]);
    const doomed = listsToRemove(await pgHashLists(client), location, which);
    for (const l of doomed) {
      await client.query('DELETE FROM entry WHERE id >= $1 AND id < $2', [l.firstEntry, l.firstEntry + l.entryCount]);
      await client.query('DELETE FROM hash_list WHERE id = $1', [l.id]);
    }
    return doomed;
  });
}

/**
 * Imports one list file into the PostgreSQL library as a new version, as importHashList does into
 * SQLite (same readers, validation, errors, versions and entry id ranges), in one transaction:
 * entries stream in with COPY while the hashes are packed into blocks, written when a run is full
 * and at the end. Imports from several workstations queue on an advisory lock, so versions and id
 * ranges never collide, and no reader sees part of a list. The reject report, if any, is written in
 * this workstation's library folder.
 */
export async function importPgHashList(client: pg.Client, location: string, rejectsFolder: string, file: string,
  options: ImportOptions = {}): Promise<ImportResult> {
  const planned = planImport(file, options);
  if ('vpdq' in planned) {
    throw new KestrelError(`${planned.vpdq}: vPDQ lists are not yet imported into a PostgreSQL library (${location}); import them into a library folder`, 'E_USAGE');
  }
  const plan: ImportPlan = planned;
  const uid = randomUUID();
  const rejects: Reject[] = [];
  let reportPath: string | null = null;
  let duplicateOf: ImportedCopy | null = null;
  const reader = openReader(plan.path, plan.format, { scheme: plan.scheme });
  try {
    await inTransaction(client, async () => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LIST_LOCK]);
      if (!options.again) await refuseSameFile(client, plan);
      const version = Number((await client.query<{ v: string | null }>('SELECT max(version) AS v FROM hash_list WHERE name = $1', [plan.name])).rows[0]!.v ?? 0) + 1;
      const firstEntry = Number((await client.query<{ m: string | null }>('SELECT max(id) AS m FROM entry')).rows[0]!.m ?? 0) + 1;
      const listId = Number((await client.query<{ id: string }>(
        `INSERT INTO hash_list (uid, name, version, format, scheme, known, source_file, file_sha256, file_size, imported_at,
           records_read, records_imported, records_rejected, first_entry, entry_count, tool_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, 0, 0, 0, $10, 0, $11) RETURNING id`,
        [uid, plan.name, version, plan.format, plan.scheme, plan.known ? 1 : 0, plan.path, plan.size, new Date().toISOString(), firstEntry, TOOL_VERSION],
      )).rows[0]!.id);

      // Blocks cannot go in while COPY holds the connection: a run filled mid-list ends the COPY,
      // its blocks are inserted, and the COPY starts again where the list left off.
      const pending: BlockRow[] = [];
      const sink = (row: BlockRow) => { pending.push({ ...row, firstHash: Buffer.from(row.firstHash), hashes: Buffer.from(row.hashes) }); };
      const builders = new Map<Algorithm, RunBuilder>();
      const items = reader.items[Symbol.iterator]();
      let read = 0;
      let position = 0;
      let finished = false;
      function* entryText(): Generator<string> {
        let text = '';
        while (pending.length === 0) {
          const next = items.next();
          if (next.done) { finished = true; break; }
          read++;
          const item = next.value;
          if (!item.ok) {
            if (!options.skipInvalid) throw badRecordError(plan.path, item.at, item.reason);
            if (rejects.length < REJECT_REPORT_LIMIT) rejects.push({ at: item.at, reason: printable(item.reason) });
            continue;
          }
          text += entryLine(firstEntry + position, listId, read, item.record, plan.path);
          for (const h of item.record.hashes) {
            let b = builders.get(h.algorithm);
            if (!b) { b = new RunBuilder(sink, listId, h.algorithm); builders.set(h.algorithm, b); }
            b.add(h.hash, position);
          }
          position++;
          if (text.length >= COPY_CHUNK) { yield text; text = ''; }
        }
        if (text) yield text;
      }
      while (!finished) {
        await pipeline(Readable.from(entryText()), client.query(copyFrom(ENTRY_COPY)));
        await insertBlocks(client, pending.splice(0));
      }
      for (const b of builders.values()) b.flush();
      await insertBlocks(client, pending.splice(0));
      const sha256 = reader.finish();
      // As in a library folder: a second version of the same bytes is recorded with who asked for it.
      duplicateOf = options.again ? await earlierImport(client, sha256) : null;
      if (duplicateOf) {
        const last = (await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM lab_audit ORDER BY seq DESC LIMIT 1')).rows[0];
        const e = nextLabAudit(last ? { seq: Number(last.seq), hash: last.hash } : undefined, IMPORT_AGAIN_AUDIT_ACTION,
          { file: plan.path, sha256, list: { name: plan.name, version, uid }, earlier: duplicateOf }, options.actor ?? userInfo().username);
        await client.query('INSERT INTO lab_audit (seq, at, actor, action, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [e.seq, e.at, e.actor, e.action, e.detailsJson, e.prevHash, e.hash]);
      }
      const rejected = read - position;
      if (position === 0) throw emptyListError(plan.path, rejected, rejects);
      if (rejected > 0) reportPath = rejectReportPath(rejectsFolder, plan.name, version, uid);
      await client.query(
        `UPDATE hash_list SET file_sha256 = $1, format_version = $2, scheme = $3, known = $4, records_read = $5, records_imported = $6,
           records_rejected = $7, entry_count = $8, reject_report = $9 WHERE id = $10`,
        [sha256, reader.formatVersion, reader.scheme === undefined ? plan.scheme : reader.scheme, plan.known || reader.known ? 1 : 0,
          read, position, rejected, position, reportPath, listId]);
    });
  } finally {
    reader.close();
  }
  if (reportPath) writeRejectReport(reportPath, plan.path, rejects);
  const list = (await pgHashLists(client)).find((l) => l.uid === uid);
  if (!list) throw new Error(`imported list ${uid} not found after commit`);
  return { list, rejects, duplicateOf };
}

async function refuseSameFile(client: pg.Client, plan: ImportPlan): Promise<void> {
  if (!await hasImportOfSize(client, plan.size)) return;
  const earlier = await earlierImport(client, sha256OfFile(plan.path));
  if (earlier) throw alreadyImportedError(plan.path, { name: earlier.name, version: earlier.version, imported_at: earlier.importedAt }, earlier.sha256);
}

async function hasImportOfSize(client: pg.Client, size: number): Promise<boolean> {
  return ((await client.query("SELECT 1 FROM hash_list WHERE file_size = $1 AND file_sha256 != '' LIMIT 1", [size])).rowCount ?? 0) > 0;
}

async function earlierImport(client: pg.Client, sha256: string): Promise<ImportedCopy | null> {
  const row = (await client.query<{ name: string; version: number; uid: string; imported_at: string }>(
    'SELECT name, version, uid, imported_at FROM hash_list WHERE file_sha256 = $1 ORDER BY id LIMIT 1', [sha256])).rows[0];
  return row ? { name: row.name, version: Number(row.version), uid: row.uid, importedAt: row.imported_at, sha256 } : null;
}

/** The server's earlier import of exactly this file (same SHA-256), hashed only when a list of its size exists. */
export async function pgImportedCopy(client: pg.Client, file: string): Promise<ImportedCopy | null> {
  const path = resolve(file);
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st?.isFile() || !await hasImportOfSize(client, st.size)) return null;
  return earlierImport(client, sha256OfFile(path));
}

/**
 * One entry as a COPY text line. PostgreSQL text cannot hold U+0000, which SQLite stores; such a
 * record is refused by name rather than changed.
 */
function entryLine(id: number, listId: number, recordNo: number, r: ListRecord, path: string): string {
  const details = r.details ? JSON.stringify(r.details) : null;
  for (const text of [r.label, r.category, r.mediaId, details]) {
    if (text !== null && text.includes('\u0000')) {
      throw new KestrelError(`${path}: record ${recordNo}: a NUL character in a text field, which PostgreSQL cannot store; nothing was imported`, 'E_BAD_RECORD');
    }
  }
  return `${id}\t${listId}\t${recordNo}\t${copyField(r.label)}\t${copyField(r.category)}\t${copyField(r.mediaId)}\t` +
    `${copyField(r.size)}\t${copyField(r.quality)}\t${copyField(details)}\n`;
}

async function insertBlocks(client: pg.Client, rows: readonly BlockRow[]): Promise<void> {
  for (const r of rows) {
    await client.query('INSERT INTO hash_block (list_id, algorithm, run, block, first_hash, count, hashes, positions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [r.listId, r.algorithm, r.run, r.block, r.firstHash, r.count, r.hashes, r.positions]);
  }
}

export async function inTransaction<T>(client: pg.Client, work: () => Promise<T>, begin = 'BEGIN'): Promise<T> {
  await client.query(begin);
  try {
    const r = await work();
    await client.query('COMMIT');
    return r;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
