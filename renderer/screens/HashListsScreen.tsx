import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { HashListInfo, MatchRunResult } from '../../electron/api/index.js';
import { formatCount, useSession, valueOr } from '../session.js';

const FORMATS: [string, string][] = [
  ['', 'Detect from the file'],
  ['vics', 'Project VIC VICS JSON'],
  ['icse', 'INTERPOL ICSE CSV'],
  ['nsrl', 'NIST NSRL (RDSv3 SQLite or NSRLFile.txt)'],
  ['md5', 'md5sum text'],
  ['sha1', 'sha1sum text'],
  ['sha256', 'sha256sum text'],
  ['pdq', 'PDQ list (hash[,quality][,label])'],
];

export function HashListsScreen() {
  const { bridge, info, report, refresh } = useSession();
  const [lists, setLists] = useState<HashListInfo[]>([]);
  const [file, setFile] = useState('');
  const [format, setFormat] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [lastMatch, setLastMatch] = useState<MatchRunResult | null>(null);

  const load = useCallback(async () => {
    const r = valueOr(await bridge.api.listHashLists({}), report);
    if (r) setLists(r);
  }, [bridge, report]);
  useEffect(() => { void load(); }, [load]);

  const importList = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('Importing…');
    const r = valueOr(await bridge.api.importHashList({ file, ...(format ? { format } : {}), ...(name ? { name } : {}) }), report);
    setBusy(null);
    if (r) { report(`Imported ${r.name}: ${formatCount(r.entries)} entries`); setFile(''); setName(''); await load(); }
  };
  const match = async () => {
    setBusy('Matching…');
    const r = valueOr(await bridge.api.runMatch({}), report);
    setBusy(null);
    if (r) { setLastMatch(r); report(`Matching done: ${formatCount(r.contentsMatched)} items matched`); await refresh(); }
  };

  return (
    <div className="screen">
      <h1>Hash lists</h1>
      <p className="muted small">Library: <span className="mono">{info.libraryDir}</span></p>
      <div className="columns">
        <section className="panel grow" aria-label="Hash-list library">
          <h2>Library</h2>
          {lists.length === 0 ? <p className="muted">No lists imported.</p> : (
            <table className="table" data-testid="hash-lists">
              <thead><tr><th>List</th><th>Format</th><th>Kind</th><th className="num">Entries</th><th>Provenance</th></tr></thead>
              <tbody>
                {lists.map((l) => (
                  <tr key={l.id}>
                    <td><strong>{l.name}</strong>{l.version && <span className="muted"> v{l.version}</span>}</td>
                    <td>{l.format}</td>
                    <td>{l.kind ?? '—'}</td>
                    <td className="num">{formatCount(l.entries)}</td>
                    <td className="small">
                      <div>imported {l.importedAt}{l.importedBy ? ` by ${l.importedBy}` : ''}</div>
                      {l.sourceFile && <div className="mono">{l.sourceFile}</div>}
                      {l.sourceSha256 && <div className="mono muted">sha256 {l.sourceSha256}</div>}
                      {l.scheme && <div className="muted">categories: {l.scheme}</div>}
                      {Object.entries(l.provenance).map(([k, v]) => <div key={k} className="muted">{k}: {typeof v === 'object' ? JSON.stringify(v) : String(v)}</div>)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel side" aria-label="Import and match">
          <h2>Import a list</h2>
          <form className="form" onSubmit={importList}>
            <label>File
              <input name="file" value={file} onChange={(e) => setFile(e.target.value)} required className="mono" />
            </label>
            <label>Format
              <select name="format" value={format} onChange={(e) => setFormat(e.target.value)}>
                {FORMATS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
              </select>
            </label>
            <label>Name (optional)
              <input name="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
            </label>
            <button type="submit" className="primary" disabled={busy !== null}>Import</button>
          </form>
          <h2>Match this case</h2>
          <p className="muted small">Compares every item against every list in the library: exact digests, and PDQ within the list's threshold.</p>
          <button type="button" className="primary" onClick={() => void match()} disabled={busy !== null} data-testid="run-match">Run matching</button>
          {busy && <p className="muted">{busy}</p>}
          {lastMatch && (
            <dl className="facts compact" data-testid="match-result">
              <dt>Matches</dt><dd className="num">{formatCount(lastMatch.matches)}</dd>
              <dt>Items matched</dt><dd className="num">{formatCount(lastMatch.contentsMatched)}</dd>
              <dt>Groups</dt><dd className="num">{formatCount(lastMatch.groups)}</dd>
            </dl>
          )}
        </section>
      </div>
    </div>
  );
}
