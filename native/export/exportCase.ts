import { existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { OpenCase } from '../catalog/case.js';
import { appendAudit, readAudit } from '../audit/log.js';
import { SIGNED_ACTION, signAuditHead } from '../audit/signing.js';
import { currentSigner, type Signer } from '../examiners/keys.js';
import { canonicalJson } from '../util/canonicalJson.js';
import { KestrelError, describeError } from '../util/result.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/version.js';
import { auditThroughLastChange, collectPackageData, EXPORT_ACTION, EXPORT_FAILED_ACTION } from './collect.js';
import { fsyncDir, partialName, removeStalePartials, writeFailure, writeFileDurable } from '../util/durableFile.js';
import { buildVics, type VicsBooleans } from './vics.js';
import { buildCaseUco } from './caseUco.js';
import { buildCsv } from './csv.js';
import { buildReportModel } from './report.js';
import { exhibitsNotMatched, type CurrentList, type UnmatchedExhibit } from './reviewBasis.js';
import { renderReportHtml } from './reportHtml.js';
import { renderReportPdf } from './reportPdf.js';
import { MEDIA_ENCRYPTION, writeEncryptedMedia, checkPassphrase, type MediaItem } from './media.js';
import { zipFolder } from './zipFolder.js';
import {
  AUDIT_FILE, CSV_FILE, MANIFEST_FILE, MEDIA_FILE, PACKAGE_FORMAT, PACKAGE_FORMAT_VERSION, REPORT_HTML_FILE, REPORT_PDF_FILE,
  UCO_FILE, VICS_FILE, compareText, manifestBytes, packageHash, sealManifest, sha256Hex, signedManifestBytes, type FileEntry, type Manifest,
} from './manifest.js';

export interface ExportOptions {
  media: 'none' | 'encrypted';
  /** Required with media 'encrypted'; used for the encryption only, never stored or logged. */
  passphrase?: string;
  zip: boolean;
  /** How findings.vics.json writes booleans: JSON booleans (default) or "true"/"false" strings as the VICS distributions do. */
  vicsBooleans?: VicsBooleans;
  /** Who runs the export (the audit log's actor); defaults to the case examiner. */
  examiner?: string;
  /** The time stamped into the manifest; the clock by default. */
  now?: () => Date;
  /** Signs the manifest and the audit head; the session's signer by default (none: an unsigned package). */
  signer?: Signer | null;
  /** The lists in the hash library now: exhibits some of them never saw are named in the report and the result. */
  currentLists?: CurrentList[];
}

export interface ExportResult {
  dir: string;
  zip: string | null;
  manifestSha256: string;
  packageHash: string;
  files: FileEntry[];
  findings: number;
  auditSeq: number;
  signedBy: { examiner: string; fingerprint: string } | null;
  /** Null when no list of the library was given. */
  unmatchedExhibits: UnmatchedExhibit[] | null;
  /** What interrupted exports to the same name had left (OUT.partial-PID, OUT.zip.partial-PID), now removed. */
  removedPartials: string[];
}

/**
 * Writes a case package into OUT (a new folder): findings as VICS, CASE/UCO and CSV, the audit log,
 * a report in HTML and PDF, the media only when asked and then encrypted, and a manifest of them all.
 *
 * Crash and full-disk safety: the folder (OUT.partial-PID) and the zip (OUT.zip.partial-PID) are
 * written and synced under temporary names; the export is recorded in the case's audit log with the
 * manifest's SHA-256; only then are they renamed to OUT.zip and OUT and the parent folder synced. So a
 * file under the final name is always a whole package, and a package under its final name is always
 * in the audit log. A write that fails (disk full) names the file and leaves nothing behind and
 * nothing recorded; a rename that fails after the record is recorded as export.failed. Partial
 * output of an export that was killed is removed by the next export to the same name.
 */
export async function exportCase(c: OpenCase, outArg: string, opts: ExportOptions): Promise<ExportResult> {
  const out = resolve(outArg);
  if (opts.media === 'encrypted') {
    if (opts.passphrase === undefined) throw new KestrelError('--media encrypted needs a passphrase', 'E_PASSPHRASE');
    checkPassphrase(opts.passphrase);
  }
  const zipPath = opts.zip ? `${out}.zip` : null;
  const removedPartials = [...removeStalePartials(out), ...(zipPath ? removeStalePartials(zipPath) : [])];
  checkOut(out, c.dir);
  if (zipPath && existsSync(zipPath)) throw new KestrelError(`${zipPath}: already exists; choose another name`, 'E_EXISTS');

  const signer = opts.signer === undefined ? currentSigner() : opts.signer;
  const signedBy = signer ? { examiner: signer.examiner, fingerprint: signer.fingerprint } : null;
  // The exported log ends with a signature of its head, so the package's audit log is signed throughout.
  if (auditThroughLastChange(readAudit(c.db)).at(-1)?.action !== SIGNED_ACTION) signAuditHead(c.db, 'export', signer);
  const data = collectPackageData(c.db, c.info);
  const last = data.audit[data.audit.length - 1];
  if (!last) throw new KestrelError(`${c.dir}: the case has no audit log; not a usable case`, 'E_NO_AUDIT');
  const asOf = { auditEntries: data.audit.length, auditHead: last.hash, at: last.at };
  const asOfDate = new Date(asOf.at);
  const unmatchedExhibits = opts.currentLists ? exhibitsNotMatched(c.db, opts.currentLists) : null;

  const temp = partialName(out);
  const zipTemp = zipPath ? partialName(zipPath) : null;
  const removeTemps = () => {
    rmSync(temp, { recursive: true, force: true });
    if (zipTemp) rmSync(zipTemp, { force: true });
  };
  // The file being written, named in the error as it would have been called in the package.
  let writing = out;
  const files: FileEntry[] = [];
  let hash: string;
  let mediaItems: MediaItem[] = [];
  let manifestSha256: string;
  try {
    mkdirSync(temp, { recursive: true });
    const put = (name: string, bytes: Buffer | string) => {
      const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
      writing = join(out, name);
      writeFileDurable(join(temp, name), b);
      files.push({ path: name, sha256: sha256Hex(b), size: b.length });
    };
    put(AUDIT_FILE, data.audit.map((e) => `${canonicalJson(e)}\n`).join(''));
    put(VICS_FILE, prettyJson(buildVics(data, { booleans: opts.vicsBooleans ?? 'json' })));
    put(UCO_FILE, prettyJson(buildCaseUco(data)));
    put(CSV_FILE, buildCsv(data));

    if (opts.media === 'encrypted') {
      writing = join(out, MEDIA_FILE);
      const media = await writeEncryptedMedia(join(temp, MEDIA_FILE), data.findings, opts.passphrase!, asOfDate);
      mediaItems = media.items;
      files.push({ path: MEDIA_FILE, sha256: media.sha256, size: media.size });
    }

    hash = packageHash(files);
    const model = buildReportModel(data, { packageHash: hash, asOf, media: opts.media, signedBy, exportedBy: opts.examiner ?? c.info.examiner, unmatchedExhibits });
    put(REPORT_HTML_FILE, renderReportHtml(model));
    put(REPORT_PDF_FILE, await renderReportPdf(model, asOf.at, `Case ${data.info.caseNumber} — package hash ${hash}`));

    files.sort((a, b) => compareText(a.path, b.path));
    const unsigned: Omit<Manifest, 'seal' | 'signature'> = {
      format: PACKAGE_FORMAT,
      formatVersion: PACKAGE_FORMAT_VERSION,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      case: { uuid: data.info.caseUuid, number: data.info.caseNumber, examiner: data.info.examiner },
      exportedAt: (opts.now ?? (() => new Date()))().toISOString(),
      timestampFields: ['exportedAt'],
      varyingFiles: opts.media === 'encrypted'
        ? { [MEDIA_FILE]: 'AES encryption uses a fresh random salt each time; the media inside are the same (see media.items)' }
        : {},
      asOf,
      media: opts.media === 'encrypted'
        ? { mode: 'encrypted', file: MEDIA_FILE, encryption: MEDIA_ENCRYPTION, items: mediaItems }
        : { mode: 'none' },
      packageHash: hash,
      files,
    };
    const manifest: Manifest = sealManifest(signer
      ? {
          ...unsigned,
          signature: {
            algorithm: 'Ed25519', examiner: signer.examiner, fingerprint: signer.fingerprint, publicKey: signer.publicKey,
            value: signer.sign(signedManifestBytes(unsigned)),
          },
        }
      : unsigned);
    const mBytes = manifestBytes(manifest);
    writing = join(out, MANIFEST_FILE);
    writeFileDurable(join(temp, MANIFEST_FILE), mBytes);
    manifestSha256 = sha256Hex(mBytes);
    writing = out;
    fsyncDir(temp);
    if (zipPath && zipTemp) {
      writing = zipPath;
      await zipFolder(temp, zipTemp, basename(out), asOfDate);
    }
  } catch (err) {
    removeTemps();
    throw writeFailure(writing, err, 'nothing was exported (the partial package was removed)');
  }

  const exportDetails = {
    out,
    zip: zipPath,
    manifestSha256,
    packageHash: hash,
    asOf,
    findings: data.findings.length,
    files: files.length + 1,
    media: opts.media === 'encrypted' ? { mode: 'encrypted', encryption: MEDIA_ENCRYPTION, items: mediaItems.length } : { mode: 'none' },
    toolVersion: TOOL_VERSION,
    signedBy,
    ...(unmatchedExhibits?.length ? { unmatchedExhibits } : {}),
  };
  const actor = opts.examiner ?? c.info.examiner;
  const entry = c.db.transaction(() => appendAudit(c.db, EXPORT_ACTION, exportDetails, actor))();
  publish(out, temp, zipPath, zipTemp, (err) => {
    removeTemps();
    c.db.transaction(() => appendAudit(c.db, EXPORT_FAILED_ACTION, {
      out, zip: zipPath, manifestSha256, exportSeq: entry.seq, error: describeError(err),
    }, actor))();
  });
  signAuditHead(c.db, 'exported', signer);
  return {
    dir: out, zip: zipPath, manifestSha256, packageHash: hash, files, findings: data.findings.length, auditSeq: entry.seq, signedBy, unmatchedExhibits,
    removedPartials,
  };
}

/**
 * Gives the written package its names: the zip by a link (refused rather than replacing a file that
 * appeared meanwhile), then the folder by a rename; the parent folder is synced so the names last.
 * On failure nothing stays under a final name and FAILED records why before the error is thrown.
 */
function publish(out: string, temp: string, zipPath: string | null, zipTemp: string | null, failed: (err: unknown) => void): void {
  let zipLinked = false;
  try {
    if (zipPath && zipTemp) {
      linkSync(zipTemp, zipPath);
      zipLinked = true;
      rmSync(zipTemp);
    }
    renameSync(temp, out);
    fsyncDir(dirname(out));
  } catch (err) {
    if (zipLinked && zipPath) rmSync(zipPath, { force: true });
    failed(err);
    throw writeFailure(zipLinked || !zipPath ? out : zipPath, err, 'the package was not exported (recorded as export.failed in the audit log)');
  }
}

function checkOut(out: string, caseDir: string): void {
  if (out === caseDir || out.startsWith(`${caseDir}/`)) {
    throw new KestrelError(`${out}: a package is not written inside the case folder; choose a folder outside ${caseDir}`, 'E_OUT_IN_CASE');
  }
  if (!existsSync(out)) return;
  let empty = false;
  try {
    empty = statSync(out).isDirectory() && readdirSync(out).length === 0;
  } catch (err) {
    throw new KestrelError(`${out}: cannot examine: ${describeError(err)}`);
  }
  if (!empty) throw new KestrelError(`${out}: already exists and is not an empty folder; a package is never written over`, 'E_EXISTS');
  rmSync(out, { recursive: true });
}

function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

