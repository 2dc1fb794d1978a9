import { createHash } from 'node:crypto';
import type { Db } from '../catalog/sqlite.js';
import { canonicalJson } from '../util/canonicalJson.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  details: string;
  prev_hash: string;
  hash: string;
}

/** The hash of an entry covers everything in it, including the previous entry's hash. */
export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const canonical = canonicalJson({
    seq: e.seq, at: e.at, actor: e.actor, action: e.action, details: e.details, prevHash: e.prevHash,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Appends one entry to the case's hash-chained audit log. Call inside the transaction that makes
 * the change it records, so that the record and the change land together or not at all.
 */
export function appendAudit(
  db: Db,
  action: string,
  details: Record<string, unknown>,
  actor = 'kestrel',
): AuditEntry {
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
    | { seq: number; hash: string }
    | undefined;
  const partial = {
    seq: (last?.seq ?? 0) + 1,
    at: new Date().toISOString(),
    actor,
    action,
    details: JSON.parse(canonicalJson(details)) as Record<string, unknown>,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const entry: AuditEntry = { ...partial, hash: entryHash(partial) };
  db.prepare(
    'INSERT INTO audit_log (seq, at, actor, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(entry.seq, entry.at, entry.actor, entry.action, canonicalJson(entry.details), entry.prevHash, entry.hash);
  return entry;
}

export function readAudit(db: Db): AuditEntry[] {
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
  return rows.map(rowToEntry);
}

function rowToEntry(r: AuditRow): AuditEntry {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(r.details) as Record<string, unknown>;
  } catch {
    details = { unparseable: r.details };
  }
  return { seq: r.seq, at: r.at, actor: r.actor, action: r.action, details, prevHash: r.prev_hash, hash: r.hash };
}

export type AuditVerdict =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; seq: number; problem: 'altered' | 'removed' | 'inserted'; message: string };

/**
 * Walks the chain from the first entry. An entry whose stored hash no longer matches its content
 * was altered; a gap in the sequence means entries were removed; an entry whose content is intact
 * but whose link to its predecessor is broken was inserted (or its predecessor removed).
 */
export function verifyChain(entries: readonly AuditEntry[]): AuditVerdict {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq) {
      const problem = e.seq > expectedSeq ? 'removed' : 'inserted';
      return {
        ok: false, entries: entries.length, seq: e.seq, problem,
        message: problem === 'removed'
          ? `entry ${expectedSeq}${e.seq - expectedSeq > 1 ? `..${e.seq - 1}` : ''} removed (next entry is ${e.seq})`
          : `entry ${e.seq} inserted out of sequence`,
      };
    }
    if (entryHash(e) !== e.hash) {
      const shift = renumbering(e);
      if (shift > 0) {
        return { ok: false, entries: entries.length, seq: e.seq, problem: 'removed', message: `${shift} entr${shift === 1 ? 'y' : 'ies'} removed before entry ${e.seq} (${e.action}); the entries after were renumbered` };
      }
      if (shift < 0) {
        return { ok: false, entries: entries.length, seq: e.seq, problem: 'inserted', message: `${-shift} entr${shift === -1 ? 'y' : 'ies'} inserted before entry ${e.seq} (${e.action}); the entries after were renumbered` };
      }
      return { ok: false, entries: entries.length, seq: e.seq, problem: 'altered', message: `entry ${e.seq} (${e.action}) altered: its content does not match its hash` };
    }
    if (e.prevHash !== prevHash) {
      return { ok: false, entries: entries.length, seq: e.seq, problem: 'inserted', message: `entry ${e.seq} (${e.action}) does not follow entry ${e.seq - 1}: inserted, or the chain was rewritten` };
    }
    prevHash = e.hash;
    expectedSeq += 1;
  }
  return { ok: true, entries: entries.length, head: prevHash };
}

/** How far an intact entry was moved from the sequence number it was hashed with (0: not moved). */
function renumbering(e: AuditEntry): number {
  for (let shift = 1; shift <= 64; shift++) {
    if (entryHash({ ...e, seq: e.seq + shift }) === e.hash) return shift;
    if (e.seq - shift >= 1 && entryHash({ ...e, seq: e.seq - shift }) === e.hash) return -shift;
  }
  return 0;
}
