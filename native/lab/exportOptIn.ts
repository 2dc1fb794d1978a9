import { appendAudit } from '../audit/log.js';
import type { OpenCase } from '../catalog/case.js';

const KEY = 'contributeAtExport';
export const OPT_IN_AUDIT_ACTION = 'library.contribute-at-export';

/**
 * Whether the case is contributed to the lab library at export when the export does not say: the
 * examiner's choice, remembered in the case (case_setting), off until chosen. Contributing shares
 * the case's hashes and decisions with the lab, so the choice is the case's, not the workstation's.
 */
export function contributesAtExport(c: OpenCase): boolean {
  const row = c.db.prepare('SELECT value FROM case_setting WHERE key = ?').get(KEY) as { value: string } | undefined;
  return row !== undefined && JSON.parse(row.value) === true;
}

/** Remembers the choice; a change (never a repeat) is recorded in the case's audit log with what it was. Call inside a transaction. */
export function rememberContributeAtExport(c: OpenCase, on: boolean, examiner: string): boolean {
  const was = contributesAtExport(c);
  if (was === on) return false;
  c.db.prepare('INSERT INTO case_setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(KEY, JSON.stringify(on));
  appendAudit(c.db, OPT_IN_AUDIT_ACTION, { contributeAtExport: on, was }, examiner);
  return true;
}
