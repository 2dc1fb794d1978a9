import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ZipReader, Uint8ArrayReader, Uint8ArrayWriter } from '@zip.js/zip.js';
import { verifyChain, type AuditEntry } from '../audit/log.js';
import { KestrelError, describeError } from '../util/result.js';
import {
  AUDIT_FILE, MANIFEST_FILE, compareText, expectedSeal, manifestBytes, manifestSchema, packageHash, sha256Hex, type Manifest,
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
}

/** A package's files by name, read from a folder or from a zip of one. */
interface PackageFiles {
  names: string[];
  read(name: string): Buffer | undefined;
  /** Zip entries whose data could not be extracted, with the reason. */
  broken: Map<string, string>;
}

/**
 * Checks a package against its manifest: every file listed must be there with its SHA-256 and size
 * (else altered or removed), nothing may be there that is not listed (added), the manifest must be
 * intact (its seal, its package hash, its exact bytes), and the audit log's hash chain must hold.
 * Every problem is named, not only the first.
 */
export async function verifyPackage(pathArg: string, expectManifestSha256?: string): Promise<Verdict> {
  const path = resolve(pathArg);
  const files = await openPackage(path);
  const problems: Problem[] = [];
  const verdict: Verdict = {
    ok: false, package: path, manifestSha256: null, packageHash: null, filesChecked: 0, problems,
    audit: { holds: false, entries: 0, head: null, message: 'not checked' },
  };

  const manifestRaw = files.read(MANIFEST_FILE);
  let manifest: Manifest | null = null;
  const manifestBroken = files.broken.get(MANIFEST_FILE);
  if (manifestBroken) {
    problems.push({ kind: 'altered', file: MANIFEST_FILE, detail: `cannot be extracted from the zip (${manifestBroken})` });
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
      const broken = files.broken.get(entry.path);
      if (broken) {
        problems.push({ kind: 'altered', file: entry.path, detail: `cannot be extracted from the zip (${broken})` });
        continue;
      }
      const bytes = files.read(entry.path);
      if (!bytes) {
        problems.push({ kind: 'removed', file: entry.path, detail: 'listed in the manifest, not in the package' });
        continue;
      }
      const got = sha256Hex(bytes);
      if (got !== entry.sha256 || bytes.length !== entry.size) {
        problems.push({ kind: 'altered', file: entry.path, detail: `SHA-256 ${got} (${bytes.length} bytes), manifest says ${entry.sha256} (${entry.size} bytes)` });
      }
    }
    for (const name of files.names) {
      if (name !== MANIFEST_FILE && !listed.has(name)) problems.push({ kind: 'added', file: name, detail: 'in the package, not in the manifest' });
    }
  } else if (manifestRaw) {
    const unchecked = files.names.filter((n) => n !== MANIFEST_FILE).length;
    const problem = problems.find((p) => p.file === MANIFEST_FILE);
    if (problem) problem.detail += `; the package's ${unchecked} other files cannot be checked without it`;
  }

  const auditBroken = files.broken.get(AUDIT_FILE);
  verdict.audit = auditBroken
    ? { holds: false, entries: 0, head: null, message: `${AUDIT_FILE} cannot be extracted from the zip (${auditBroken})` }
    : checkAudit(files.read(AUDIT_FILE), manifest);
  problems.sort((a, b) => compareText(a.file, b.file) || compareText(a.kind, b.kind));
  verdict.ok = problems.length === 0 && verdict.audit.holds;
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

function checkAudit(raw: Buffer | undefined, manifest: Manifest | null): Verdict['audit'] {
  if (!raw) return { holds: false, entries: 0, head: null, message: `${AUDIT_FILE} is missing` };
  const entries: AuditEntry[] = [];
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

async function openPackage(path: string): Promise<PackageFiles> {
  if (!existsSync(path)) throw new KestrelError(`${path}: no such file or folder`, 'E_NO_PACKAGE');
  const st = statSync(path);
  if (st.isDirectory()) return folderFiles(path);
  if (st.isFile()) return zipFiles(path);
  throw new KestrelError(`${path}: neither a package folder nor a zip`, 'E_NO_PACKAGE');
}

function folderFiles(dir: string): PackageFiles {
  const names: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (lstatSync(full).isDirectory()) walk(full);
      else names.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  names.sort(compareText);
  return {
    names,
    read(name) {
      if (!names.includes(name)) return undefined;
      return readFileSync(join(dir, name));
    },
    broken: new Map(),
  };
}

/** A zip holds the package's files either at its root or under one folder (as `kestrel export --zip` writes it). */
async function zipFiles(file: string): Promise<PackageFiles> {
  const reader = new ZipReader(new Uint8ArrayReader(readFileSync(file)));
  let entries;
  try {
    entries = await reader.getEntries();
  } catch (err) {
    throw new KestrelError(`${file}: not a readable zip (${describeError(err)})`, 'E_NO_PACKAGE');
  }
  const contents = new Map<string, Buffer | string>();
  for (const e of entries) {
    if (e.directory || !e.getData) continue;
    try {
      contents.set(e.filename, Buffer.from(await e.getData(new Uint8ArrayWriter(), { checkSignature: true })));
    } catch (err) {
      contents.set(e.filename, describeError(err));
    }
  }
  await reader.close();
  const all = [...contents.keys()];
  const top = all.length > 0 && all.every((n) => n.includes('/')) ? all[0]!.slice(0, all[0]!.indexOf('/') + 1) : '';
  const strip = top && all.every((n) => n.startsWith(top)) ? top : '';
  const byName = new Map<string, Buffer>();
  const broken = new Map<string, string>();
  for (const [n, v] of contents) {
    if (typeof v === 'string') broken.set(n.slice(strip.length), v);
    else byName.set(n.slice(strip.length), v);
  }
  const names = [...new Set([...byName.keys(), ...broken.keys()])].sort(compareText);
  return { names, read: (name) => byName.get(name), broken };
}
