import type { Db } from '../catalog/sqlite.js';
import type { HashLibrary } from '../hashsets/library.js';
import { appendAudit } from '../audit/log.js';
import { carriedJson } from './carried.js';

export const CARRIED_BACKFILL_AUDIT_ACTION = 'match.carried-backfill';

export interface CarriedBackfill {
  /** Matches given what their list entry carried. */
  filled: number;
  /** Matches recorded before version 13 whose list is no longer in the library: they stay without it. */
  listGone: number;
}

/**
 * Matches recorded before catalogue version 13 have no entry_carried (PhotoDNA, Series, flags...), so
 * their exports lacked what the list said. The catalogue's migration cannot fill it in (the lists
 * live in the library, not in the case); each match run does, for the matches recorded before the
 * case reached version 13, from the very entry they matched when that list version is still in the
 * library. Recorded in the case's audit log when it filled any.
 */
export function backfillCarried(db: Db, lib: HashLibrary, actor: string): CarriedBackfill {
  const migratedAt = db.prepare('SELECT applied_at FROM schema_migration WHERE version = 13').pluck().get() as string | undefined;
  if (migratedAt === undefined) return { filled: 0, listGone: 0 };
  const rows = db.prepare(
    `SELECT m.id, m.entry_id, u.list_uid FROM hash_match m JOIN hashlist_use u ON u.id = m.use_id
      WHERE m.entry_carried IS NULL AND m.matched_at < ? ORDER BY m.id`,
  ).all(migratedAt) as { id: number; entry_id: number; list_uid: string }[];
  if (rows.length === 0) return { filled: 0, listGone: 0 };
  // The entry id must still be that list's: ids of a removed list can be given to a later one.
  const entry = lib.db.prepare('SELECT e.details FROM entry e JOIN hash_list l ON l.id = e.list_id WHERE e.id = ? AND l.uid = ?');
  const update = db.prepare('UPDATE hash_match SET entry_carried = ? WHERE id = ?');
  const result: CarriedBackfill = { filled: 0, listGone: 0 };
  db.transaction(() => {
    for (const r of rows) {
      const e = entry.get(r.entry_id, r.list_uid) as { details: string | null } | undefined;
      if (!e) { result.listGone++; continue; }
      const carried = carriedJson(e.details);
      if (carried === null) continue;
      update.run(carried, r.id);
      result.filled++;
    }
    if (result.filled > 0) appendAudit(db, CARRIED_BACKFILL_AUDIT_ACTION, { ...result, recordedBefore: migratedAt }, actor);
  })();
  return result;
}
