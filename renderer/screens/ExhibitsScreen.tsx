import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { DerivedUsage, ExhibitInfo, FileErrorRow, IntakeProgress } from '../../electron/api/index.js';
import { formatBytes, formatCount, useSession, valueOr } from '../session.js';
import { useRemembered } from '../remember.js';
import { ExhibitImagePanel, MismatchBanners, VerificationBadge } from './ExhibitImage.js';

const POLL_MS = 500;

export function ExhibitsScreen() {
  const { bridge, info, report, refresh } = useSession();
  const caseKey = info.case?.caseUuid ?? '';
  const [exhibits, setExhibits] = useState<ExhibitInfo[]>([]);
  const [errors, setErrors] = useState<{ total: number; rows: FileErrorRow[] }>({ total: 0, rows: [] });
  const [label, setLabel] = useState('');
  const [source, setSource] = useState('');
  const [description, setDescription] = useState('');
  // Remembered beyond this screen: leaving it while an intake runs, the examiner finds the progress
  // and its Cancel again on coming back (the engine's job goes on meanwhile).
  const [job, setJob] = useRemembered<IntakeProgress | null>(`exhibits.job.${caseKey}`, null);
  const [cancelling, setCancelling] = useRemembered(`exhibits.cancelling.${caseKey}`, false);
  const [usage, setUsage] = useState<DerivedUsage | null>(null);

  const load = useCallback(async () => {
    const ex = valueOr(await bridge.api.listExhibits({}), report);
    if (ex) setExhibits(ex);
    const er = valueOr(await bridge.api.listFileErrors({ offset: 0, limit: 200 }), report);
    if (er) setErrors(er);
    const u = valueOr(await bridge.api.derivedUsage({}), report);
    if (u) setUsage(u);
  }, [bridge, report]);

  useEffect(() => { void load(); }, [load]);

  const finished = useCallback(async (r: IntakeProgress) => {
    if (r.state === 'complete') report(`Intake of ${r.label} complete: ${r.message ?? ''}`);
    else if (r.state === 'interrupted') report(`Intake of ${r.label} cancelled; start it again to resume`);
    else report(`Intake of ${r.label} failed: ${r.message ?? ''}`, 'error');
    await load();
    await refresh();
  }, [report, load, refresh]);

  useEffect(() => {
    if (!job || job.state !== 'running' || cancelling) return;
    const t = setTimeout(async () => {
      const r = valueOr(await bridge.api.intakeStatus({ jobId: job.jobId }), report);
      if (!r) return;
      // A cancel may have settled the job while this call was under way: never go back to running.
      setJob((prev) => (prev && prev.jobId === r.jobId && prev.state !== 'running' ? prev : r));
      if (r.state !== 'running') await finished(r);
    }, POLL_MS);
    return () => clearTimeout(t);
  }, [job, cancelling, bridge, report, finished]);

  const start = async (e: FormEvent) => {
    e.preventDefault();
    const r = valueOr(await bridge.api.startIntake({ label, source, ...(description ? { description } : {}) }), report);
    if (r) setJob(r);
  };
  const cancel = async () => {
    if (!job) return;
    setCancelling(true);
    const r = valueOr(await bridge.api.cancelIntake({ jobId: job.jobId }), report);
    setCancelling(false);
    if (r) {
      setJob(r);
      await finished(r);
    }
  };
  // The engine resumes an interrupted intake when the same exhibit ID and source are taken in again.
  const resume = async () => {
    if (!job) return;
    const r = valueOr(await bridge.api.startIntake({ label: job.label, source: job.source }), report);
    if (r) setJob(r);
  };

  return (
    <div className="screen">
      <h1>Exhibits &amp; intake</h1>
      <MismatchBanners exhibits={exhibits} />
      <div className="columns">
        <section className="panel grow" aria-label="Exhibits">
          <h2>Exhibits</h2>
          {exhibits.length === 0 ? <p className="muted">No exhibits yet. Start an intake to add one.</p> : (
            <table className="table">
              <thead><tr><th>Exhibit</th><th>Source (read-only)</th><th className="num">Files</th><th className="num">Unique</th><th className="num">Errors</th><th>Image verification</th><th>Last intake</th></tr></thead>
              <tbody>
                {exhibits.map((x) => {
                  const last = x.runs[x.runs.length - 1];
                  return (
                    <tr key={x.id}>
                      <td><strong>{x.label}</strong>{x.description && <div className="muted small">{x.description}</div>}</td>
                      <td className="mono small">{x.sourcePath}</td>
                      <td className="num">{formatCount(x.files)}</td>
                      <td className="num">{formatCount(x.contents)}</td>
                      <td className={`num${x.errors ? ' warn' : ''}`}>{formatCount(x.errors)}</td>
                      <td><VerificationBadge image={x.image} /></td>
                      <td className="small" data-testid="exhibit-runs">
                        {last ? `${last.status} · ${last.finishedAt ?? last.startedAt}` : '—'}
                        {x.runs.length > 1 && <div className="muted">runs: {x.runs.map((r) => r.status).join(' → ')}</div>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel side" aria-label="Start an intake">
          <h2>Start an intake</h2>
          <form className="form" onSubmit={start}>
            <label>Exhibit ID
              <input name="label" value={label} onChange={(e) => setLabel(e.target.value)} required maxLength={200} placeholder="e.g. EX-001" />
            </label>
            <label>Source folder, drive or image (read-only)
              <input name="source" value={source} onChange={(e) => setSource(e.target.value)} required className="mono" />
            </label>
            <label>Description
              <input name="description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={4000} />
            </label>
            <button type="submit" className="primary" disabled={job?.state === 'running'}>Start intake</button>
          </form>
          {job && <Progress job={job} cancelling={cancelling} onCancel={() => void cancel()} onResume={() => void resume()} />}
        </section>
      </div>
      {exhibits.map((x) => <ExhibitImagePanel key={x.id} exhibit={x} />)}
      {usage && usage.previews.files + usage.thumbnails.files > 0 && (
        <section className="panel" aria-label="Derived files">
          <h2>Stored previews and thumbnails</h2>
          <p className="small" data-testid="derived-usage">
            {formatCount(usage.previews.files)} stored previews (at most 2048 px, shown when an original is not reachable):{' '}
            {formatBytes(usage.previews.bytes)}, {formatBytes(usage.previews.files ? Math.round(usage.previews.bytes / usage.previews.files) : 0)} a picture ·{' '}
            {formatCount(usage.thumbnails.files)} thumbnails: {formatBytes(usage.thumbnails.bytes)}
          </p>
        </section>
      )}
      <section className="panel" aria-label="Read errors">
        <h2>Read errors <span className="muted">({formatCount(errors.total)})</span></h2>
        {errors.total === 0 ? <p className="muted">None.</p> : (
          <table className="table">
            <thead><tr><th>Exhibit</th><th>Path</th><th>Error</th></tr></thead>
            <tbody>
              {errors.rows.map((r, i) => (
                <tr key={i}><td>{r.exhibitLabel}</td><td className="mono small">{r.path}</td><td className="warn small">{r.error}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function Progress({ job, cancelling, onCancel, onResume }: { job: IntakeProgress; cancelling: boolean; onCancel(): void; onResume(): void }) {
  const fraction = job.filesTotal ? Math.min(1, job.filesDone / job.filesTotal) : null;
  return (
    <div className="progress-panel" aria-label="Intake progress" data-state={job.state}>
      <div className="progress-title">
        <strong>{job.label}</strong>
        <span>
          {job.resumed && <span className="pill" data-testid="intake-resumed">resumed</span>}{' '}
          <span className={`pill pill-${job.state}`}>{job.state}</span>
        </span>
      </div>
      {/* Indeterminate only while the total is still being counted. */}
      <progress max={1} value={fraction ?? (job.state === 'running' ? undefined : 0)} />
      <dl className="facts compact">
        <dt>Files</dt><dd className="num">{formatCount(job.filesDone)}{job.filesTotal !== null && ` of ${formatCount(job.filesTotal)}`}</dd>
        <dt>Data</dt><dd className="num">{formatBytes(job.bytesDone)}{job.bytesTotal !== null && ` of ${formatBytes(job.bytesTotal)}`}</dd>
        <dt>Rate</dt><dd className="num">{job.state === 'interrupted' ? '—' : `${job.filesPerSecond.toFixed(1)} files/s`}</dd>
        <dt>ETA</dt><dd className="num">{job.state === 'running' ? (job.etaSeconds === null ? 'estimating…' : formatEta(job.etaSeconds)) : '—'}</dd>
        <dt>Errors</dt><dd className={`num${job.errors ? ' warn' : ''}`}>{formatCount(job.errors)}</dd>
      </dl>
      {job.message && <div className="small muted">{job.message}</div>}
      {job.state === 'running' && (
        <div className="progress-actions">
          <button type="button" className="alert" onClick={onCancel} disabled={cancelling}>{cancelling ? 'Cancelling…' : 'Cancel intake'}</button>
        </div>
      )}
      {job.state === 'interrupted' && (
        <div className="progress-actions">
          <button type="button" className="primary" onClick={onResume}>Resume intake</button>
        </div>
      )}
      {job.recentErrors.length > 0 && (
        <ul className="error-list small">
          {job.recentErrors.slice(0, 5).map((e, i) => <li key={i}><span className="mono">{e.path}</span>: {e.error}</li>)}
        </ul>
      )}
    </div>
  );
}

function formatEta(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
