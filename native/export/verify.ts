import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { verifyChain, type AuditEntry } from '../audit/log.js';
import { verifyAuditSignatures, type SignerSeen } from '../audit/signing.js';
import { fingerprintOf, verifySignature } from '../examiners/keys.js';
import { describeError } from '../util/result.js';
import { openPackage, type PackageFiles } from './packageFiles.js';
import {
  AUDIT_FILE, MANIFEST_FILE, REPORT_HTML_FILE, REPORT_PDF_FILE, compareText, expectedSeal, manifestBytes, manifestSchema, packageHash, sha256Hex, signedManifestBytes, type Manifest,
} from './manifest.js';

export type Problem =
  | { kind: 'altered'; file: string; detail: string }
  | { kind: 'removed'; file: string; detail: string }
  | { kind: 'added'; file: string; detail: string };

export interface Verdict {
  ok: boolean;
  package: string;
  /** SHA-256 of manifest.json as found: compare with the value printed at export and in the case's audit log. */
  manifestSha256: string | null;
  packageHash: string | null;
  filesChecked: number;
  problems: Problem[];
  audit: { holds: boolean; entries: number; head: string | null; message: string };
  /** Who signed: the manifest's signer and the audit log's, by key fingerprint. */
  signatures: {
    ok: boolean;
    manifest: { examiner: string; fingerprint: string } | null;
    audit: SignerSeen[];
    problems: string[];
  };
}

export interface VerifyOptions {
  /** The manifest SHA-256 printed at export. */
  manifestSha256?: string;
  /** Key fingerprints accepted (e.g. the one printed on the paper report); any key when absent. */
  signers?: readonly string[];
}

/** Files verify reads whole, at most this size: the manifest, the audit log, the reports. */
const WHOLE_READ_LIMIT = 1 << 30;

/** A file read whole: its bytes, undefined when absent, or why it could not be read. */
async function readWhole(files: PackageFiles, name: string): Promise<Buffer | undefined | { problem: string }> {
  const refused = files.refused.get(name);
  if (refused) return { problem: refused };
  const chunks: Buffer[] = [];
  const outcome = await files.consume(name, WHOLE_READ_LIMIT, (chunk) => chunks.push(Buffer.from(chunk)));
  if (outcome === undefined) return undefined;
  if (typeof outcome === 'string') return { problem: `cannot be read (${outcome})` };
  if (outcome.overLimit) return { problem: `larger than the ${WHOLE_READ_LIMIT} bytes verify reads whole, not read` };
  return Buffer.concat(chunks);
}

/**
 * Checks a package against its manifest: every file listed must be there with its SHA-256 and size
 * (else altered or removed), nothing may be there that is not listed (added), the manifest must be
 * intact (its seal, its package hash, its exact bytes), and the audit log's hash chain must hold.
 * Every problem is named, not only the first.
 */
export async function verifyPackage(pathArg: string, expectManifestSha256?: string, options: VerifyOptions = {}): Promise<Verdict> {
  const path = resolve(pathArg);
  const trusted = options.signers?.map((f) => f.toLowerCase());
  const files = await openPackage(path);
  try {
    return await checkPackage(path, files, expectManifestSha256, trusted);
  } finally {
    await files.close();
  }
}

