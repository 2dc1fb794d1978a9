import { useCallback, useEffect, useState } from 'react';
import type { Seriality } from '../../electron/api/index.js';
import { formatCount, useSession, valueOr } from '../session.js';

const SIZE = 560;
const RADIUS = 210;

/**
 * Seriality across the lab library: cases as nodes on a ring, shared material as edges whose width
 * grows with the number of items (solid: some exact copies; dashed: near-duplicates only), so
 * linked cases are read at a glance. Drawn as plain SVG in the page: no network, no chart library.
 */
export function SerialityGraph({ data }: { data: Seriality }) {
  const n = data.cases.length;
  const at = new Map(data.cases.map((c, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
    return [c.caseNumber, { x: SIZE / 2 + (n > 1 ? RADIUS * Math.cos(a) : 0), y: SIZE / 2 + (n > 1 ? RADIUS * Math.sin(a) : 0) }];
  }));
  const linked = new Set(data.links.flatMap((l) => [l.a, l.b]));
  return (
    <svg className="seriality-graph" viewBox={`0 0 ${SIZE} ${SIZE}`} width={SIZE} height={SIZE} role="img"
      aria-label={`${n} cases, ${data.links.length} links`} data-testid="seriality-graph">
      {data.links.map((l) => {
        const a = at.get(l.a)!;
        const b = at.get(l.b)!;
        const width = 1.5 + 2.5 * Math.log2(1 + l.items);
        return (
          <g key={`${l.a}|${l.b}`} className="edge" data-link={`${l.a}|${l.b}`}>
            <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke="var(--alert)" strokeOpacity={0.8} strokeWidth={width}
              strokeDasharray={l.exact === 0 ? '8 6' : undefined} />
            <text x={(a.x + b.x) / 2} y={(a.y + b.y) / 2 - 8} textAnchor="middle" className="edge-label">
              {formatCount(l.items)} · {l.exact} exact, {l.nearDuplicate} near{l.series.length ? ` · ${l.series.join(', ')}` : ''}
            </text>
          </g>
        );
      })}
      {data.cases.map((c) => {
        const p = at.get(c.caseNumber)!;
        return (
          <g key={c.caseNumber} className="node" data-case={c.caseNumber}>
            <circle cx={p.x} cy={p.y} r={26} fill={linked.has(c.caseNumber) ? 'var(--alert-bg)' : 'var(--panel)'}
              stroke={linked.has(c.caseNumber) ? 'var(--alert)' : 'var(--accent)'} strokeWidth={2} />
            <text x={p.x} y={p.y + 4} textAnchor="middle" className="node-count">{formatCount(c.items)}</text>
            <text x={p.x} y={p.y + 44} textAnchor="middle" className="node-label">{c.caseNumber}</text>
            <text x={p.x} y={p.y + 58} textAnchor="middle" className="node-sub">{c.examiner}</text>
          </g>
        );
      })}
    </svg>
  );
}

export function SerialityScreen() {
  const { bridge, info, report } = useSession();
  const [data, setData] = useState<Seriality | null>(null);
  const load = useCallback(async () => {
    const r = valueOr(await bridge.api.libraryLinks({}), report);
    if (r) setData(r);
  }, [bridge, report]);
  useEffect(() => { void load(); }, [load]);

  return (
    <div className="screen">
      <h1>Seriality</h1>
      <p className="muted small">Cases in the lab library linked by shared material · library <span className="mono">{info.libraryDir}</span>
        {data && <> · version {data.libraryVersion} · PDQ distance ≤ {data.pdqThreshold}</>}</p>
      {!data ? <p className="muted">Loading…</p> : data.cases.length === 0 ? <p className="muted">No case has been contributed to the lab library.</p> : (
        <div className="columns">
          <section className="panel" aria-label="Graph">
            <SerialityGraph data={data} />
            <p className="muted small">Edge width: shared items. Solid: exact copies; dashed: near-duplicates only.</p>
          </section>
          <section className="panel grow" aria-label="Links">
            <h2>Links</h2>
            {data.links.length === 0 ? <p className="muted">No two cases share material.</p> : (
              <table className="table" data-testid="seriality-links">
                <thead><tr><th>Cases</th><th className="num">Items</th><th className="num">Exact</th><th className="num">Near-duplicate</th><th>Series</th></tr></thead>
                <tbody>
                  {data.links.map((l) => (
                    <tr key={`${l.a}|${l.b}`}>
                      <td><strong>{l.a}</strong> — <strong>{l.b}</strong></td>
                      <td className="num">{formatCount(l.items)}</td>
                      <td className="num">{formatCount(l.exact)}</td>
                      <td className="num">{formatCount(l.nearDuplicate)}{l.minDistance !== null && <span className="muted small"> (from {l.minDistance} bits)</span>}</td>
                      <td>{l.series.join(', ') || <span className="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>Proposed series members</h2>
            <p className="muted small">Items resembling a labelled series member in another case. Proposals only: the examiner decides.</p>
            {data.proposals.length === 0 ? <p className="muted">None.</p> : (
              <table className="table" data-testid="seriality-proposals">
                <thead><tr><th>Series</th><th>Case</th><th>Item (SHA-256)</th><th>Like</th><th className="num">Distance</th></tr></thead>
                <tbody>
                  {data.proposals.slice(0, 200).map((p) => (
                    <tr key={`${p.caseNumber}|${p.sha256}|${p.series}`}>
                      <td>{p.series}</td><td>{p.caseNumber}</td><td className="mono small">{p.sha256.slice(0, 16)}…</td>
                      <td className="small">{p.fromCase} <span className="mono">{p.fromSha256.slice(0, 12)}…</span></td>
                      <td className="num">{p.algorithm === 'sha256' ? 'exact' : p.distance}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>Cases</h2>
            <table className="table">
              <thead><tr><th>Case</th><th>Examiner</th><th className="num">Items</th><th>Contributed</th><th>Series</th></tr></thead>
              <tbody>
                {data.cases.map((c) => (
                  <tr key={c.caseNumber}><td>{c.caseNumber}</td><td>{c.examiner}</td><td className="num">{formatCount(c.items)}</td>
                    <td className="small">{c.contributedAt} by {c.contributedBy}</td><td>{c.series.join(', ') || <span className="muted">—</span>}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      )}
    </div>
  );
}
