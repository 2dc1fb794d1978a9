import { useEffect, useState, type FormEvent } from 'react';
import type { HashListInfo, SchemeId, ShareResult } from '../../electron/api/index.js';
import { formatCount, useSession, valueOr } from '../session.js';

type ShareFormat = 'vics' | 'vics-media' | 'pdq' | 'te' | 'hashdeep' | 'md5sum' | 'sha1sum' | 'sha256sum';

const FORMATS: readonly [ShareFormat, string, string][] = [
  ['vics', 'VICS 2.0 (Cases)', 'vics.json'],
  ['vics-media', 'VICS 2.0 Media (as IPED reads it)', 'vics.json'],
  ['pdq', 'PDQ list (hash,quality,label)', 'pdq.csv'],
  ['te', 'ThreatExchange PDQ lines (pdq <hash>)', 'te.txt'],
  ['hashdeep', 'hashdeep', 'hashdeep'],
  ['md5sum', 'md5sum', 'md5'],
  ['sha1sum', 'sha1sum', 'sha1'],
  ['sha256sum', 'sha256sum', 'sha256'],
];

/** The file name a list's export is offered under: its name and version, nothing a shell would read. */
const listFileStem = (l: HashListInfo) => `${l.name.replace(/[^A-Za-z0-9._-]+/g, '_')}-v${l.version}`;

/**
 * Share hashes with a trusted flagger or platform: the case's categorised findings, or a list of the
 * hash library the examiner chooses. Hashes, sizes and categories only, never pictures, paths or
 * notes. The file's SHA-256 goes to the case's audit log, or for a list to the library's own.
 */
export function ShareHashesPanel() {
  const { bridge, info, report } = useSession();
  const caseDir = info.case?.dir ?? '';
  const [lists, setLists] = useState<HashListInfo[]>([]);
  /** '' is the case's findings; otherwise the id of the library list. */
  const [source, setSource] = useState('');
  const [format, setFormat] = useState<ShareFormat>('vics');
  const [out, setOut] = useState(caseDir ? `${caseDir.replace(/\/+$/, '')}-hashes.vics.json` : '');
  const [scheme, setScheme] = useState<SchemeId | ''>('');
  const [categories, setCategories] = useState('');
  const [busy, setBusy] = useState(false);
  const [shared, setShared] = useState<ShareResult | null>(null);

  useEffect(() => {
    void (async () => {
      const r = valueOr(await bridge.api.listHashLists({}), report);
      if (r) setLists(r);
    })();
  }, [bridge, report]);

  const chosenList = source ? lists.find((l) => String(l.id) === source) : undefined;

  // Beside the case folder, never in it: named after the case, or the list and its version.
  const offerOut = (f: ShareFormat, list: HashListInfo | undefined) => {
    const ext = FORMATS.find(([k]) => k === f)![2];
    if (caseDir) setOut(`${caseDir.replace(/\/+$/, '')}-${list ? listFileStem(list) : 'hashes'}.${ext}`);
  };
  const pickFormat = (f: ShareFormat) => {
    setFormat(f);
    offerOut(f, chosenList);
  };
  const pickSource = (value: string) => {
    setSource(value);
    setShared(null);
    offerOut(format, value ? lists.find((l) => String(l.id) === value) : undefined);
  };

  const run = async (e: FormEvent) => {
    e.preventDefault();
    const codes = categories.split(/[\s,]+/).filter((c) => c !== '');
    if (codes.length > 0 && !scheme) return report('Choose the scheme the categories belong to', 'error');
    setBusy(true);
    const r = await bridge.api.exportHashset({
      out, format, ...(chosenList ? { list: chosenList.name, listVersion: chosenList.version } : {}),
      ...(scheme ? { scheme } : {}), ...(codes.length ? { categories: codes } : {}),
    });
    setBusy(false);
    const value = valueOr(r, report);
    if (!value) return;
    setShared(value);
    report(`${formatCount(value.items)} ${value.items === 1 ? 'hash' : 'hashes'} ${chosenList ? `of ${chosenList.name} version ${chosenList.version} ` : ''}written to ${value.file}`);
  };

  return (
    <section className="panel grow" aria-label="Share hashes">
      <h2>Share hashes</h2>
      <p className="muted small">
        The hashes of the categorised findings or of a list in the hash library (never the pictures, paths or notes), for a trusted
        flagger or platform that blocks re-uploads. The export is recorded with the file&apos;s SHA-256 in the case&apos;s audit log,
        or for a list in the library&apos;s.
      </p>
      <form className="form" onSubmit={run}>
        <label>What to share
          <select name="shareSource" value={source} onChange={(e) => pickSource(e.target.value)}>
            <option value="">This case&apos;s categorised findings</option>
            {lists.map((l) => (
              <option key={l.id} value={String(l.id)}>
                List {l.name} version {l.version} ({l.format}, {formatCount(l.recordsImported)} records{l.known ? ', known files' : ''})
              </option>
            ))}
          </select>
        </label>
        <label>Format
          <select name="shareFormat" value={format} onChange={(e) => pickFormat(e.target.value as ShareFormat)}>
            {FORMATS.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
          </select>
        </label>
        <label>Only the scheme
          <select name="shareScheme" value={scheme} onChange={(e) => setScheme(e.target.value as SchemeId | '')}>
            <option value="">Every categorised finding</option>
            <option value="vic-us">Project VIC (US)</option>
            <option value="dhs">DHS legacy</option>
            <option value="caid-uk">CAID (UK)</option>
            <option value="custom">Custom</option>
          </select>
        </label>
        <label>Only the categories (codes, e.g. 1 2)
          <input name="shareCategories" value={categories} onChange={(e) => setCategories(e.target.value)} maxLength={200} />
        </label>
        <label>File to write
          <input name="shareOut" value={out} onChange={(e) => setOut(e.target.value)} required />
        </label>
        <div><button type="submit" className="primary" disabled={busy || !out}>Export hashes</button></div>
      </form>
      {shared && (
        <dl className="facts compact" data-testid="share-result">
          <dt>File</dt><dd className="mono" data-testid="share-file">{shared.file}</dd>
          <dt>Hashes</dt><dd>{formatCount(shared.items)}</dd>
          <dt>SHA-256</dt><dd className="mono" data-testid="share-sha256">{shared.sha256}</dd>
          <dt>Recorded</dt><dd data-testid="share-audit">{chosenList ? 'library' : 'case'} audit log, entry {shared.auditSeq}</dd>
        </dl>
      )}
    </section>
  );
}
