import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { KestrelError, describeError } from '../../util/result.js';
import { nextLabAudit, readLabAudit, type LabAuditRow } from '../labAudit.js';
import { checkContributable, checkWithdrawable, emptyPdqSet } from '../sqliteStore.js';
import {
  ITEM_COLUMNS, ITEM_SELECT, contributionDetails, itemValues, toCase, toItem, toLinkItem,
  type CaseRow, type ContributeOutcome, type Contribution, type ItemRow, type LabCase, type LabItem, type LabStore,
  type LinkItem, type LinkRow, type PdqSet, type WithdrawOutcome,
} from '../store.js';
import { connect, redactConnection, scrub } from './connection.js';
import { copyField } from './copyText.js';
import { importPgHashList, pgHashLists, pgImportedCopy, removePgHashLists } from './pgLists.js';
import { mirrorPgLists, type MirrorOutcome } from './listMirror.js';
import type { HashListInfo } from '../../hashsets/library.js';
import type { ImportedCopy, ImportOptions, ImportResult } from '../../hashsets/importer.js';
import { pgLibraryMigrations } from './migrations.js';

const LOOKUP_BATCH = 10000;
/** Any constant: every Kestrel migrating the same server waits on this lock, so a schema is applied once. */
const MIGRATION_LOCK = 0x4b657374;

export async function openPostgresLab(spec: string): Promise<PostgresLabStore> {
  const client = await connect(spec);
  const store = new PostgresLabStore(client, spec);
  try {
    await store.migrate();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw store.wrap(err, 'cannot migrate the lab library');
  }
  return store;
}

/**
 * The lab library on a lab's PostgreSQL server. Writers take the lab_state row lock first, so
 * contributions and withdrawals from several workstations queue rather than interleave, and each
 * is one transaction: a reader sees a contribution whole or not at all. Items are written with
 * COPY, streamed, not row by row.
 */
export class PostgresLabStore implements LabStore {
  readonly engine = 'postgres' as const;
  readonly location: string;

  constructor(private readonly client: pg.Client, private readonly spec: string) {
    this.location = redactConnection(spec);
  }

  wrap(err: unknown, what: string): Error {
    if (err instanceof KestrelError) return new KestrelError(scrub(err.message, this.spec), err.code);
    return new KestrelError(`${this.location}: ${what}: ${scrub(describeError(err), this.spec)}`, 'E_LIBRARY');
  }

