import type { AuditEntry } from '../audit/log.js';
import type { HashLibrary } from '../hashsets/library.js';
import { readLabAudit, nextLabAudit, type LabAuditRow } from './labAudit.js';
import { KestrelError } from '../util/result.js';
import {
  ITEM_COLUMNS, ITEM_SELECT, toLinkItem, type LinkRow, contributionDetails, itemValues, toCase, toItem,
  type CaseRow, type ContributeOutcome, type Contribution, type ItemRow, type LabCase, type LabItem, type LabStore,
  type LinkItem, type PdqSet, type WithdrawOutcome,
} from './store.js';

const LOOKUP_BATCH = 500;

/**
 * Appends to the audit log of the library in library.sqlite (lab_audit): call inside the write
 * transaction that makes the change it records.
 */
export function appendSqliteLibraryAudit(db: HashLibrary['db'], action: string, details: Record<string, unknown>, actor: string): AuditEntry {
  const last = db.prepare('SELECT seq, hash FROM lab_audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const e = nextLabAudit(last, action, details, actor);
  db.prepare('INSERT INTO lab_audit (seq, at, actor, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(e.seq, e.at, e.actor, e.action, e.detailsJson, e.prevHash, e.hash);
  const { detailsJson: _, ...entry } = e;
  return entry;
}

/** The lab library in the workstation's library.sqlite, beside the imported hash lists. */
export class SqliteLabStore implements LabStore {
  readonly engine = 'sqlite' as const;
  readonly location: string;

  constructor(private readonly lib: HashLibrary) {
    this.location = lib.dir;
  }

  private get db() { return this.lib.db; }

  private bump(): number {
    this.db.prepare('UPDATE lab_state SET version = version + 1 WHERE id = 1').run();
    return (this.db.prepare('SELECT version FROM lab_state WHERE id = 1').get() as { version: number }).version;
  }

  private appendAudit(action: string, details: Record<string, unknown>, actor: string): void {
    appendSqliteLibraryAudit(this.db, action, details, actor);
  }

  // async so that a refusal arrives as a rejected promise, as from the PostgreSQL engine
  async contribute(c: Contribution, actor: string): Promise<ContributeOutcome> {
    const db = this.db;
    const run = db.transaction((): ContributeOutcome => {
      const existing = db.prepare('SELECT * FROM lab_case WHERE case_uuid = ? OR case_number = ?').all(c.caseUuid, c.caseNumber) as CaseRow[];
      const now = new Date().toISOString();
      checkContributable(existing, c, this.location);
      const prior = existing[0];
      let caseId: number;
      let replaced = 0;
      if (prior) {
        caseId = Number(prior.id);
        replaced = db.prepare('DELETE FROM lab_item WHERE case_id = ?').run(caseId).changes;
        db.prepare(`UPDATE lab_case SET case_number = ?, case_examiner = ?, contributed_by = ?, contributed_at = ?, item_count = ?,
          share_file_names = ?, tool_version = ? WHERE id = ?`)
          .run(c.caseNumber, c.caseExaminer, actor, now, c.items.length, c.shareFileNames ? 1 : 0, c.toolVersion, caseId);
      } else {
        caseId = Number(db.prepare(`INSERT INTO lab_case (case_uuid, case_number, case_examiner, contributed_by, first_contributed_at,
          contributed_at, item_count, share_file_names, tool_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
          .run(c.caseUuid, c.caseNumber, c.caseExaminer, actor, now, now, c.items.length, c.shareFileNames ? 1 : 0, c.toolVersion).lastInsertRowid);
      }
      const insert = db.prepare(`INSERT INTO lab_item (${ITEM_COLUMNS.join(', ')}) VALUES (${ITEM_COLUMNS.map(() => '?').join(', ')})`);
      for (const it of c.items) insert.run(...itemValues(caseId, it));
      const version = this.bump();
      this.appendAudit('library.contribute', contributionDetails(c, replaced, version), actor);
      return { caseNumber: c.caseNumber, items: c.items.length, replaced, libraryVersion: version };
    });
    return run.immediate();
  }

  async withdraw(caseNumber: string, reason: string, actor: string): Promise<WithdrawOutcome> {
    const db = this.db;
    const run = db.transaction((): WithdrawOutcome => {
      const row = db.prepare('SELECT * FROM lab_case WHERE case_number = ?').get(caseNumber) as CaseRow | undefined;
      checkWithdrawable(row, caseNumber, this.location);
      const removed = db.prepare('DELETE FROM lab_item WHERE case_id = ?').run(row!.id).changes;
      db.prepare('UPDATE lab_case SET item_count = 0, withdrawn_at = ?, withdrawn_by = ?, withdraw_reason = ? WHERE id = ?')
        .run(new Date().toISOString(), actor, reason, row!.id);
      const version = this.bump();
      this.appendAudit('library.withdraw', { caseUuid: row!.case_uuid, caseNumber, reason, itemsRemoved: removed, libraryVersion: version }, actor);
      return { caseNumber, itemsRemoved: removed, libraryVersion: version };
    });
    return run.immediate();
  }

  version(): Promise<number> {
    return Promise.resolve((this.db.prepare('SELECT version FROM lab_state WHERE id = 1').get() as { version: number }).version);
  }

  cases(): Promise<LabCase[]> {
    return Promise.resolve((this.db.prepare('SELECT * FROM lab_case ORDER BY case_number').all() as CaseRow[]).map(toCase));
  }

  itemsBySha256(hashes: readonly Buffer[]): Promise<LabItem[]> {
    const out: LabItem[] = [];
    for (let i = 0; i < hashes.length; i += LOOKUP_BATCH) {
      const batch = hashes.slice(i, i + LOOKUP_BATCH);
      const rows = this.db.prepare(`${ITEM_SELECT} WHERE c.withdrawn_at IS NULL AND i.sha256 IN (${batch.map(() => '?').join(', ')})`)
        .all(...batch) as ItemRow[];
      for (const r of rows) out.push(toItem(r));
    }
    return Promise.resolve(out);
  }

  itemsByIds(ids: readonly number[]): Promise<LabItem[]> {
    const out: LabItem[] = [];
    for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
      const batch = ids.slice(i, i + LOOKUP_BATCH);
      const rows = this.db.prepare(`${ITEM_SELECT} WHERE i.id IN (${batch.map(() => '?').join(', ')})`).all(...batch) as ItemRow[];
      for (const r of rows) out.push(toItem(r));
    }
    return Promise.resolve(out);
  }

  pdqSet(minQuality: number): Promise<PdqSet> {
    return this.version().then((version) => {
      const count = (this.db.prepare(`SELECT count(*) AS n FROM lab_item i JOIN lab_case c ON c.id = i.case_id
        WHERE c.withdrawn_at IS NULL AND i.pdq IS NOT NULL AND i.pdq_quality >= ?`).get(minQuality) as { n: number }).n;
      const set = emptyPdqSet(version, count);
      let n = 0;
      const rows = this.db.prepare(`SELECT i.id, i.case_id, i.pdq FROM lab_item i JOIN lab_case c ON c.id = i.case_id
        WHERE c.withdrawn_at IS NULL AND i.pdq IS NOT NULL AND i.pdq_quality >= ?`).raw().iterate(minQuality) as Iterable<[number, number, Buffer]>;
      for (const [id, caseId, pdq] of rows) {
        set.hashes.set(pdq, n * 32);
        set.itemIds[n] = id;
        set.caseIds[n] = caseId;
        n++;
      }
      for (const c of this.db.prepare('SELECT id, case_uuid FROM lab_case').all() as { id: number; case_uuid: string }[]) set.caseUuids.set(c.id, c.case_uuid);
      return set;
    });
  }

  linkItems(): Promise<LinkItem[]> {
    const rows = this.db.prepare(`SELECT i.id, i.case_id, i.sha256, i.pdq, i.pdq_quality, i.pdq_dihedral, i.series FROM lab_item i
      JOIN lab_case c ON c.id = i.case_id WHERE c.withdrawn_at IS NULL ORDER BY i.id`).all() as
      LinkRow[];
    return Promise.resolve(rows.map(toLinkItem));
  }

  audit() {
    return Promise.resolve(readLabAudit(this.db.prepare('SELECT * FROM lab_audit ORDER BY seq').all() as LabAuditRow[]));
  }

  close(): Promise<void> {
    this.lib.close();
    return Promise.resolve();
  }
}

export function emptyPdqSet(version: number, count: number): PdqSet {
  return {
    version,
    hashes: new Uint8Array(new SharedArrayBuffer(Math.max(1, count) * 32)).subarray(0, count * 32),
    itemIds: new Float64Array(count),
    caseIds: new Float64Array(count),
    caseUuids: new Map(),
  };
}

/** A case number names one case in the library; a withdrawn case stays out until the lab reinstates it by hand. */
export function checkContributable(existing: readonly CaseRow[], c: Contribution, where: string): void {
  for (const e of existing) {
    if (e.case_uuid !== c.caseUuid) {
      throw new KestrelError(`${where}: case number ${c.caseNumber} is already in the library for another case (uuid ${e.case_uuid}); ` +
        'a case number names one case', 'E_LAB_CASE_NUMBER');
    }
    if (e.withdrawn_at !== null) {
      throw new KestrelError(`${where}: case ${e.case_number} was withdrawn from the library on ${e.withdrawn_at} by ${e.withdrawn_by} ` +
        `(${e.withdraw_reason}); it cannot be contributed again`, 'E_LAB_WITHDRAWN');
    }
  }
}

export function checkWithdrawable(row: CaseRow | undefined, caseNumber: string, where: string): void {
  if (!row) throw new KestrelError(`${where}: no case ${caseNumber} in the library`, 'E_LAB_NO_CASE');
  if (row.withdrawn_at !== null) {
    throw new KestrelError(`${where}: case ${caseNumber} was already withdrawn on ${row.withdrawn_at}`, 'E_LAB_WITHDRAWN');
  }
}
