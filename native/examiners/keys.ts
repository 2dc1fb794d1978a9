import {
  createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scryptSync,
  sign, verify, type KeyObject,
} from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { KestrelError, describeError } from '../util/result.js';

/**
 * Examiner signing keys: Ed25519 pairs kept in the per-user Kestrel folder, never in a case or a
 * package. The private key is encrypted with a key derived from the examiner's passphrase (scrypt,
 * AES-256-GCM); this workstation has no OS keystore Kestrel can reach (no Secret Service or DPAPI
 * in the Linux build or CI), so the passphrase is the protection. A profile points to its key by
 * fingerprint.
 */
export const KEY_FILE_FORMAT = 'kestrel-examiner-key';
/** scrypt cost of new keys: 2^17 with r=8 takes about 0.3 s and 128 MiB, per unlock. */
export const DEFAULT_SCRYPT_LOG_N = 17;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const MIN_PASSPHRASE = 8;

const b64 = z.string().regex(/^[A-Za-z0-9+/]+=*$/);
const keyFileSchema = z.strictObject({
  format: z.literal(KEY_FILE_FORMAT),
  version: z.literal(1),
  examiner: z.string().min(1),
  createdAt: z.string(),
  algorithm: z.literal('Ed25519'),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  /** Raw 32-byte public key. */
  publicKey: b64,
  kdf: z.strictObject({ name: z.literal('scrypt'), logN: z.number().int().min(14).max(22), r: z.number().int(), p: z.number().int(), salt: b64 }),
  cipher: z.strictObject({ name: z.literal('aes-256-gcm'), iv: b64, tag: b64 }),
  /** PKCS#8 DER of the private key, encrypted. */
  encryptedPrivateKey: b64,
});
export type KeyFile = z.infer<typeof keyFileSchema>;

export interface PublicIdentity {
  examiner: string;
  /** SHA-256 of the raw public key, hex: what the report prints and `verify --signer` expects. */
  fingerprint: string;
  publicKey: string;
}

export interface Signer extends PublicIdentity {
  sign(data: Buffer | string): string;
}

/** --keys DIR, else KESTREL_KEYS, else the user's data folder (as the hash library). */
export function keysDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const env = process.env['KESTREL_KEYS'];
  if (env) return resolve(env);
  if (process.platform === 'win32' && process.env['APPDATA']) return join(process.env['APPDATA'], 'Kestrel', 'examiner-keys');
  const xdg = process.env['XDG_DATA_HOME'];
  return join(xdg ? xdg : join(homedir(), '.local', 'share'), 'kestrel', 'examiner-keys');
}

