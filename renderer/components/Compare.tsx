import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { CompareRow, CompareSide, ItemComparison, MatchComparison, ViewSource } from '../../electron/api/index.js';
import { useSession, useWellbeing, valueOr } from '../session.js';

export type CompareTarget = { kind: 'items'; a: number; b: number } | { kind: 'match'; contentId: number };

/**
 * Side by side, as the engine aligned it (compareItems, compareMatches): two items with their
 * pictures, hashes, distances, dimensions, size and EXIF row by row, differences marked; or one
 * item beside the evidence of each list entry it matched (the list's own picture is never
 * available). Pictures stay veiled until revealed. Keys: R reveals both, [ and ] the left or right
 * one, B and G switch blur and greyscale, Escape closes.
 */
export function Compare({ target, onClose }: { target: CompareTarget; onClose(): void }) {
  const { bridge, report } = useSession();
  const wellbeing = useWellbeing();
  const [items, setItems] = useState<ItemComparison | null>(null);
  const [match, setMatch] = useState<MatchComparison | null>(null);
  const [revealed, setRevealed] = useState<[boolean, boolean]>([false, false]);
  const [blur, setBlur] = useState(wellbeing.blur);
  const [grey, setGrey] = useState(wellbeing.greyscale);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    setRevealed([false, false]);
    if (target.kind === 'items') {
      void bridge.api.compareItems({ a: target.a, b: target.b }).then((r) => { if (live) setItems(valueOr(r, report)); });
    } else {
      void bridge.api.compareMatches({ contentId: target.contentId }).then((r) => { if (live) setMatch(valueOr(r, report)); });
    }
    return () => { live = false; };
  }, [bridge, report, target]);
  useLayoutEffect(() => { root.current?.focus(); }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    switch (e.key) {
      case 'Escape': onClose(); break;
      case 'r': case 'R': setRevealed(([a, b]) => (a && b ? [false, false] : [true, true])); break;
      case '[': setRevealed(([a, b]) => [!a, b]); break;
      case ']': setRevealed(([a, b]) => [a, !b]); break;
      case 'b': case 'B': setBlur((v) => !v); break;
      case 'g': case 'G': setGrey((v) => !v); break;
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  const veil = (side: 0 | 1) => ({ blur: blur && !revealed[side], grey: grey && !revealed[side], radius: wellbeing.blurRadius });
  const loaded = target.kind === 'items' ? items !== null : match !== null;

  return (
    <div className="viewer compare" role="dialog" aria-modal="true" aria-label="Compare" tabIndex={-1} ref={root} onKeyDown={onKeyDown}
      data-testid="compare" data-kind={target.kind} data-loaded={loaded ? 'yes' : 'no'}>
      <div className="viewer-bar">
        <strong>{target.kind === 'items' ? 'Compare two items' : 'Item beside what it matched'}</strong>
        {items && <Distances cmp={items} />}
        <label className="check"><input type="checkbox" checked={blur} onChange={(e) => setBlur(e.target.checked)} /> Blur (B)</label>
        <label className="check"><input type="checkbox" checked={grey} onChange={(e) => setGrey(e.target.checked)} /> Greyscale (G)</label>
        <button type="button" onClick={() => setRevealed(([a, b]) => [!a, b])}>{revealed[0] ? 'Veil' : 'Reveal'} left ([)</button>
        {target.kind === 'items' && <button type="button" onClick={() => setRevealed(([a, b]) => [a, !b])}>{revealed[1] ? 'Veil' : 'Reveal'} right (])</button>}
        <button type="button" className="viewer-close" onClick={onClose} title="Close (Escape)">Close</button>
      </div>
      <div className="compare-body">
        {items && (
          <>
            <div className="compare-pictures">
              <Picture side={items.a} veil={veil(0)} testId="compare-left" />
              <Picture side={items.b} veil={veil(1)} testId="compare-right" />
            </div>
            <Rows rows={items.rows} left={`#${items.a.id} ${items.a.name}`} right={`#${items.b.id} ${items.b.name}`} testId="compare-rows" />
          </>
        )}
        {match && (
          <div className="compare-pictures">
            <Picture side={match.item} veil={veil(0)} testId="compare-left" />
            <div className="compare-evidence" data-testid="match-evidence">
              <p className="muted small">The list's own picture is never available: what the list says about the entry is shown beside the item.</p>
              {match.matches.length === 0 && <p className="muted" data-testid="no-matches">This item matched no list entry.</p>}
              {match.matches.map((m, i) => (
                <section key={i} className="compare-match" data-testid="match" data-algorithm={m.algorithm} data-distance={m.distance}>
                  <h3>
                    {m.list} v{m.listVersion}{m.known ? ' (known files)' : ''} · {m.algorithm.toUpperCase()} distance {m.distance} of ≤ {m.threshold}
                    {m.category !== null && <> · list category {m.category} ({m.scheme})</>}
                  </h3>
                  <div className="muted small mono" title="SHA-256 of the list file as imported">list file {m.listSha256.slice(0, 16)}…</div>
                  <Rows rows={m.rows} left="this item" right="list entry" testId="match-rows" />
                </section>
              ))}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

function Distances({ cmp }: { cmp: ItemComparison }) {
  return (
    <span className="compare-distances">
      {cmp.pdq
        ? (
          <span className="badge" data-testid="pdq-distance" data-distance={cmp.pdq.nearest}
            title="the smallest Hamming distance between one picture's 8 dihedral variants and the other as displayed, as near-duplicate grouping measures it">
            PDQ distance {cmp.pdq.nearest}{cmp.pdq.dihedral > 0 ? ` (${cmp.pdq.turned === 'a' ? 'left' : 'right'} turned, variant ${cmp.pdq.dihedral}; as displayed ${cmp.pdq.asDisplayed})` : ''}
          </span>)
        : <span className="badge" data-testid="pdq-distance">no PDQ on one side</span>}
      {cmp.blockhashDistance !== null && <span className="badge" data-testid="blockhash-distance">blockhash distance {cmp.blockhashDistance}</span>}
      {cmp.group && (
        <span className="badge" data-testid="compare-group">
          group {cmp.group.id}: left {cmp.group.aToRepresentative ?? '?'}, right {cmp.group.bToRepresentative ?? '?'} bits from the representative
        </span>
      )}
    </span>
  );
}

function useSource(contentId: number): ViewSource | null {
  const { bridge, report } = useSession();
  const [source, setSource] = useState<ViewSource | null>(null);
  useEffect(() => {
    let live = true;
    void bridge.api.viewSource({ contentId }).then((r) => { if (live) setSource(valueOr(r, report)); });
    return () => { live = false; };
  }, [bridge, report, contentId]);
  return source;
}

function Picture({ side, veil, testId }: { side: CompareSide; veil: { blur: boolean; grey: boolean; radius: number }; testId: string }) {
  const { bridge } = useSession();
  const source = useSource(side.id);
  const src = source?.source === 'original' ? bridge.media.originalUrl(side.id)
    : source?.source === 'preview' ? bridge.media.previewUrl(side.id)
      : side.hasThumbnail ? bridge.media.thumbnailUrl(side.id) : null;
  const filter = [veil.blur ? `blur(${veil.radius}px)` : '', veil.grey ? 'grayscale(1)' : ''].filter(Boolean).join(' ') || 'none';
  return (
    <figure className="compare-picture" data-testid={testId} data-content-id={side.id} data-veiled={veil.blur || veil.grey ? 'yes' : 'no'}
      data-source={source?.source ?? 'loading'}>
      <div className="compare-stage">
        {src ? <img src={src} alt="" draggable={false} style={{ filter }} /> : <div className="thumb-none">{side.type}</div>}
      </div>
      <figcaption className="small">
        <strong title={side.path}>{side.name || side.sha256.slice(0, 16)}</strong>
        <span className="muted"> · {side.exhibitLabel ?? '?'}{source?.source === 'preview' ? ' · stored preview, original not reachable' : ''}</span>
      </figcaption>
    </figure>
  );
}

function Rows({ rows, left, right, testId }: { rows: CompareRow[]; left: string; right: string; testId: string }) {
  return (
    <table className="table compare-rows" data-testid={testId}>
      <thead><tr><th>Field</th><th>{left}</th><th>{right}</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.field} data-field={r.field} data-same={r.same === null ? 'n/a' : r.same ? 'yes' : 'no'} className={r.same === false ? 'differs' : ''}>
            <td>{r.label}</td>
            <td className="mono"><Digits value={r.a} other={r.b} /></td>
            <td className="mono"><Digits value={r.b} other={r.a} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const HEX = /^[0-9a-f]+$/;

/** A hash beside another of the same length: the hex digits that differ are marked, so a few flipped bits of a PDQ hash show where they are. */
function Digits({ value, other }: { value: string | null; other: string | null }) {
  if (value === null) return <>—</>;
  if (other === null || value === other || value.length !== other.length || !HEX.test(value) || !HEX.test(other)) return <>{value}</>;
  return <>{[...value].map((ch, i) => (ch === other[i] ? ch : <mark key={i} className="diff-digit">{ch}</mark>))}</>;
}
