import { useState, type FormEvent } from 'react';
import type { SchemeId, ShareResult } from '../../electron/api/index.js';
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

/**
 * Share the hashes of the case's categorised findings with a trusted flagger or platform: hashes,
 * sizes and categories only, never pictures, paths or notes. The file's SHA-256 goes to the audit log.
 */
export function ShareHashesPanel() {
  const { bridge, info, report } = useSession();
  const caseDir = info.case?.dir ?? '';
  const [format, setFormat] = useState<ShareFormat>('vics');
  const [out, setOut] = useState(caseDir ? `${caseDir.replace(/\/+$/, '')}-hashes.vics.json` : '');
  const [scheme, setScheme] = useState<SchemeId | ''>('');
  const [categories, setCategories] = useState('');
  const [busy, setBusy] = useState(false);
  const [shared, setShared] = useState<ShareResult | null>(null);

  const pickFormat = (f: ShareFormat) => {
    setFormat(f);
    const ext = FORMATS.find(([k]) => k === f)![2];
    if (caseDir) setOut(`${caseDir.replace(/\/+$/, '')}-hashes.${ext}`);
  };

  const run = async (e: FormEvent) => {
    e.preventDefault();
    const codes = categories.split(/[\s,]+/).filter((c) => c !== '');
    if (codes.length > 0 && !scheme) return report('Choose the scheme the categories belong to', 'error');
    setBusy(true);
    const r = await bridge.api.exportHashset({ out, format, ...(scheme ? { scheme } : {}), ...(codes.length ? { categories: codes } : {}) });
    setBusy(false);
    const value = valueOr(r, report);
    if (!value) return;
    setShared(value);
    report(`${formatCount(value.items)} hashes written to ${value.file}`);
  };

  return (
    <section className="panel grow" aria-label="Share hashes">
      <h2>Share hashes</h2>
      <p className="muted small">
        The hashes of the categorised findings (never the pictures, paths or notes), for a trusted flagger or platform that blocks
        re-uploads. The export is recorded in the audit log with the file&apos;s SHA-256.
      </p>
      <form className="form" onSubmit={run}>
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
          <dt>File</dt><dd className="mono">{shared.file}</dd>
          <dt>Hashes</dt><dd>{formatCount(shared.items)}</dd>
          <dt>SHA-256</dt><dd className="mono">{shared.sha256}</dd>
        </dl>
      )}
    </section>
  );
}
