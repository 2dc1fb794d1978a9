import type { Db } from '../catalog/sqlite.js';
import type { SchemeId } from '../catalog/schemes.js';
import { appendAudit } from '../audit/log.js';
import { KestrelError } from '../util/result.js';
import { caseScheme } from './decisions.js';

/**
 * Changing a case's category scheme never converts decisions: a "1" in Project VIC is not a CAID
 * "B", and only the examiner may say what it becomes. Decisions made in another scheme stay as they
 * were, shown as such ("1 (vic-us)") until the examiner decides the item again in the new one, so
 * the change is confirmed with the number of decisions it leaves behind.
 */

export interface SchemeChangeImpact {
  from: SchemeId;
  to: SchemeId;
  /** Current decisions (not superseded) in a scheme other than `to`: they stay in theirs. */
  stay: number;
  byScheme: { scheme: string; decisions: number }[];
}

export function schemeChangeImpact(db: Db, to: SchemeId): SchemeChangeImpact {
  const byScheme = db.prepare(
    `SELECT scheme, count(*) AS decisions FROM category_decision
     WHERE superseded_by IS NULL AND scheme != ? GROUP BY scheme ORDER BY decisions DESC, scheme`,
  ).all(to) as { scheme: string; decisions: number }[];
  return { from: caseScheme(db), to, stay: byScheme.reduce((s, r) => s + r.decisions, 0), byScheme };
}

function describe(impact: SchemeChangeImpact): string {
  return impact.byScheme.map((r) => `${r.decisions} in ${r.scheme}`).join(', ');
}

/**
 * Writes the new scheme when the examiner confirmed the number of decisions that stay in their old
 * scheme (a count taken before decisions made since is refused: the examiner confirmed another
 * change), and records the change with that number in the audit log. Runs in the caller's
 * transaction when there is one.
 */
export function changeScheme(db: Db, to: SchemeId, examiner: string, confirmedStay: number | undefined): SchemeChangeImpact {
  return db.transaction(() => {
    const impact = schemeChangeImpact(db, to);
    if (impact.from === to) return impact;
    if (impact.stay > 0 && confirmedStay !== impact.stay) {
      throw new KestrelError(
        `changing the category scheme from ${impact.from} to ${to} leaves ${impact.stay} decision${impact.stay === 1 ? '' : 's'} in ${impact.stay === 1 ? 'its' : 'their'} old scheme (${describe(impact)}); ` +
        `nothing was changed: confirm that number to change it${confirmedStay === undefined ? '' : ` (${confirmedStay} was confirmed)`}`,
        'E_CONFIRM_SCHEME',
      );
    }
    db.prepare("INSERT INTO case_setting (key, value) VALUES ('categoryScheme', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(JSON.stringify(to));
    appendAudit(db, 'review.scheme', { from: impact.from, to, decisionsInOtherSchemes: impact.stay, byScheme: impact.byScheme }, examiner);
    return impact;
  })();
}
