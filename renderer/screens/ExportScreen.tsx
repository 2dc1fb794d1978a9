import { useEffect, useState, type FormEvent } from 'react';
import type { ExportPackageResult, PackageVerdict } from '../../electron/api/index.js';
import { formatCount, useSession, valueOr } from '../session.js';
import { ShareHashesPanel } from './ShareHashesPanel.js';

type Media = 'none' | 'encrypted';

export function ExportScreen() {
  const { bridge, info, report } = useSession();
  const caseDir = info.case?.dir ?? '';
  // A sibling of the case folder: a package is never written inside the case.
  const [out, setOut] = useState(caseDir ? `${caseDir.replace(/\/+$/, '')}-package` : '');
  const [media, setMedia] = useState<Media>('none');
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [zip, setZip] = useState(false);
  // The case remembers whether it is contributed at export (off until the examiner chooses).
  const [contribute, setContribute] = useState<boolean | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [exported, setExported] = useState<ExportPackageResult | null>(null);
  const [verifyPath, setVerifyPath] = useState('');
  const [expected, setExpected] = useState('');
  const [verdict, setVerdict] = useState<PackageVerdict | null>(null);

  useEffect(() => {
    let live = true;
    void bridge.api.getSettings({}).then((r) => { if (live) setContribute(r.ok ? r.value.contributeAtExport : false); });
    return () => { live = false; };
  }, [bridge]);

  const rememberContribute = async (on: boolean) => {
    const r = await bridge.api.setSettings({ contributeAtExport: on });
    const value = valueOr(r, report);
    if (value) setContribute(value.contributeAtExport);
  };

  const mismatch = media === 'encrypted' && repeat !== '' && passphrase !== repeat;

  const runExport = async (e: FormEvent) => {
    e.preventDefault();
    if (media === 'encrypted' && passphrase !== repeat) return report('The two passphrases differ', 'error');
    setBusy('Exporting…');
    const r = await bridge.api.exportPackage({ out, media, zip, contributeToLibrary: contribute === true, ...(media === 'encrypted' ? { passphrase } : {}) });
    setBusy(null);
    // The passphrase is needed for this one call only; the form forgets it whatever the outcome.
    setPassphrase('');
    setRepeat('');
    const value = valueOr(r, report);
    if (!value) return;
    setExported(value);
    setVerifyPath(value.dir);
    setExpected(value.manifestSha256);
    setVerdict(null);
    report(`Package written to ${value.dir}`);
  };

  const runVerify = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('Verifying…');
    const r = await bridge.api.verifyPackage({ path: verifyPath, ...(expected.trim() ? { manifestSha256: expected.trim() } : {}) });
    setBusy(null);
    const value = valueOr(r, report);
    if (value) setVerdict(value);
  };

  return (
    <div className="screen">
      <h1>Export</h1>
      <div className="columns">
        <section className="panel grow" aria-label="Case package">
          <h2>Case package</h2>
          <p className="muted small">
            Findings as VICS 2.0, CASE/UCO and CSV, the audit log with its hash chain, a report in HTML and PDF, and a manifest of every
            file with its SHA-256. No image is included unless the media are exported encrypted.
          </p>
          {exported && exported.unmatchedExhibits.length > 0 && (
            <div className="verdict bad" role="alert" data-testid="export-unmatched">
              <strong>Not matched against the current hash lists:</strong>
              <ul>{exported.unmatchedExhibits.map((u) => <li key={u.label}>exhibit {u.label}: {u.lists.join(', ')}</li>)}</ul>
              Known material in these exhibits may be missing from the package. Run matching on the Hash lists screen and export again. The report names them too.
            </div>
          )}
          {!exported ? <p className="muted">No package exported in this session.</p> : (
            <dl className="facts" data-testid="export-result">
              <dt>Folder</dt><dd className="mono">{exported.dir}</dd>
              <dt>Zip</dt><dd className="mono">{exported.zip ?? '—'}</dd>
              <dt>Media</dt><dd>{exported.media === 'encrypted' ? 'encrypted (AES-256 zip)' : 'none'}</dd>
              <dt>Lab library</dt><dd data-testid="contributed">{exported.contributed
                ? `contributed ${exported.contributed.items} item(s) (${exported.contributed.categorised} categorised) to ${exported.contributed.library}, version ${exported.contributed.libraryVersion}`
                : 'not contributed'}</dd>
              <dt>Findings</dt><dd data-testid="export-findings">{formatCount(exported.findings)}</dd>
              <dt>Files</dt><dd>{formatCount(exported.files)} <span className="muted">(manifest.json included)</span></dd>
              <dt>Package hash</dt><dd className="mono" data-testid="export-package-hash">{exported.packageHash}</dd>
              <dt>Manifest SHA-256</dt><dd className="mono" data-testid="export-manifest-sha256">{exported.manifestSha256}</dd>
              <dt>Audit log</dt><dd>recorded as entry {exported.auditSeq}</dd>
            </dl>
          )}
          <h2>Verify a package</h2>
          <form className="form" onSubmit={runVerify} aria-label="Verify a package">
            <label>Package folder or zip
              <input name="verifyPath" value={verifyPath} onChange={(e) => setVerifyPath(e.target.value)} required className="mono" />
            </label>
            <label>Expected manifest SHA-256 (optional: as printed at export and in the case audit log)
              <input name="manifestSha256" value={expected} onChange={(e) => setExpected(e.target.value)} className="mono" spellCheck={false} />
            </label>
            <div><button type="submit" className="primary" disabled={busy !== null}>Verify</button></div>
          </form>
          {verdict && <VerdictView verdict={verdict} />}
        </section>
        <section className="panel side" aria-label="Export the case">
          <h2>Export the case</h2>
          <form className="form" onSubmit={runExport}>
            <label>New folder for the package (outside the case folder)
              <input name="out" value={out} onChange={(e) => setOut(e.target.value)} required className="mono" />
            </label>
            <fieldset className="choice">
              <legend>Media</legend>
              <label className="check">
                <input type="radio" name="media" value="none" checked={media === 'none'} onChange={() => setMedia('none')} />
                None: no image leaves the case
              </label>
              <label className="check">
                <input type="radio" name="media" value="encrypted" checked={media === 'encrypted'} onChange={() => setMedia('encrypted')} />
                Encrypted: the findings&apos; media in an AES-256 zip
              </label>
            </fieldset>
            {media === 'encrypted' && (
              <>
                <label>Passphrase (at least {info.minPassphraseLength} characters; never stored or logged)
                  <input name="passphrase" type="password" autoComplete="new-password" value={passphrase}
                    onChange={(e) => setPassphrase(e.target.value)} required minLength={info.minPassphraseLength} />
                </label>
                <label>Repeat the passphrase
                  <input name="passphraseRepeat" type="password" autoComplete="new-password" value={repeat}
                    onChange={(e) => setRepeat(e.target.value)} required aria-invalid={mismatch} />
                </label>
                {mismatch && <p className="warn small">The two passphrases differ.</p>}
                <p className="muted small">Give the passphrase to the recipient by another channel than the package.</p>
              </>
            )}
            <label className="check">
              <input type="checkbox" name="zip" checked={zip} onChange={(e) => setZip(e.target.checked)} />
              Also write a zip of the package folder
            </label>
            <label className="check">
              <input type="checkbox" name="contributeToLibrary" checked={contribute === true} disabled={contribute === null}
                onChange={(e) => void rememberContribute(e.target.checked)} />
              Contribute this case to the lab library (hashes, categories, series and victim labels; never an image or a path; recorded in the audit log)
            </label>
            <p className="muted small" data-testid="contribute-remembered">
              {contribute === null ? 'Reading this case\'s choice…' : `Remembered for this case: ${contribute ? 'contributed at every export' : 'not contributed'} until changed here (each change is in the audit log).`}
            </p>
            <button type="submit" className="primary" disabled={busy !== null || mismatch}>Export package</button>
          </form>
          {busy && <p className="muted">{busy}</p>}
        </section>
        <ShareHashesPanel />
      </div>
    </div>
  );
}

