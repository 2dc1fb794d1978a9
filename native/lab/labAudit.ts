import { entryHash, GENESIS_HASH, type AuditEntry } from '../audit/log.js';
import { canonicalJson } from '../util/canonicalJson.js';

/**
 * The library's own hash-chained log (contributions, withdrawals), the same chain as a case's
 * audit log, kept in the library whichever engine holds it. Writers append inside the transaction
 * that makes the change, after taking the library's write lock, so the chain never forks.
 */
export interface LabAuditRow { seq: number | string; at: string; actor: string; action: string; details: string; prev_hash: string; hash: string }

export interface PendingAudit extends AuditEntry { detailsJson: string }

export function nextLabAudit(last: { seq: number | string; hash: string } | undefined, action: string,
  details: Record<string, unknown>, actor: string): PendingAudit {
  const partial = {
    seq: Number(last?.seq ?? 0) + 1,
    at: new Date().toISOString(),
    actor,
    action,
    details: JSON.parse(canonicalJson(details)) as Record<string, unknown>,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  return { ...partial, hash: entryHash(partial), detailsJson: canonicalJson(partial.details) };
}

export function readLabAudit(rows: readonly LabAuditRow[]): AuditEntry[] {
  return rows.map((r) => ({
    seq: Number(r.seq), at: r.at, actor: r.actor, action: r.action, details: JSON.parse(r.details) as Record<string, unknown>,
    prevHash: r.prev_hash, hash: r.hash,
  }));
}
