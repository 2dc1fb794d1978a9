import { useCallback, useEffect, useState } from 'react';
import type { AuditPage } from '../../electron/api/index.js';
import { formatCount, useSession, valueOr } from '../session.js';

const LIMIT = 100;

export function AuditScreen() {
  const { bridge, report } = useSession();
  const [page, setPage] = useState<AuditPage | null>(null);
  const [offset, setOffset] = useState<number | null>(null);

  const load = useCallback(async (at: number | null) => {
    const first = valueOr(await bridge.api.listAudit({ offset: at ?? 0, limit: LIMIT }), report);
    if (!first) return;
    // Newest first by default: the last page of the log.
    if (at === null && first.total > LIMIT) {
      const last = Math.max(0, first.total - LIMIT);
      const r = valueOr(await bridge.api.listAudit({ offset: last, limit: LIMIT }), report);
      if (r) { setPage(r); setOffset(last); }
      return;
    }
    setPage(first);
    setOffset(at ?? 0);
  }, [bridge, report]);
  useEffect(() => { void load(null); }, [load]);

  if (!page || offset === null) return <div className="screen"><h1>Audit trail</h1><p className="muted">Loading…</p></div>;
  return (
    <div className="screen">
      <h1>Audit trail</h1>
      <div className={`verdict ${page.verdict.ok ? 'ok' : 'bad'}`} data-testid="audit-verdict">
        {page.verdict.ok
          ? `Hash chain intact: ${formatCount(page.verdict.entries)} entries, head ${page.verdict.head}`
          : `Hash chain BROKEN: ${page.verdict.message}`}
      </div>
      <div className="pager">
        <button type="button" disabled={offset === 0} onClick={() => void load(Math.max(0, offset - LIMIT))}>Older</button>
        <span className="muted small">entries {offset + 1}–{Math.min(page.total, offset + LIMIT)} of {formatCount(page.total)}</span>
        <button type="button" disabled={offset + LIMIT >= page.total} onClick={() => void load(offset + LIMIT)}>Newer</button>
      </div>
      <table className="table audit" data-testid="audit-table">
        <thead><tr><th className="num">#</th><th>Time (UTC)</th><th>Actor</th><th>Action</th><th>Details</th></tr></thead>
        <tbody>
          {[...page.entries].reverse().map((e) => (
            <tr key={e.seq}>
              <td className="num">{e.seq}</td>
              <td className="small mono">{e.at}</td>
              <td>{e.actor}</td>
              <td><code>{e.action}</code></td>
              <td className="small mono details">{JSON.stringify(e.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