  private async tx<T>(work: () => Promise<T>, mode = 'READ WRITE'): Promise<T> {
    await this.client.query(`BEGIN ISOLATION LEVEL ${mode === 'READ WRITE' ? 'READ COMMITTED' : 'REPEATABLE READ READ ONLY'}`);
    try {
      const r = await work();
      await this.client.query('COMMIT');
      return r;
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async migrate(): Promise<number> {
    return this.tx(async () => {
      await this.client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await this.client.query(`CREATE TABLE IF NOT EXISTS schema_migration (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      const current = Number((await this.client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migration')).rows[0]?.v ?? 0);
      const newest = pgLibraryMigrations.length;
      if (current > newest) {
        throw new KestrelError(`${this.location}: the lab library has schema version ${current}, newer than this Kestrel understands (${newest}); use a newer Kestrel`, 'E_SCHEMA_NEWER');
      }
      for (const m of pgLibraryMigrations) {
        if (m.version <= current) continue;
        await this.client.query(m.sql);
        await this.client.query('INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
      }
      return Math.max(current, newest);
    });
  }

  /** Takes the library's write lock and returns the next version. */
  private async lockForWrite(): Promise<number> {
    const r = await this.client.query<{ version: string }>('SELECT version FROM lab_state WHERE id = 1 FOR UPDATE');
    return Number(r.rows[0]!.version) + 1;
  }

  private async finishWrite(version: number, action: string, details: Record<string, unknown>, actor: string): Promise<void> {
    await this.client.query('UPDATE lab_state SET version = $1 WHERE id = 1', [version]);
    const last = (await this.client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM lab_audit ORDER BY seq DESC LIMIT 1')).rows[0];
    const e = nextLabAudit(last, action, details, actor);
    await this.client.query('INSERT INTO lab_audit (seq, at, actor, action, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [e.seq, e.at, e.actor, e.action, e.detailsJson, e.prevHash, e.hash]);
  }

  async contribute(c: Contribution, actor: string): Promise<ContributeOutcome> {
    try {
      return await this.tx(async () => {
        const version = await this.lockForWrite();
        const existing = (await this.client.query<CaseRow>('SELECT * FROM lab_case WHERE case_uuid = $1 OR case_number = $2', [c.caseUuid, c.caseNumber])).rows;
        checkContributable(existing, c, this.location);
        const now = new Date().toISOString();
        const prior = existing[0];
        let caseId: number;
        let replaced = 0;
        if (prior) {
          caseId = Number(prior.id);
          replaced = (await this.client.query('DELETE FROM lab_item WHERE case_id = $1', [caseId])).rowCount ?? 0;
          await this.client.query(`UPDATE lab_case SET case_number = $1, case_examiner = $2, contributed_by = $3, contributed_at = $4,
            item_count = $5, share_file_names = $6, tool_version = $7 WHERE id = $8`,
          [c.caseNumber, c.caseExaminer, actor, now, c.items.length, c.shareFileNames ? 1 : 0, c.toolVersion, caseId]);
        } else {
          caseId = Number((await this.client.query<{ id: string }>(`INSERT INTO lab_case (case_uuid, case_number, case_examiner, contributed_by,
            first_contributed_at, contributed_at, item_count, share_file_names, tool_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
          [c.caseUuid, c.caseNumber, c.caseExaminer, actor, now, now, c.items.length, c.shareFileNames ? 1 : 0, c.toolVersion])).rows[0]!.id);
        }
        const copy = this.client.query(copyFrom(`COPY lab_item (${ITEM_COLUMNS.join(', ')}) FROM STDIN`));
        await pipeline(Readable.from(copyRows(caseId, c)), copy);
        await this.finishWrite(version, 'library.contribute', contributionDetails(c, replaced, version), actor);
        return { caseNumber: c.caseNumber, items: c.items.length, replaced, libraryVersion: version };
      });
    } catch (err) {
      throw this.wrap(err, `cannot contribute case ${c.caseNumber}`);
    }
  }

  async withdraw(caseNumber: string, reason: string, actor: string): Promise<WithdrawOutcome> {
    try {
      return await this.tx(async () => {
        const version = await this.lockForWrite();
        const row = (await this.client.query<CaseRow>('SELECT * FROM lab_case WHERE case_number = $1', [caseNumber])).rows[0];
        checkWithdrawable(row, caseNumber, this.location);
        const removed = (await this.client.query('DELETE FROM lab_item WHERE case_id = $1', [row!.id])).rowCount ?? 0;
        await this.client.query('UPDATE lab_case SET item_count = 0, withdrawn_at = $1, withdrawn_by = $2, withdraw_reason = $3 WHERE id = $4',
          [new Date().toISOString(), actor, reason, row!.id]);
        await this.finishWrite(version, 'library.withdraw', { caseUuid: row!.case_uuid, caseNumber, reason, itemsRemoved: removed, libraryVersion: version }, actor);
        return { caseNumber, itemsRemoved: removed, libraryVersion: version };
      });
    } catch (err) {
      throw this.wrap(err, `cannot withdraw case ${caseNumber}`);
    }
  }

  async version(): Promise<number> {
    return Number((await this.client.query<{ version: string }>('SELECT version FROM lab_state WHERE id = 1')).rows[0]!.version);
  }

  async cases(): Promise<LabCase[]> {
    return (await this.client.query<CaseRow>('SELECT * FROM lab_case ORDER BY case_number')).rows.map(toCase);
  }

  async itemsBySha256(hashes: readonly Buffer[]): Promise<LabItem[]> {
    const out: LabItem[] = [];
    for (let i = 0; i < hashes.length; i += LOOKUP_BATCH) {
      const rows = (await this.client.query<ItemRow>(`${ITEM_SELECT} WHERE c.withdrawn_at IS NULL AND i.sha256 = ANY($1::bytea[])`,
        [hashes.slice(i, i + LOOKUP_BATCH)])).rows;
      for (const r of rows) out.push(toItem(r));
    }
    return out;
  }

  async itemsByIds(ids: readonly number[]): Promise<LabItem[]> {
    const out: LabItem[] = [];
    for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
      const rows = (await this.client.query<ItemRow>(`${ITEM_SELECT} WHERE i.id = ANY($1::bigint[])`, [ids.slice(i, i + LOOKUP_BATCH)])).rows;
      for (const r of rows) out.push(toItem(r));
    }
    return out;
  }

  /** One snapshot (count, version and rows agree), streamed out with COPY: ten million rows do not pass through the query protocol. */
  async pdqSet(minQuality: number): Promise<PdqSet> {
    return this.tx(async () => {
      const version = await this.version();
      const where = `FROM lab_item i JOIN lab_case c ON c.id = i.case_id WHERE c.withdrawn_at IS NULL AND i.pdq IS NOT NULL AND i.pdq_quality >= ${Number(minQuality) | 0}`;
      const count = Number((await this.client.query<{ n: string }>(`SELECT count(*) AS n ${where}`)).rows[0]!.n);
      const set = emptyPdqSet(version, count);
      let n = 0;
      let rest = '';
      const stream = this.client.query(copyTo(`COPY (SELECT i.id, i.case_id, encode(i.pdq, 'hex') ${where}) TO STDOUT`));
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const text = rest + chunk.toString('latin1');
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          const t1 = text.indexOf('\t', start);
          const t2 = text.indexOf('\t', t1 + 1);
          if (n >= count) throw new Error('the library changed during a repeatable-read snapshot');
          set.itemIds[n] = Number(text.slice(start, t1));
          set.caseIds[n] = Number(text.slice(t1 + 1, t2));
          set.hashes.set(Buffer.from(text.slice(t2 + 1, nl), 'hex'), n * 32);
          n++;
          start = nl + 1;
        }
        rest = text.slice(start);
      }
      for (const c of (await this.client.query<{ id: string; case_uuid: string }>('SELECT id, case_uuid FROM lab_case')).rows) {
        set.caseUuids.set(Number(c.id), c.case_uuid);
      }
      return set;
    }, 'SNAPSHOT');
  }

  async linkItems(): Promise<LinkItem[]> {
    const rows = (await this.client.query<LinkRow>(`SELECT i.id, i.case_id, i.sha256, i.pdq, i.pdq_quality, i.pdq_dihedral, i.series
      FROM lab_item i JOIN lab_case c ON c.id = i.case_id WHERE c.withdrawn_at IS NULL ORDER BY i.id`)).rows;
    return rows.map(toLinkItem);
  }

  async audit() {
    return readLabAudit((await this.client.query<LabAuditRow>('SELECT * FROM lab_audit ORDER BY seq')).rows);
  }

  /** The hash lists the server holds. */
  async hashLists(): Promise<HashListInfo[]> {
    try {
      return await pgHashLists(this.client);
    } catch (err) {
      throw this.wrap(err, 'cannot read the hash lists');
    }
  }

  async importedCopy(file: string): Promise<ImportedCopy | null> {
    try {
      return await pgImportedCopy(this.client, file);
    } catch (err) {
      throw this.wrap(err, `cannot look for ${file}`);
    }
  }

  async importList(file: string, options: ImportOptions, rejectsFolder: string): Promise<ImportResult> {
    try {
      return await importPgHashList(this.client, this.location, rejectsFolder, file, options);
    } catch (err) {
      throw this.wrap(err, `cannot import ${file}`);
    }
  }

  async removeLists(which: { name?: string; version?: number; uid?: string }): Promise<HashListInfo[]> {
    try {
      return await removePgHashLists(this.client, this.location, which);
    } catch (err) {
      throw this.wrap(err, 'cannot remove the hash list');
    }
  }

  /** This workstation's mirror of the server's lists, brought up to date (see listMirror.ts). */
  async mirrorLists(folder: string): Promise<MirrorOutcome> {
    try {
      return await mirrorPgLists(this.client, folder);
    } catch (err) {
      throw this.wrap(err, 'cannot bring the mirror of its hash lists up to date');
    }
  }

  /** Appends to the library's audit log under its write lock, without a new library version (nothing in it changed). */
  async appendAudit(action: string, details: Record<string, unknown>, actor: string): Promise<number> {
    try {
      return await this.tx(async () => {
        await this.client.query('SELECT 1 FROM lab_state WHERE id = 1 FOR UPDATE');
        const last = (await this.client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM lab_audit ORDER BY seq DESC LIMIT 1')).rows[0];
        const e = nextLabAudit(last, action, details, actor);
        await this.client.query('INSERT INTO lab_audit (seq, at, actor, action, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [e.seq, e.at, e.actor, e.action, e.detailsJson, e.prevHash, e.hash]);
        return e.seq;
      });
    } catch (err) {
      throw this.wrap(err, `cannot record ${action} in the library audit log`);
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

function* copyRows(caseId: number, c: Contribution): Generator<string> {
  let batch = '';
  for (const it of c.items) {
    batch += itemValues(caseId, it).map(copyField).join('\t') + '\n';
    if (batch.length > 1 << 20) { yield batch; batch = ''; }
  }
  if (batch) yield batch;
}
