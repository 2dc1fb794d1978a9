import { useEffect, useState, type FormEvent } from 'react';
import type { CaseCounts, SchemeId } from '../../electron/api/index.js';
import { formatCount, useSession, valueOr } from '../session.js';
import { SCHEME_CHOICES } from '../categories.js';

export function CaseScreen({ onOpened }: { onOpened(): void }) {
  const { bridge, info, refresh, report } = useSession();
  const [createDir, setCreateDir] = useState(info.suggestedCaseDir ?? '');
  const [caseNumber, setCaseNumber] = useState('');
  const [description, setDescription] = useState('');
  const [scheme, setScheme] = useState<SchemeId>('vic-us');
  const [openDir, setOpenDir] = useState('');
  const [busy, setBusy] = useState(false);
  const [counts, setCounts] = useState<CaseCounts | null>(null);

  useEffect(() => {
    if (!info.case) return;
    void bridge.api.caseCounts({}).then((r) => setCounts(valueOr(r, report)));
  }, [bridge, report, info.case]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const r = await bridge.api.createCase({ dir: createDir, caseNumber, scheme, ...(description ? { description } : {}) });
    setBusy(false);
    if (valueOr(r, report)) {
      report(`Case ${caseNumber} created`);
      await refresh();
      onOpened();
    }
  };
  const open = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const r = await bridge.api.openCase({ dir: openDir });
    setBusy(false);
    if (valueOr(r, report)) {
      await refresh();
      onOpened();
    }
  };

  const c = info.case;
  return (
    <div className="screen screen-narrow">
      <h1>Case</h1>
      {c && (
        <section className="panel" aria-label="Open case">
          <div className="case-head">
            <div>
              <div className="case-number">{c.caseNumber}</div>
              <div className="muted">{c.description ?? 'No description'}</div>
            </div>
            <div className="muted small mono">{c.caseUuid}</div>
          </div>
          <dl className="facts">
            <dt>Folder</dt><dd className="mono">{c.dir}</dd>
            <dt>Lead examiner</dt><dd>{c.examiner}</dd>
            <dt>Created</dt><dd>{c.createdAt}</dd>
            <dt>Category scheme</dt><dd>{c.schemeName}</dd>
          </dl>
          <div className="stats">
            <Stat label="Exhibits" value={counts?.exhibits} />
            <Stat label="Files" value={counts?.files} />
            <Stat label="Unique items" value={counts?.contents} />
            <Stat label="Matched" value={counts?.matched} />
            <Stat label="Categorised" value={counts?.categorised} />
            <Stat label="Read errors" value={counts?.errors} />
          </div>
          <p className="muted small">Recording decisions, notes and exports as <strong>{info.examiner}</strong> (Switch examiner, in the side bar, changes who is working).</p>
        </section>
      )}
      {!c && (
        <section className="panel" aria-label="Create a case">
          <h2>Create a case</h2>
          <form className="form" onSubmit={create}>
            <label>Case folder (new or empty)
              <input name="dir" value={createDir} onChange={(e) => setCreateDir(e.target.value)} required className="mono" />
            </label>
            <label>Case number
              <input name="caseNumber" value={caseNumber} onChange={(e) => setCaseNumber(e.target.value)} required maxLength={200} />
            </label>
            <p className="muted small">Lead examiner: <strong>{info.examiner}</strong>, the examiner working now.</p>
            <label>Description
              <textarea name="description" value={description} onChange={(e) => setDescription(e.target.value)} rows={2} />
            </label>
            <label>Category scheme
              <select name="scheme" value={scheme} onChange={(e) => setScheme(e.target.value as SchemeId)}>
                {SCHEME_CHOICES.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
              </select>
            </label>
            <button type="submit" className="primary" disabled={busy}>Create case</button>
          </form>
        </section>
      )}
      <section className="panel" aria-label="Open a case">
        <h2>{c ? 'Open another case' : 'Open a case'}</h2>
        <form className="inline-form" onSubmit={open}>
          <label>Case folder
            <input name="openDir" value={openDir} onChange={(e) => setOpenDir(e.target.value)} required className="mono" />
          </label>
          <button type="submit" disabled={busy}>Open</button>
        </form>
      </section>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: number | undefined }) {
  return (
    <div className="stat">
      <div className="stat-value">{value === undefined ? '…' : formatCount(value)}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}
