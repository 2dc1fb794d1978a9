import type { OpenCase } from '../catalog/case.js';
import { appendAudit } from '../audit/log.js';
import { gatherContribution, type GatherOptions } from './gather.js';
import type { ContributeOutcome, LabStore } from './store.js';

export interface ContributeSummary extends ContributeOutcome {
  engine: 'sqlite' | 'postgres';
  library: string;
  categorised: number;
  shareFileNames: boolean;
}

/**
 * Contributes a case to the lab library and records it in the case's audit log (where, which
 * library version, how many items; never the connection's password). The library records it in
 * its own log in the same transaction as the items.
 */
export async function contributeCase(c: OpenCase, store: LabStore, examiner: string, options: GatherOptions = {}): Promise<ContributeSummary> {
  const contribution = gatherContribution(c, options);
  const outcome = await store.contribute(contribution, examiner);
  const summary: ContributeSummary = {
    ...outcome, engine: store.engine, library: store.location,
    categorised: contribution.items.filter((i) => i.category !== null).length, shareFileNames: contribution.shareFileNames,
  };
  c.db.transaction(() => appendAudit(c.db, 'library.contribute', { ...summary }, examiner))();
  return summary;
}
