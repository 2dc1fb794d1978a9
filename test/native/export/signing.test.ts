import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { useTestSigningKey, TEST_KEY_PASSPHRASE } from '../../helpers/signing.js';
import { copyPackage, exportPackage, makeTestCase } from './fixture.js';
import { entryHash, type AuditEntry } from '../../../native/audit/log.js';
import { createKey, unlockKey, type Signer } from '../../../native/examiners/keys.js';
import { canonicalJson } from '../../../native/util/canonicalJson.js';
import {
  manifestBytes, manifestSchema, packageHash, sealManifest, sha256Hex, signedManifestBytes, type Manifest,
} from '../../../native/export/manifest.js';

const examinerKey = useTestSigningKey('DC Jane Roe');
let pkg: ReturnType<typeof exportPackage>;
let caseDir: string;

beforeAll(() => {
  caseDir = makeTestCase().caseDir;
  pkg = exportPackage(caseDir);
});

interface Verdict {
  ok: boolean;
  problems: { kind: string; file: string; detail: string }[];
  audit: { holds: boolean; message: string };
  signatures: { ok: boolean; manifest: { examiner: string; fingerprint: string } | null; audit: { fingerprint: string }[]; problems: string[] };
}

function verify(path: string, extra: string[] = []): { status: number | null; verdict: Verdict; text: string } {
  const json = kestrel(['verify', path, '--json', ...extra]);
  const text = kestrel(['verify', path, ...extra]);
  return { status: json.status, verdict: jsonLines(json.stdout)[0] as unknown as Verdict, text: text.stdout };
}

function readManifest(dir: string): Manifest {
  return manifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
}

/**
 * What someone rewriting a package consistently does: change a file, fix its manifest entry, the
 * package hash, the hash the reports quote, and the seal; the signature is kept as it was (no key)
 * or made with a key of their own.
 */