function VerdictView({ verdict }: { verdict: PackageVerdict }) {
  return (
    <div className="verify-result" data-testid="verify-result" data-ok={String(verdict.ok)}>
      <div className={`verdict ${verdict.ok ? 'ok' : 'bad'}`} data-testid="verify-verdict">
        {verdict.ok
          ? `OK: ${formatCount(verdict.filesChecked)} files match the manifest; the audit chain holds`
          : `FAILED: ${verdict.problems.length} file problem${verdict.problems.length === 1 ? '' : 's'}${verdict.audit.holds ? '' : '; the audit chain does not hold'}${verdict.signatures.ok ? '' : '; signatures missing or invalid'}`}
      </div>
      {verdict.problems.length > 0 && (
        <table className="table" data-testid="verify-problems">
          <thead><tr><th>Problem</th><th>File</th><th>Detail</th></tr></thead>
          <tbody>
            {verdict.problems.map((p) => (
              <tr key={`${p.kind}:${p.file}`} data-kind={p.kind} data-file={p.file}>
                <td><span className="badge badge-alert">{p.kind}</span></td>
                <td className="mono nowrap">{p.file}</td>
                <td className="small mono wrap-words">{p.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <dl className="facts compact">
        <dt>Package</dt><dd className="mono">{verdict.package}</dd>
        <dt>Audit chain</dt>
        <dd className={verdict.audit.holds ? '' : 'warn'} data-testid="verify-audit">
          {verdict.audit.holds ? `holds: ${formatCount(verdict.audit.entries)} entries` : `BROKEN: ${verdict.audit.message}`}
          {verdict.audit.head && <div className="mono muted">head {verdict.audit.head}</div>}
        </dd>
        <dt>Signed by</dt>
        <dd className={verdict.signatures.ok ? '' : 'warn'} data-testid="verify-signer">
          {verdict.signatures.manifest ? `${verdict.signatures.manifest.examiner}, key ${verdict.signatures.manifest.fingerprint}` : 'not signed'}
          {verdict.signatures.problems.map((p) => <div key={p} className="small mono">{p}</div>)}
        </dd>
        <dt>Manifest SHA-256</dt><dd className="mono">{verdict.manifestSha256 ?? '—'}</dd>
        <dt>Package hash</dt><dd className="mono">{verdict.packageHash ?? '—'}</dd>
      </dl>
    </div>
  );
}