async function checkPackage(path: string, files: PackageFiles, expectManifestSha256: string | undefined, trusted: readonly string[] | undefined): Promise<Verdict> {
  const problems: Problem[] = [];
  const verdict: Verdict = {
    ok: false, package: path, manifestSha256: null, packageHash: null, filesChecked: 0, problems,
    audit: { holds: false, entries: 0, head: null, message: 'not checked' },
    signatures: { ok: false, manifest: null, audit: [], problems: [] },
  };

  const manifestRead = await readWhole(files, MANIFEST_FILE);
  const manifestRaw = Buffer.isBuffer(manifestRead) ? manifestRead : undefined;
  let manifest: Manifest | null = null;
  if (manifestRead !== undefined && !Buffer.isBuffer(manifestRead)) {
    problems.push({ kind: 'altered', file: MANIFEST_FILE, detail: manifestRead.problem });
  } else if (!manifestRaw) {
    problems.push({ kind: 'removed', file: MANIFEST_FILE, detail: 'the manifest is missing; no file can be checked against it' });
  } else {
    verdict.manifestSha256 = sha256Hex(manifestRaw);
    manifest = readManifest(manifestRaw, problems);
    if (expectManifestSha256 && verdict.manifestSha256 !== expectManifestSha256.toLowerCase()) {
      problems.push({ kind: 'altered', file: MANIFEST_FILE, detail: `SHA-256 is ${verdict.manifestSha256}, expected ${expectManifestSha256.toLowerCase()}` });
    }
  }

  if (manifest) {
    verdict.packageHash = manifest.packageHash;
    const listed = new Set<string>();
    for (const entry of manifest.files) {
      listed.add(entry.path);
      verdict.filesChecked += 1;
      const refused = files.refused.get(entry.path);
      if (refused) {
        problems.push({ kind: 'altered', file: entry.path, detail: refused });
        continue;
      }
      // Streamed, and never past the size the manifest lists: a larger file is altered whatever follows.
      const hash = createHash('sha256');
      const outcome = await files.consume(entry.path, entry.size, (chunk) => hash.update(chunk));
      if (outcome === undefined) {
        problems.push({ kind: 'removed', file: entry.path, detail: 'listed in the manifest, not in the package' });
      } else if (typeof outcome === 'string') {
        problems.push({ kind: 'altered', file: entry.path, detail: `cannot be read (${outcome})` });
      } else if (outcome.overLimit) {
        problems.push({ kind: 'altered', file: entry.path, detail: `longer than the ${entry.size} bytes the manifest lists (read stopped there)` });
      } else {
        const got = hash.digest('hex');
        if (got !== entry.sha256 || outcome.bytes !== entry.size) {
          problems.push({ kind: 'altered', file: entry.path, detail: `SHA-256 ${got} (${outcome.bytes} bytes), manifest says ${entry.sha256} (${entry.size} bytes)` });
        }
      }
    }
    for (const name of files.names) {
      if (name === MANIFEST_FILE || listed.has(name)) continue;
      const refused = files.refused.get(name);
      problems.push({ kind: 'added', file: name, detail: refused ? `in the package, not in the manifest; ${refused}` : 'in the package, not in the manifest' });
    }
  } else if (manifestRaw) {
    const unchecked = files.names.filter((n) => n !== MANIFEST_FILE).length;
    const problem = problems.find((p) => p.file === MANIFEST_FILE);
    if (problem) problem.detail += `; the package's ${unchecked} other files cannot be checked without it`;
  }

  const auditRead = await readWhole(files, AUDIT_FILE);
  const audit = auditRead !== undefined && !Buffer.isBuffer(auditRead)
    ? { verdict: { holds: false, entries: 0, head: null, message: `${AUDIT_FILE}: ${auditRead.problem}` }, entries: [] }
    : checkAudit(auditRead, manifest);
  verdict.audit = audit.verdict;
  verdict.signatures = checkSignatures(manifest, audit.entries, trusted);
  if (manifest) await checkReportHashes(files, manifest.packageHash, problems);
  problems.sort((a, b) => compareText(a.file, b.file) || compareText(a.kind, b.kind));
  verdict.ok = problems.length === 0 && verdict.audit.holds && verdict.signatures.ok;
  return verdict;
}

function readManifest(raw: Buffer, problems: Problem[]): Manifest | null {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    problems.push({ kind: 'altered', file: MANIFEST_FILE, detail: `not valid JSON (${describeError(err)})` });
    return null;
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    problems.push({ kind: 'altered', file: MANIFEST_FILE, detail: `not a Kestrel manifest: ${issue ? `${issue.path.join('.') || '(top)'}: ${issue.message}` : 'invalid'}` });
    return null;
  }
  const m = parsed.data;
  const details: string[] = [];
  if (expectedSeal(m) !== m.seal) details.push('its content does not match its seal');
  if (packageHash(m.files) !== m.packageHash) details.push('its package hash does not match its file list');
  if (!manifestBytes(m).equals(raw)) details.push('its bytes differ from the form Kestrel writes');
  if (details.length) problems.push({ kind: 'altered', file: MANIFEST_FILE, detail: details.join('; ') });
  return m;
}