function rewrite(dir: string, change: (dir: string) => void, signer: Signer | null): void {
  const before = readManifest(dir);
  change(dir);
  const files = before.files.map((f) => {
    const bytes = readFileSync(join(dir, f.path));
    return { ...f, sha256: sha256Hex(bytes), size: bytes.length };
  });
  const hash = packageHash(files);
  for (const report of ['report.html', 'report.pdf']) {
    writeFileSync(join(dir, report), readFileSync(join(dir, report), 'latin1').replaceAll(before.packageHash, hash), 'latin1');
  }
  const refreshed = before.files.map((f) => {
    const bytes = readFileSync(join(dir, f.path));
    return { ...f, sha256: sha256Hex(bytes), size: bytes.length };
  });
  const audit = readFileSync(join(dir, 'audit-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  const last = audit[audit.length - 1]!;
  const { seal: _s, signature, ...rest } = before;
  const unsigned = { ...rest, files: refreshed, packageHash: hash, asOf: { ...rest.asOf, auditEntries: audit.length, auditHead: last.hash } };
  const sig = signer
    ? { algorithm: 'Ed25519' as const, examiner: signer.examiner, fingerprint: signer.fingerprint, publicKey: signer.publicKey, value: signer.sign(signedManifestBytes(unsigned)) }
    : signature;
  writeFileSync(join(dir, 'manifest.json'), manifestBytes(sealManifest(sig ? { ...unsigned, signature: sig } : unsigned)));
}

function editCsv(dir: string): void {
  const file = join(dir, 'findings.csv');
  writeFileSync(file, readFileSync(file, 'utf8').replace('DC Jane Roe', 'DC John Doe'));
}

/** Edits audit entry 2 and recomputes every hash after it, as one would after dropping the triggers. */
function rechainAudit(dir: string): void {
  const file = join(dir, 'audit-log.jsonl');
  const entries = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  entries[1]!.details['exhibit'] = 'EX-99';
  for (let i = 1; i < entries.length; i++) {
    entries[i]!.prevHash = entries[i - 1]!.hash;
    entries[i]!.hash = entryHash(entries[i]!);
  }
  writeFileSync(file, entries.map((e) => `${canonicalJson(e)}\n`).join(''));
}

describe('signed packages and audit logs', () => {
  it('signs the manifest and the audit head with the examiner key; verify names the signer and key', () => {
    const r = verify(pkg.out, ['--signer', examinerKey.fingerprint]);
    expect(r.status, r.text).toBe(0);
    expect(r.verdict.signatures.manifest).toEqual({ examiner: 'DC Jane Roe', fingerprint: examinerKey.fingerprint });
    expect(r.verdict.signatures.audit.map((s) => s.fingerprint)).toEqual([examinerKey.fingerprint]);
    expect(r.text).toContain(`manifest signed by DC Jane Roe, key ${examinerKey.fingerprint}`);
    const audit = readFileSync(join(pkg.out, 'audit-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    // The intake and each decision batch signed the head; the exported log ends with a signature.
    const reasons = audit.filter((e) => e.action === 'audit.signed').map((e) => e.details['reason']);
    expect(reasons[0]).toBe('intake');
    expect(reasons).toContain('decisions');
    // After the export's own entry, the case log's head is signed again.
    const caseLog = jsonLines(kestrel(['audit', 'show', caseDir]).stdout);
    expect(caseLog.at(-2)?.['action']).toBe('export.package');
    expect(caseLog.at(-1)).toMatchObject({ action: 'audit.signed', details: { reason: 'exported', fingerprint: examinerKey.fingerprint } });
    expect(audit[audit.length - 1]!.action).toBe('audit.signed');
  });

  it('the report prints the key fingerprint and the package hash (the paper anchor)', () => {
    const html = readFileSync(join(pkg.out, 'report.html'), 'utf8');
    expect(html).toContain(`DC Jane Roe, Ed25519 key fingerprint (SHA-256) ${examinerKey.fingerprint}`);
    expect(html).toContain(`<tr><th>Package hash</th><td>${pkg.packageHash}</td></tr>`);
  });

  it('a package rewritten consistently without the key fails: the manifest is mis-signed', () => {
    const copy = copyPackage(pkg.out);
    rewrite(copy, editCsv, null);
    const r = verify(copy);
    expect(r.verdict.problems).toEqual([]);
    expect(r.verdict.audit.holds).toBe(true);
    expect(r.status).toBe(1);
    expect(r.verdict.signatures.problems).toEqual([expect.stringMatching(/^manifest\.json: mis-signed: the signature by DC Jane Roe/)]);
    expect(r.text).toMatch(/^FAILED: 0 file problems; signatures missing or invalid$/m);
  });

  it('an audit log re-chained after an edit fails on its signatures even with a re-signed manifest', () => {
    const attackerDir = tempDir('attacker');
    createKey({ examiner: 'DC Jane Roe', passphrase: 'attacker passphrase', dir: attackerDir, scryptLogN: 14 });
    const signer = unlockKey('attacker passphrase', { dir: attackerDir });
    const copy = copyPackage(pkg.out);
    rewrite(copy, rechainAudit, signer);
    const r = verify(copy);
    expect(r.verdict.audit.holds).toBe(true);
    expect(r.status).toBe(1);
    expect(r.verdict.signatures.problems.join('\n')).toMatch(/audit-log\.jsonl: entry \d+: the signature is for entry \d+/);
  });

  it('a package re-signed with another key passes only until the expected fingerprint is given', () => {
    const dir = tempDir('other-key');
    const other = createKey({ examiner: 'DC Jane Roe', passphrase: 'another passphrase', dir, scryptLogN: 14 });
    const signer = unlockKey('another passphrase', { dir });
    expect(signer.fingerprint).toBe(other.fingerprint);
    const copy = copyPackage(pkg.out);
    rewrite(copy, editCsv, signer);
    const loose = verify(copy);
    expect(loose.verdict.signatures.manifest?.fingerprint).toBe(other.fingerprint);
    const strict = verify(copy, ['--signer', examinerKey.fingerprint]);
    expect(strict.status).toBe(1);
    expect(strict.verdict.signatures.problems).toContain(`manifest.json: signed by DC Jane Roe with key ${other.fingerprint}, which is not the expected key`);
  });

  it('the package hash quoted in the report must be the manifest\'s', () => {
    const copy = copyPackage(pkg.out);
    const html = join(copy, 'report.html');
    rewrite(copy, () => undefined, null);
    writeFileSync(html, readFileSync(html, 'utf8').replace(pkg.packageHash, 'f'.repeat(64)));
    const r = verify(copy);
    expect(r.status).toBe(1);
    expect(r.verdict.problems.some((p) => p.file === 'report.html')).toBe(true);
    // Same check when only the report changed and the (signed) manifest was re-made by the key holder.
    const copy2 = copyPackage(pkg.out);
    rewrite(copy2, (d) => writeFileSync(join(d, 'report.html'), readFileSync(join(d, 'report.html'), 'utf8').replace(`<td>${pkg.packageHash}</td>`, `<td>${'e'.repeat(64)}</td>`)), unlockKey(TEST_KEY_PASSPHRASE, { dir: examinerKey.dir }));
    const r2 = verify(copy2, ['--signer', examinerKey.fingerprint]);
    expect(r2.status).toBe(1);
    expect(r2.verdict.problems).toEqual([{ kind: 'altered', file: 'report.html', detail: `quotes package hash ${'e'.repeat(64)}, the manifest's is ${pkg.packageHash}` }]);
  });

  it('an export with no key unlocked is unsigned, and verify refuses it', () => {
    const r = kestrel(['export', caseDir, join(tempDir('unsigned'), 'package'), '--json'], { env: { KESTREL_KEY_PASSPHRASE: '' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/not signed/);
    const out = String(jsonLines(r.stdout)[0]!['dir']);
    const v = verify(out);
    expect(v.status).toBe(1);
    expect(v.verdict.signatures.problems).toContain('manifest.json: unsigned');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('NOT SIGNED');
  });

  it('--key-passphrase-file unlocks the key; a wrong passphrase is refused in one line', () => {
    const passFile = join(tempDir('pass'), 'p');
    writeFileSync(passFile, 'not the passphrase\n');
    const r = kestrel(['export', caseDir, join(tempDir('wrong'), 'package'), '--key-passphrase-file', passFile], { env: { KESTREL_KEY_PASSPHRASE: '' } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^kestrel: .*\.key\.json: wrong passphrase for the key of DC Jane Roe$/);
    writeFileSync(passFile, `${TEST_KEY_PASSPHRASE}\n`);
    const ok = kestrel(['export', caseDir, join(tempDir('right'), 'package'), '--json', '--key-passphrase-file', passFile], { env: { KESTREL_KEY_PASSPHRASE: '' } });
    expect(ok.status, ok.stderr).toBe(0);
    expect(verify(String(jsonLines(ok.stdout)[0]!['dir']), ['--signer', examinerKey.fingerprint]).status).toBe(0);
  });

  it('the key file is user-only and holds no private key in the clear', () => {
    const file = join(examinerKey.dir, `${examinerKey.fingerprint}.key.json`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(Object.keys(JSON.parse(text) as object)).toContain('encryptedPrivateKey');
  });
});
