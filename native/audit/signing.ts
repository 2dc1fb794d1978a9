import type { Db } from '../catalog/sqlite.js';
import { currentSigner, fingerprintOf, verifySignature, type Signer } from '../examiners/keys.js';
import { canonicalJson } from '../util/canonicalJson.js';
import { appendAudit, type AuditEntry } from './log.js';

/**
 * A hash chain alone can be recomputed by whoever rewrites it. Signing its head with the examiner's
 * key (which never leaves the workstation) anchors every entry up to that head: rewriting any of
 * them breaks the signature, and re-signing needs the private key.
 */
export const SIGNED_ACTION = 'audit.signed';

/** `export`: the state a package holds, before it is written; `exported`: after the export's own entry. */
export type SignReason = 'intake' | 'match' | 'decisions' | 'export' | 'exported';

export function headPayload(seq: number, head: string): string {
  return canonicalJson({ purpose: 'kestrel-audit-head', seq, head });
}

/**
 * Appends an `audit.signed` entry signing the current head. Without a signer (no key, no
 * passphrase) nothing is appended and null is returned: the log stays unsigned from there on and
 * verification says so.
 */
export function signAuditHead(db: Db, reason: SignReason, signer: Signer | null = currentSigner()): AuditEntry | null {
  if (!signer) return null;
  return db.transaction(() => {
    const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    if (!last) return null;
    return appendAudit(db, SIGNED_ACTION, {
      reason,
      seq: last.seq,
      head: last.hash,
      algorithm: 'Ed25519',
      examiner: signer.examiner,
      fingerprint: signer.fingerprint,
      publicKey: signer.publicKey,
      signature: signer.sign(headPayload(last.seq, last.hash)),
    }, signer.examiner);
  })();
}

export interface SignerSeen { examiner: string; fingerprint: string; signatures: number }

export interface SignatureVerdict {
  /** Every entry is covered by a valid signature and none is mis-signed. */
  ok: boolean;
  /** The last entry a valid signature covers (0: none). */
  signedThrough: number;
  signers: SignerSeen[];
  problems: string[];
}

/**
 * Checks every `audit.signed` entry of a chain (whose hashes were verified already): it must sign
 * the entry just before it, with the key it names. Entries after the last valid signature are
 * unsigned; `trusted`, when given, lists the only fingerprints accepted.
 */
export function verifyAuditSignatures(entries: readonly AuditEntry[], trusted?: readonly string[]): SignatureVerdict {
  const problems: string[] = [];
  const signers = new Map<string, SignerSeen>();
  let signedThrough = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.action !== SIGNED_ACTION) continue;
    const d = e.details as Record<string, unknown>;
    const prev = entries[i - 1];
    const { seq, head, publicKey, signature, fingerprint, examiner } = d;
    if (typeof seq !== 'number' || typeof head !== 'string' || typeof publicKey !== 'string' || typeof signature !== 'string'
      || typeof fingerprint !== 'string' || typeof examiner !== 'string') {
      problems.push(`entry ${e.seq}: a signature entry without its fields`);
      continue;
    }
    if (!prev || prev.seq !== seq || prev.hash !== head) {
      problems.push(`entry ${e.seq}: the signature is for entry ${seq} (${head.slice(0, 12)}…), not the entry before it`);
      continue;
    }
    if (fingerprintOf(Buffer.from(publicKey, 'base64')) !== fingerprint || !verifySignature(publicKey, headPayload(seq, head), signature)) {
      problems.push(`entry ${e.seq}: mis-signed: the signature by ${examiner} (${fingerprint}) does not verify`);
      continue;
    }
    if (trusted && !trusted.includes(fingerprint)) {
      problems.push(`entry ${e.seq}: signed by ${examiner} with key ${fingerprint}, which is not the expected key`);
      continue;
    }
    const s = signers.get(fingerprint) ?? { examiner, fingerprint, signatures: 0 };
    s.signatures += 1;
    signers.set(fingerprint, s);
    signedThrough = e.seq;
  }
  const last = entries[entries.length - 1];
  if (!last || signedThrough === 0) problems.push('unsigned: no entry of the audit log is signed by an examiner key');
  else if (last.seq > signedThrough) problems.push(`unsigned: entries ${signedThrough + 1}..${last.seq} come after the last signature`);
  return { ok: problems.length === 0, signedThrough, signers: [...signers.values()], problems };
}
