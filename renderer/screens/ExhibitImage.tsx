import type { ExhibitInfo, ExhibitProvenance } from '../../electron/api/index.js';
import { formatBytes } from '../session.js';

type Status = ExhibitProvenance['verificationStatus'];

const STATUS_TEXT: Record<NonNullable<Status>, string> = {
  verified: 'verified', mismatch: 'MISMATCH', 'no stored hash': 'no stored hash', 'not verified': 'not verified',
};

/** The E01 verdict as a badge: green only when the stored acquisition hash matched the data. */
export function VerificationBadge({ image }: { image: ExhibitProvenance | null }) {
  if (!image) return <span className="muted">—</span>;
  const s = image.verificationStatus;
  if (s === null) return <span className="muted small" title="this image format stores no acquisition hash">{image.format}, no stored hash to verify</span>;
  const cls = s === 'verified' ? 'verify-ok' : s === 'mismatch' ? 'verify-bad' : 'verify-none';
  return <span className={`badge ${cls}`} data-testid="verification" data-status={s}>{STATUS_TEXT[s]}</span>;
}

/**
 * An E01 whose data no longer matches the hashes stored at acquisition: shouted above everything
 * else, with the sectors whose chunks failed. The Sleuth Kit reads such chunks without complaint,
 * so nothing else on screen would show it.
 */
export function MismatchBanners({ exhibits }: { exhibits: ExhibitInfo[] }) {
  const bad = exhibits.filter((x) => x.image?.verificationStatus === 'mismatch');
  if (bad.length === 0) return null;
  return (
    <>
      {bad.map((x) => {
        const v = x.image!.verification!;
        return (
          <div key={x.id} className="verify-banner" role="alert" data-testid="verification-mismatch">
            <strong>Exhibit {x.label}: the image does not match its acquisition hashes.</strong>{' '}
            {v.message}.
            {v.sectorErrors.length > 0 && (
              <div className="small">Damaged sectors: {v.sectorErrors.map((r) => `${r.first}–${r.last}`).join(', ')}. Files read from these sectors may not be what was seized.</div>
            )}
            <div className="small">Checked with {v.tool}. Compare with the acquisition notes before relying on this exhibit.</div>
          </div>
        );
      })}
    </>
  );
}

/** What was recorded about a disk image exhibit at intake: format, segments as received, E01 metadata and verification, volumes. */
export function ExhibitImagePanel({ exhibit }: { exhibit: ExhibitInfo }) {
  const image = exhibit.image;
  if (!image) return null;
  const v = image.verification;
  const a = image.acquisition;
  return (
    <section className="panel" aria-label={`Image ${exhibit.label}`} data-testid="exhibit-image">
      <h2>Exhibit {exhibit.label}: {image.format === 'ewf' ? 'EnCase (E01)' : image.format} image <VerificationBadge image={image} /></h2>
      <dl className="facts">
        {v && <><dt>Verification</dt><dd>{v.message} <span className="muted small">({v.tool})</span></dd></>}
        {v?.stored.md5 && <><dt>Stored MD5</dt><dd className="mono">{v.stored.md5}</dd></>}
        {v?.computed.md5 && <><dt>Computed MD5</dt><dd className={`mono${v.stored.md5 && v.stored.md5 !== v.computed.md5 ? ' warn' : ''}`}>{v.computed.md5}</dd></>}
        {v?.stored.sha1 && <><dt>Stored SHA-1</dt><dd className="mono">{v.stored.sha1}</dd></>}
        {a && (
          <>
            <dt>Case number</dt><dd data-testid="acquisition-case">{a.caseNumber ?? '—'}</dd>
            <dt>Evidence number</dt><dd>{a.evidenceNumber ?? '—'}</dd>
            <dt>Examiner</dt><dd>{a.examiner ?? '—'}</dd>
            <dt>Description</dt><dd>{a.description ?? '—'}</dd>
            <dt>Acquired</dt><dd>{a.acquisitionDate ?? '—'}{a.acquisitionSoftware ? ` with ${a.acquisitionSoftware}` : ''}{a.operatingSystem ? ` on ${a.operatingSystem}` : ''}</dd>
            {a.notes && <><dt>Notes</dt><dd>{a.notes}</dd></>}
          </>
        )}
        {image.layout && <><dt>Media</dt><dd>{formatBytes(image.layout.size)}, {image.layout.sectorSize}-byte sectors, {image.layout.vsType ?? 'no partition table'}</dd></>}
      </dl>
      <h3>Segments as received</h3>
      <table className="table small">
        <thead><tr><th>File</th><th className="num">Size</th><th>SHA-256</th></tr></thead>
        <tbody>{image.segments.map((s) => <tr key={s.path}><td className="mono">{s.path}</td><td className="num">{formatBytes(s.size)}</td><td className="mono">{s.sha256}</td></tr>)}</tbody>
      </table>
      {image.layout && (
        <>
          <h3>Volumes</h3>
          <table className="table small" data-testid="volumes">
            <thead><tr><th>Volume</th><th>File system</th><th className="num">Offset</th><th>Note</th></tr></thead>
            <tbody>
              {image.layout.volumes.map((vol) => (
                <tr key={vol.index}>
                  <td className="mono">{vol.label}</td>
                  <td>{vol.fsType ?? <span className="warn">none read</span>}</td>
                  <td className="num">{vol.offset}</td>
                  <td className="small muted">{vol.partition ? `${vol.partition.desc}, sectors ${vol.partition.start}+${vol.partition.length}` : ''}{vol.message ? <span className="warn"> {vol.message}</span> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
