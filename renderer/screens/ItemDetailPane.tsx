import { useEffect, useState, type FormEvent } from 'react';
import type { ItemDetail } from '../../electron/api/index.js';
import { formatBytes, formatCount, useSession, valueOr } from '../session.js';
import { categoryLabel, isAlert } from '../categories.js';
import { Thumb } from '../components/Thumb.js';
import { VideoSection } from './VideoSection.js';

export function ItemDetailPane({ contentId, version, revealed, onReveal, onChanged }: {
  contentId: number; version: number; revealed: boolean; onReveal(): void; onChanged(): Promise<void>;
}) {
  const { bridge, info, report } = useSession();
  const categories = info.case?.categories ?? [];
  const [item, setItem] = useState<ItemDetail | null>(null);
  const [note, setNote] = useState('');
  const [tag, setTag] = useState('');
  const [labelKind, setLabelKind] = useState<'series' | 'victim'>('series');
  const [labelText, setLabelText] = useState('');
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    void bridge.api.getItem({ contentId }).then((r) => { if (live) setItem(valueOr(r, report)); });
    return () => { live = false; };
  }, [bridge, report, contentId, version, reload]);

  if (!item || item.id !== contentId) return <p className="muted">Loading…</p>;

  const addNote = async (e: FormEvent) => {
    e.preventDefault();
    if (valueOr(await bridge.api.addNote({ contentId, text: note }), report)) { setNote(''); setReload((v) => v + 1); }
  };
  const addTag = async (e: FormEvent) => {
    e.preventDefault();
    if (valueOr(await bridge.api.addTag({ contentIds: [contentId], tag }), report)) { setTag(''); await onChanged(); }
  };
  const addLabel = async (e: FormEvent) => {
    e.preventDefault();
    if (valueOr(await bridge.api.addLabel({ contentIds: [contentId], kind: labelKind, label: labelText }), report)) { setLabelText(''); setReload((v) => v + 1); }
  };
  const removeLabel = async (kind: 'series' | 'victim', label: string) => {
    if (valueOr(await bridge.api.removeLabel({ contentIds: [contentId], kind, label }), report)) setReload((v) => v + 1);
  };
  const removeTag = async (t: string) => {
    if (valueOr(await bridge.api.removeTag({ contentIds: [contentId], tag: t }), report)) await onChanged();
  };

  return (
    <div className="item-detail" data-content-id={item.id}>
      <Thumb contentId={item.id} hasThumbnail={item.hasThumbnail} revealed={revealed} type={item.type} large />
      <div className="reveal-row">
        <button type="button" onClick={onReveal}>{revealed ? 'Veil' : 'Reveal'} (R)</button>
        <span className={`badge badge-cat big${isAlert(categories, item.category) ? ' alert' : ''}${item.otherSchemeDecision && item.category === null ? ' old-scheme' : ''}`} data-testid="detail-category">
          {item.category === null && item.otherSchemeDecision
            ? `${item.otherSchemeDecision.category} (${item.otherSchemeDecision.scheme}): decided in a scheme the case no longer uses`
            : categoryLabel(categories, item.category)}
        </span>
      </div>

      <h3>Hashes</h3>
      <dl className="facts hashes">
        <dt>MD5</dt><dd className="mono">{item.md5}</dd>
        <dt>SHA-1</dt><dd className="mono">{item.sha1}</dd>
        <dt>SHA-256</dt><dd className="mono">{item.sha256}</dd>
        {item.image?.pdq && <><dt>PDQ</dt><dd className="mono">{item.image.pdq} <span className="muted">q{item.image.pdqQuality}</span></dd></>}
        {item.image?.blockhash && <><dt>blockhash</dt><dd className="mono">{item.image.blockhash}</dd></>}
        <dt>Size</dt><dd>{formatBytes(item.size)} ({formatCount(item.size)} bytes)</dd>
        <dt>Type</dt><dd>{item.type}{item.image?.width ? ` · ${item.image.width}×${item.image.height}` : ''}</dd>
        {item.image?.decodeError && <><dt>Decode</dt><dd className="warn">{item.image.decodeError}</dd></>}
      </dl>

      {item.video && <VideoSection contentId={contentId} video={item.video} />}

      <h3>Match evidence</h3>
      {item.matches.length === 0 ? <p className="muted small">{item.video?.matches.length ? 'No hash-list hit on its digests.' : 'No hash-list hit.'}</p> : (
        <ul className="evidence" data-testid="match-evidence">
          {item.matches.map((m, i) => (
            <li key={i} className={m.known ? 'known' : 'alert'}>
              <div className="evidence-head">
                <strong>{m.list}</strong> <span className="muted">v{m.listVersion}</span>
                <span className={`badge ${m.known ? 'badge-known' : 'badge-alert'}`}>{m.known ? 'known file' : 'alert'}</span>
              </div>
              <dl className="facts compact small">
                <dt>Algorithm</dt><dd>{m.algorithm}{m.dihedral !== null && m.dihedral !== 0 ? ` (dihedral variant ${m.dihedral})` : ''}</dd>
                <dt>Distance</dt><dd>{m.distance} (threshold {m.threshold})</dd>
                {m.via && <><dt>Through</dt><dd data-testid="match-via">extra PDQ hash <strong>{m.via.hash}</strong> ({m.via.kind === 'trimmed' ? 'borders trimmed' : m.via.kind}): {m.via.region.width}×{m.via.region.height} at {m.via.region.left},{m.via.region.top}; the plain PDQ did not match<br /><span className="mono">{m.via.pdq}</span></dd></>}
                <dt>Entry</dt><dd>record {m.entryRecord}{m.entryMediaId ? ` · MediaID ${m.entryMediaId}` : ''}{m.entryLabel ? ` · ${m.entryLabel}` : ''}</dd>
                <dt>Listed hash</dt><dd className="mono">{m.entryHash}</dd>
                {m.category && <><dt>List category</dt><dd>{m.category} ({m.scheme})</dd></>}
                <dt>List file</dt><dd className="mono muted">sha256 {m.listSha256}</dd>
                <dt>Matched</dt><dd>{m.matchedAt}</dd>
              </dl>
            </li>
          ))}
        </ul>
      )}

      <h3>Seen in other cases</h3>
      {item.caseHits.length === 0 ? <p className="muted small">Not in another case of the lab library (as of the last match).</p> : (
        <ul className="evidence case-hits" data-testid="case-hits">
          {item.caseHits.map((h, i) => (
            <li key={i} className="case" data-case={h.case} data-algorithm={h.algorithm}>
              <div className="evidence-head">
                <strong>case {h.case}</strong> <span className="muted">exhibit {h.exhibit}</span>
                <span className="badge badge-case">{h.algorithm === 'sha256' ? 'exact' : `near-duplicate · ${h.distance}`}</span>
              </div>
              <p className="small case-hit-sentence">{h.sentence}</p>
              <p className="muted small">Intelligence from the lab library (version {h.libraryVersion}, matched {h.matchedAt}), not a decision in this case.</p>
            </li>
          ))}
        </ul>
      )}

      <h3>File instances ({item.instances.length})</h3>
      <ul className="instances">
        {item.instances.map((f) => (
          <li key={f.id}>
            <div className="mono small path">{f.exhibitLabel}: {f.path}</div>
            {(f.flags.length > 0 || f.fsAddress) && (
              <div className="small instance-place" data-testid="instance-place">
                {f.flags.map((flag) => <span key={flag} className={`badge badge-place${flag === 'content not verified' || flag === 'metadata reallocated' ? ' badge-warn' : ''}`}>{flag}</span>)}
                {f.fsAddress && <span className="muted"> {f.fsType ?? 'fs'} address {f.fsAddress}</span>}
              </div>
            )}
            <div className="muted small">
              modified {f.mtime ?? '—'} · changed {f.ctime ?? '—'} · accessed {f.atime ?? '—'}{f.birthtime ? ` · born ${f.birthtime}` : ''}
              {f.typeMismatch && <span className="warn"> · extension .{f.extension} does not match content</span>}
              {f.error && <span className="warn"> · {f.error}</span>}
            </div>
          </li>
        ))}
      </ul>

      {item.exif && Object.keys(item.exif).length > 0 && (
        <>
          <h3>EXIF</h3>
          <dl className="facts exif small">
            {Object.entries(item.exif).slice(0, 60).map(([k, v]) => (
              <div key={k} className="fact-pair"><dt>{k}</dt><dd className="mono">{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd></div>
            ))}
          </dl>
        </>
      )}

      <h3>Decisions</h3>
      {item.decisions.length === 0 ? <p className="muted small">None yet.</p> : (
        <ol className="decisions small">
          {item.decisions.map((d) => (
            <li key={d.id} className={d.supersededBy === null ? 'current' : 'superseded'}>
              {d.category} ({d.scheme}) by {d.examiner} at {d.decidedAt}
              {d.supersededBy !== null && <span className="muted"> · {d.supersededBy === d.id ? 'withdrawn' : `superseded by #${d.supersededBy}`}</span>}
            </li>
          ))}
        </ol>
      )}

      <h3>Series and victims</h3>
      <p className="muted small">Pseudonymous labels only: they go to the lab library with the hashes when the case is contributed.</p>
      <div className="tags" data-testid="labels">
        {item.labels.map((l) => (
          <span key={`${l.kind}:${l.label}`} className="tag" data-kind={l.kind}>{l.kind} {l.label}{' '}
            <button type="button" className="link" aria-label={`Remove ${l.kind} ${l.label}`} onClick={() => void removeLabel(l.kind, l.label)}>×</button>
          </span>
        ))}
        <form onSubmit={addLabel} className="inline-form compact">
          <select name="labelKind" value={labelKind} onChange={(e) => setLabelKind(e.target.value as 'series' | 'victim')} aria-label="Label kind">
            <option value="series">series</option>
            <option value="victim">victim</option>
          </select>
          <input name="labelText" value={labelText} onChange={(e) => setLabelText(e.target.value)} placeholder="name a series or victim" maxLength={200} aria-label="New series or victim label" required />
        </form>
      </div>

      <h3>Tags</h3>
      <div className="tags">
        {item.tags.map((t) => (
          <span key={t} className="tag">{t} <button type="button" className="link" aria-label={`Remove tag ${t}`} onClick={() => void removeTag(t)}>×</button></span>
        ))}
        <form onSubmit={addTag} className="inline-form compact">
          <input value={tag} onChange={(e) => setTag(e.target.value)} placeholder="add tag" maxLength={100} aria-label="New tag" />
        </form>
      </div>

      <h3>Notes</h3>
      <ul className="notes small">
        {item.notes.map((n) => <li key={n.id}><div>{n.text}</div><div className="muted">{n.examiner} · {n.createdAt}</div></li>)}
      </ul>
      <form onSubmit={addNote} className="form compact">
        <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} placeholder="Add a note" aria-label="New note" required />
        <button type="submit">Add note</button>
      </form>
    </div>
  );
}
