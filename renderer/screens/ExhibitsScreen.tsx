import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ExhibitInfo, FileErrorRow, IntakeProgress } from '../../electron/api/index.js';
import { formatBytes, formatCount, useSession, valueOr } from '../session.js';

const POLL_MS = 500;

export function ExhibitsScreen() {
  const { bridge, report, refresh } = useSession();
  const [exhibits, setExhibits] = useState<ExhibitInfo[]>([]);
  const [errors, setErrors] = useState<{ total: number; rows: FileErrorRow[] }>({ total: 0, rows: [] });
  const [label, setLabel] = useState('');
  const [source, setSource] = useState('');
  const [description, setDescription] = useState('');
  const [job, setJob] = useState<IntakeProgress | null>(null);

  const load = useCallback(async () => {
    const ex = valueOr(await bridge.api.listExhibits({}), report);
    if (ex) setExhibits(ex);
    const er = valueOr(await bridge.api.listFileErrors({ offset: 0, limit: 200 }), report);
    if (er) setErrors(er);
  }, [bridge, report]);

  useEffect(() => { void load(); }, [load]);

  useEffect(() => {
    if (!job || job.state !== 'running') return;
    const t = setTimeout(async () => {
      const r = valueOr(await bridge.api.intakeStatus({ jobId: job.jobId }), report);
      if (r) {
        setJob(r);
        if (r.state !== 'running') {
          report(r.state === 'complete' ? `Intake of ${r.label} complete: ${r.message ?? ''}` : `Intake of ${r.label} failed: ${r.message ?? ''}`, r.state === 'complete' ? 'info' : 'error');
          await load();
          await refresh();
        }
      }
    }, POLL_MS);
    return () => clearTimeout(t);
  }, [job, bridge, report, load, refresh]);

  const start = async (e: FormEvent) => {
    e.preventDefault();
    const r = valueOr(await bridge.api.startIntake({ label, source, ...(description ? { description } : {}) }), report);
    if (r) setJob(r);
  };

  return (
    <div className="screen">
      <h1>Exhibits &amp; intake</h1>
      <div className="columns">
        <section className="panel grow" aria-label="Exhibits">
          <h2>Exhibits</h2>
          {exhibits.length === 0 ? <p className="muted">No exhibits yet. Start an intake to add one.</p> : (
            <table className="table">
              <thead><tr><th>Exhibit</th><th>Source (read-only)</th><th className="num">Files</th><th className="num">Unique</th><th className="num">Errors</th><th>Last intake</th></tr></thead>
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
                      <td className="small">{last ? `${last.status} · ${last.finishedAt ?? last.startedAt}` : '—'}</td>
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
          {job && <Progress job={job} />}
        </section>
      </div>
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

function Progress({ job }: { job: IntakeProgress }) {
  const fraction = job.filesTotal ? Math.min(1, job.filesDone / job.filesTotal) : null;
  return (
    <div className="progress-panel" aria-label="Intake progress" data-state={job.state}>
      <div className="progress-title">
        <strong>{job.label}</strong> <span className={`pill pill-${job.state}`}>{job.state}</span>
      </div>
      <progress max={1} value={fraction ?? undefined} />
      <dl className="facts compact">
        <dt>Files</dt><dd className="num">{formatCount(job.filesDone)}{job.filesTotal !== null && ` of ${formatCount(job.filesTotal)}`}</dd>
        <dt>Data</dt><dd className="num">{formatBytes(job.bytesDone)}{job.bytesTotal !== null && ` of ${formatBytes(job.bytesTotal)}`}</dd>
        <dt>Rate</dt><dd className="num">{job.filesPerSecond.toFixed(1)} files/s</dd>
        <dt>ETA</dt><dd className="num">{job.state === 'running' ? (job.etaSeconds === null ? 'estimating…' : formatEta(job.etaSeconds)) : '—'}</dd>
        <dt>Errors</dt><dd className={`num${job.errors ? ' warn' : ''}`}>{formatCount(job.errors)}</dd>
      </dl>
      {job.message && <div className="small muted">{job.message}</div>}
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