export function fingerprintOf(rawPublicKey: Buffer): string {
  return createHash('sha256').update(rawPublicKey).digest('hex');
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function publicKeyObject(rawBase64: string): KeyObject {
  const raw = Buffer.from(rawBase64, 'base64');
  if (raw.length !== 32) throw new KestrelError('an Ed25519 public key has 32 bytes', 'E_KEY');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** True when `signature` (base64) is the signature of `data` by the raw public key (base64). */
export function verifySignature(publicKey: string, data: Buffer | string, signature: string): boolean {
  try {
    return verify(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, publicKeyObject(publicKey), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

function checkPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE) throw new KestrelError(`the key passphrase needs at least ${MIN_PASSPHRASE} characters`, 'E_PASSPHRASE');
}

function deriveKey(passphrase: string, kdf: KeyFile['kdf']): Buffer {
  return scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, {
    N: 2 ** kdf.logN, r: kdf.r, p: kdf.p, maxmem: 2 ** kdf.logN * kdf.r * 256,
  });
}

export interface CreateKeyOptions {
  examiner: string;
  passphrase: string;
  dir?: string;
  /** Lower only for tests: the key file records it, so unlocking follows. */
  scryptLogN?: number;
}

/** Makes a new key pair and stores it (mode 0600, written then renamed); returns its public identity. */
export function createKey(opts: CreateKeyOptions): PublicIdentity {
  const examiner = opts.examiner.trim();
  if (!examiner) throw new KestrelError('an examiner name is required for a signing key', 'E_USAGE');
  checkPassphrase(opts.passphrase);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(ED25519_SPKI_PREFIX.length);
  const kdf = { name: 'scrypt' as const, logN: opts.scryptLogN ?? DEFAULT_SCRYPT_LOG_N, r: SCRYPT_R, p: SCRYPT_P, salt: randomBytes(16).toString('base64') };
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(opts.passphrase, kdf), iv);
  const fingerprint = fingerprintOf(raw);
  cipher.setAAD(Buffer.from(fingerprint, 'utf8'));
  const encrypted = Buffer.concat([cipher.update(privateKey.export({ format: 'der', type: 'pkcs8' })), cipher.final()]);
  const file: KeyFile = {
    format: KEY_FILE_FORMAT, version: 1, examiner, createdAt: new Date().toISOString(), algorithm: 'Ed25519',
    fingerprint, publicKey: raw.toString('base64'), kdf,
    cipher: { name: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
    encryptedPrivateKey: encrypted.toString('base64'),
  };
  const dir = keysDir(opts.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${fingerprint}.key.json`);
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  return { examiner, fingerprint, publicKey: file.publicKey };
}

export function listKeys(dir?: string): Array<KeyFile & { path: string }> {
  const d = keysDir(dir);
  if (!existsSync(d)) return [];
  const keys: Array<KeyFile & { path: string }> = [];
  for (const name of readdirSync(d).filter((n) => n.endsWith('.key.json')).sort()) {
    const path = join(d, name);
    keys.push({ ...readKeyFile(path), path });
  }
  return keys;
}

function readKeyFile(path: string): KeyFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KestrelError(`${path}: not a readable key file: ${describeError(err)}`, 'E_KEY');
  }
  const parsed = keyFileSchema.safeParse(json);
  if (!parsed.success) throw new KestrelError(`${path}: not a Kestrel examiner key: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim(), 'E_KEY');
  if (fingerprintOf(Buffer.from(parsed.data.publicKey, 'base64')) !== parsed.data.fingerprint) {
    throw new KestrelError(`${path}: the fingerprint does not match the public key`, 'E_KEY');
  }
  return parsed.data;
}

/**
 * The key to sign with: the one with `fingerprint` (a unique prefix will do), else the only key in
 * the folder. Decrypting proves the passphrase; a wrong one fails the GCM tag.
 */
export function unlockKey(passphrase: string, opts: { dir?: string; fingerprint?: string } = {}): Signer {
  const keys = listKeys(opts.dir);
  const dir = keysDir(opts.dir);
  const wanted = opts.fingerprint?.toLowerCase();
  const candidates = wanted ? keys.filter((k) => k.fingerprint.startsWith(wanted)) : keys;
  if (candidates.length === 0) {
    throw new KestrelError(`${dir}: ${wanted ? `no examiner key with fingerprint ${wanted}` : 'no examiner key; create one with `kestrel key create --examiner NAME`'}`, 'E_NO_KEY');
  }
  if (candidates.length > 1) throw new KestrelError(`${dir}: ${candidates.length} examiner keys; choose one with --key FINGERPRINT`, 'E_KEY');
  const k = candidates[0]!;
  let der: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(passphrase, k.kdf), Buffer.from(k.cipher.iv, 'base64'));
    decipher.setAAD(Buffer.from(k.fingerprint, 'utf8'));
    decipher.setAuthTag(Buffer.from(k.cipher.tag, 'base64'));
    der = Buffer.concat([decipher.update(Buffer.from(k.encryptedPrivateKey, 'base64')), decipher.final()]);
  } catch {
    throw new KestrelError(`${k.path}: wrong passphrase for the key of ${k.examiner}`, 'E_PASSPHRASE');
  }
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return {
    examiner: k.examiner,
    fingerprint: k.fingerprint,
    publicKey: k.publicKey,
    sign: (data) => sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, privateKey).toString('base64'),
  };
}

/** The first line of a passphrase file. */
export function readPassphraseFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KestrelError(`${file}: cannot read the passphrase file: ${describeError(err)}`, 'E_PASSPHRASE');
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw new KestrelError(`${file}: the passphrase file is empty`, 'E_PASSPHRASE');
  return line;
}

let sessionSigner: Signer | null | undefined;
let sessionPassphrase: { passphrase: string; fingerprint?: string } | undefined;
/** The key of the examiner profile working now (profiles.ts): it signs what that examiner does. */
let profileKey: string | undefined;

/**
 * The signer for this process: set by the CLI from --key-passphrase-file (or by a UI session),
 * else unlocked once from KESTREL_KEY_PASSPHRASE (non-interactive use and tests) with KESTREL_KEY
 * choosing among several keys (the working examiner profile's key before both). Null when there is no key or no passphrase: the work goes on and
 * the audit log says it is unsigned, which `verify` reports as a failure.
 */
export function currentSigner(): Signer | null {
  if (sessionSigner !== undefined) return sessionSigner;
  const passphrase = sessionPassphrase?.passphrase ?? process.env['KESTREL_KEY_PASSPHRASE'];
  const fingerprint = profileKey ?? sessionPassphrase?.fingerprint ?? process.env['KESTREL_KEY'];
  if (!passphrase || (!sessionPassphrase && listKeys().length === 0)) return (sessionSigner = null);
  sessionSigner = unlockKey(passphrase, fingerprint ? { fingerprint } : {});
  return sessionSigner;
}

export function setSessionSigner(signer: Signer | null | undefined): void {
  sessionSigner = signer;
}

/** The CLI's --key-passphrase-file and --key: the key is unlocked when something is first signed. */
export function setSessionPassphrase(passphrase: string, fingerprint?: string): void {
  sessionPassphrase = fingerprint ? { passphrase, fingerprint } : { passphrase };
  sessionSigner = undefined;
}

/** The working examiner profile's key, or undefined when the profile has none. */
export function setProfileKey(fingerprint: string | undefined): void {
  if (fingerprint === profileKey) return;
  profileKey = fingerprint;
  sessionSigner = undefined;
}
