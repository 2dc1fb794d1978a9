import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { HashListInfo, ImportedCopy, MatchSummary, Request, SchemeId } from '../../electron/api/index.js';
import { formatCount, useSession, valueOr } from '../session.js';

type ImportFormat = Request<'importHashList'>['format'];
type ImportRequest = Request<'importHashList'>;

const FORMATS: [string, string][] = [
  ['', 'Detect from the file'],
  ['vics', 'Project VIC VICS JSON'],
  ['icse', 'INTERPOL ICSE CSV'],
  ['nsrl', 'NIST NSRL RDSv3 (SQLite)'],
  ['nsrl-legacy', 'NIST NSRL legacy NSRLFile.txt'],
  ['text', 'md5sum / sha1sum / sha256sum text'],
  ['pdq', 'PDQ list (hash[,quality][,label])'],
];

export function HashListsScreen() {
  const { bridge, info, report, refresh } = useSession();
  const [lists, setLists] = useState<HashListInfo[]>([]);
  const [file, setFile] = useState('');
  const [format, setFormat] = useState('');
  const [name, setName] = useState('');
  const [scheme, setScheme] = useState<SchemeId | ''>('');
  const [known, setKnown] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [lastMatch, setLastMatch] = useState<MatchSummary | null>(null);
  /** A file the library already holds, waiting for the examiner to import it again or not. */
  const [duplicate, setDuplicate] = useState<{ copy: ImportedCopy; request: ImportRequest } | null>(null);

  const load = useCallback(async () => {
    const r = valueOr(await bridge.api.listHashLists({}), report);
    if (r) setLists(r);
  }, [bridge, report]);
  useEffect(() => { void load(); }, [load]);

  const runImport = async (request: ImportRequest) => {
    setBusy('Importing…');
    const r = valueOr(await bridge.api.importHashList(request), report);
    setBusy(null);
    if (r) {
      const again = r.duplicateOf ? ` (the same file as ${r.duplicateOf.name} version ${r.duplicateOf.version}, imported again as you confirmed)` : '';
      report(`Imported ${r.list.name} version ${r.list.version}: ${formatCount(r.list.recordsImported)} records${r.rejected ? `, ${r.rejected} rejected` : ''}${again}`);
      setFile(''); setName(''); await load();
    }
  };
  // The library refuses a file it already holds; the examiner is told which import it repeats and
  // decides, and a confirmed second import is recorded in the library's audit log.
  const importList = async (e: FormEvent) => {
    e.preventDefault();
    const request: ImportRequest = {
      file, ...(format ? { format: format as NonNullable<ImportFormat> } : {}), ...(name ? { name } : {}),
      ...(scheme ? { scheme } : {}), ...(known ? { known } : {}),
    };
    setBusy('Checking the library…');
    const copy = await bridge.api.findImportedCopy({ file });
    setBusy(null);
    if (!copy.ok) return report(copy.error, 'error');
    if (copy.value) return setDuplicate({ copy: copy.value, request });
    await runImport(request);
  };
  const confirmAgain = async () => {
    if (!duplicate) return;
    const { request, copy } = duplicate;
    setDuplicate(null);
    // A further version of the list it repeats, unless the examiner named another list.
    await runImport({ ...request, name: request.name ?? copy.name, again: true });
  };
  const match = async () => {
    setBusy('Matching…');
    const r = valueOr(await bridge.api.runMatch({}), report);
    setBusy(null);
    if (r) { setLastMatch(r); report(`Matching done: ${formatCount(r.matchedContents)} items matched`); await refresh(); }
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
              <thead><tr><th>List</th><th>Format</th><th>Kind</th><th className="num">Records</th><th>Hashes</th><th>Provenance</th></tr></thead>
              <tbody>
                {lists.map((l) => (
                  <tr key={l.id}>
                    <td><strong>{l.name}</strong> <span className="muted">v{l.version}</span></td>
                    <td>{l.format}{l.formatVersion && <span className="muted"> {l.formatVersion}</span>}</td>
                    <td>{l.known ? <span className="badge badge-known">known files</span> : <span className="badge badge-alert">alert</span>}
                      {l.scheme && <div className="muted small">{l.scheme}</div>}</td>
                    <td className="num">{formatCount(l.recordsImported)}<div className="muted small">of {formatCount(l.recordsRead)}{l.recordsRejected ? `, ${formatCount(l.recordsRejected)} rejected` : ''}</div></td>
                    <td className="small">{Object.entries(l.hashes).map(([a, n]) => <div key={a}>{a}: {formatCount(n ?? 0)}</div>)}</td>
                    <td className="small">
                      <div>imported {l.importedAt} · Kestrel {l.toolVersion}</div>
                      <div className="mono">{l.sourceFile}</div>
                      <div className="mono muted">sha256 {l.fileSha256} · {formatCount(l.fileSize)} bytes</div>
                      {l.rejectReport && <div className="warn mono">rejects: {l.rejectReport}</div>}
                      <div className="mono muted">uid {l.uid}</div>
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
            <label>Category scheme of the list
              <select name="listScheme" value={scheme} onChange={(e) => setScheme(e.target.value as SchemeId | '')}>
                <option value="">As the file says (VICS 2.0 names it)</option>
                <option value="vic-us">Project VIC (US)</option>
                <option value="dhs">DHS legacy</option>
                <option value="caid-uk">CAID (UK)</option>
              </select>
            </label>
            <label className="check">
              <input type="checkbox" name="known" checked={known} onChange={(e) => setKnown(e.target.checked)} />
              Known-file list (ignorable, never alerts; NSRL always is)
            </label>
            <button type="submit" className="primary" disabled={busy !== null || duplicate !== null}>Import</button>
          </form>
          {duplicate && (
            <div className="confirm" role="alertdialog" aria-labelledby="duplicate-title" data-testid="duplicate-import">
              <h3 id="duplicate-title">Already in the library</h3>
              <p>
                <span className="mono">{duplicate.request.file}</span> is the same file (SHA-256 <span className="mono">{duplicate.copy.sha256}</span>)
                as <strong>{duplicate.copy.name}</strong> version {duplicate.copy.version}, imported {duplicate.copy.importedAt}. Nothing was imported.
              </p>
              <p className="muted small">
                Importing it again adds a further version of {duplicate.request.name ?? duplicate.copy.name} with the same records; the
                library&apos;s audit log records that you did.
              </p>
              <div className="row">
                <button type="button" className="primary" name="importAgain" onClick={() => void confirmAgain()} autoFocus>Import again as a further version</button>
                <button type="button" name="cancelImport" onClick={() => setDuplicate(null)}>Do not import</button>
              </div>
            </div>
          )}
          <h2>Match this case</h2>
          <p className="muted small">Compares every item with every list in the library: exact digests, and PDQ and blockhash within the matching thresholds (PDQ of quality under 50 is not used).</p>
          <button type="button" className="primary" onClick={() => void match()} disabled={busy !== null} data-testid="run-match">Run matching</button>
          {busy && <p className="muted">{busy}</p>}
          {lastMatch && (
            <dl className="facts compact" data-testid="match-result">
              <dt>Lists</dt><dd className="num">{lastMatch.listsMatched} matched, {lastMatch.listsUpToDate} up to date</dd>
              <dt>Items checked</dt><dd className="num">{formatCount(lastMatch.contentsChecked)}</dd>
              <dt>New matches</dt><dd className="num">{formatCount(lastMatch.newMatches)}</dd>
              <dt>Items matched</dt><dd className="num">{formatCount(lastMatch.matchedContents)}</dd>
              <dt>Alert / known</dt><dd className="num">{formatCount(lastMatch.alertMatches)} / {formatCount(lastMatch.knownMatches)}</dd>
              <dt>Exact / perceptual</dt><dd className="num">{formatCount(lastMatch.exactMatches)} / {formatCount(lastMatch.perceptualMatches)}</dd>
              <dt>Thresholds</dt><dd className="num">PDQ ≤ {lastMatch.pdqThreshold}, blockhash ≤ {lastMatch.blockhashThreshold}</dd>
              <dt>Near-dup groups</dt><dd className="num">{formatCount(lastMatch.nearDuplicateGroups)}</dd>
            </dl>
          )}
        </section>
      </div>
    </div>
  );
}