/**
 * The manifest must be signed, and the audit log signed up to its last entry; with `trusted`, by
 * those keys only. A package rewritten consistently keeps its hashes right but cannot re-sign
 * without the examiner's private key.
 */
function checkSignatures(manifest: Manifest | null, entries: readonly AuditEntry[], trusted: readonly string[] | undefined): Verdict['signatures'] {
  const problems: string[] = [];
  let signedManifest: { examiner: string; fingerprint: string } | null = null;
  if (manifest) {
    const sig = manifest.signature;
    if (!sig) {
      problems.push(`${MANIFEST_FILE}: unsigned`);
    } else if (fingerprintOf(Buffer.from(sig.publicKey, 'base64')) !== sig.fingerprint || !verifySignature(sig.publicKey, signedManifestBytes(manifest), sig.value)) {
      problems.push(`${MANIFEST_FILE}: mis-signed: the signature by ${sig.examiner} (${sig.fingerprint}) does not verify`);
    } else if (trusted && !trusted.includes(sig.fingerprint)) {
      problems.push(`${MANIFEST_FILE}: signed by ${sig.examiner} with key ${sig.fingerprint}, which is not the expected key`);
    } else {
      signedManifest = { examiner: sig.examiner, fingerprint: sig.fingerprint };
    }
  }
  const audit = verifyAuditSignatures(entries, trusted);
  problems.push(...audit.problems.map((p) => `${AUDIT_FILE}: ${p}`));
  return { ok: manifest !== null && problems.length === 0, manifest: signedManifest, audit: audit.signers, problems };
}

/** The report quotes the package hash (the paper copy's anchor): it must be the manifest's. */
async function checkReportHashes(files: PackageFiles, expected: string, problems: Problem[]): Promise<void> {
  const quoted: Array<[string, RegExp]> = [
    [REPORT_HTML_FILE, /<tr><th>Package hash<\/th><td>([0-9a-f]{64})<\/td><\/tr>/],
    // The PDF's Subject, an uncompressed string object (the page text is compressed).
    [REPORT_PDF_FILE, /\(package hash ([0-9a-f]{64})\)/],
  ];
  for (const [name, pattern] of quoted) {
    if (problems.some((p) => p.file === name)) continue;
    const bytes = await readWhole(files, name);
    if (!Buffer.isBuffer(bytes)) continue;
    const found = pattern.exec(bytes.toString('latin1'))?.[1];
    if (found !== expected) {
      problems.push({ kind: 'altered', file: name, detail: found ? `quotes package hash ${found}, the manifest's is ${expected}` : 'does not quote the package hash' });
    }
  }
}

function checkAudit(raw: Buffer | undefined, manifest: Manifest | null): { verdict: Verdict['audit']; entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return { verdict: checkAuditInto(raw, manifest, entries), entries };
}

function checkAuditInto(raw: Buffer | undefined, manifest: Manifest | null, entries: AuditEntry[]): Verdict['audit'] {
  if (!raw) return { holds: false, entries: 0, head: null, message: `${AUDIT_FILE} is missing` };
  const lines = raw.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    try {
      entries.push(JSON.parse(lines[i]!) as AuditEntry);
    } catch {
      return { holds: false, entries: entries.length, head: null, message: `${AUDIT_FILE} line ${i + 1}: not valid JSON; the chain is broken there` };
    }
  }
  const v = verifyChain(entries);
  if (!v.ok) return { holds: false, entries: v.entries, head: null, message: v.message };
  if (manifest && (manifest.asOf.auditEntries !== v.entries || manifest.asOf.auditHead !== v.head)) {
    return {
      holds: false, entries: v.entries, head: v.head,
      message: `the chain holds but ends at entry ${v.entries} (${v.head}), while the manifest says ${manifest.asOf.auditEntries} (${manifest.asOf.auditHead}): entries were cut off or added at the end`,
    };
  }
  return { holds: true, entries: v.entries, head: v.head, message: `holds: ${v.entries} entries, head ${v.head}` };
}
