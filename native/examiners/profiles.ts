import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { listKeys } from './keys.js';
import { KestrelError, describeError } from '../util/result.js';

/**
 * Examiner profiles: who is working at this workstation, kept in the per-user Kestrel folder (never
 * in a case), one file a profile. A profile names the examiner every decision, note and export is
 * recorded as, points to the examiner's signing key when there is one, and holds the wellbeing
 * settings, which follow the examiner from case to case.
 */
export const PROFILE_FILE_FORMAT = 'kestrel-examiner-profile';

export const profileWellbeingSchema = z.strictObject({
  blur: z.boolean(),
  greyscale: z.boolean(),
  /** How strong the blur is, in CSS pixels. */
  blurRadius: z.number().int().min(2).max(60),
  /** Videos start only when the examiner plays them. */
  autoplayVideo: z.boolean(),
});
export type ProfileWellbeing = z.infer<typeof profileWellbeingSchema>;

export const DEFAULT_PROFILE_WELLBEING: ProfileWellbeing = { blur: true, greyscale: true, blurRadius: 24, autoplayVideo: false };

const profileFileSchema = z.strictObject({
  format: z.literal(PROFILE_FILE_FORMAT),
  version: z.literal(1),
  id: z.string().uuid(),
  name: z.string().min(1).max(200),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  /** The examiner's signing key (native/examiners/keys.ts), by fingerprint. */
  keyFingerprint: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  wellbeing: profileWellbeingSchema,
});
export type ExaminerProfile = z.infer<typeof profileFileSchema>;

/** --profiles DIR, else KESTREL_PROFILES, else the user's data folder (beside the examiner keys). */
export function profilesDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const env = process.env['KESTREL_PROFILES'];
  if (env) return resolve(env);
  if (process.platform === 'win32' && process.env['APPDATA']) return join(process.env['APPDATA'], 'Kestrel', 'examiner-profiles');
  const xdg = process.env['XDG_DATA_HOME'];
  return join(xdg ? xdg : join(homedir(), '.local', 'share'), 'kestrel', 'examiner-profiles');
}

const fileOf = (dir: string, id: string): string => join(dir, `${id}.profile.json`);

function readProfile(path: string): ExaminerProfile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KestrelError(`${path}: not a readable examiner profile: ${describeError(err)}`, 'E_PROFILE');
  }
  const parsed = profileFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KestrelError(`${path}: not a Kestrel examiner profile: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), 'E_PROFILE');
  }
  return parsed.data;
}

/** Written whole to a temporary file and renamed over the old one: a crash leaves the old or the new profile, never half of one. */
function writeProfile(dir: string, profile: ExaminerProfile): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = fileOf(dir, profile.id);
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(profile, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Every profile, the most recently used first (never used ones last, by name): the first is the one to offer. */
export function listProfiles(dir?: string): ExaminerProfile[] {
  const d = profilesDir(dir);
  if (!existsSync(d)) return [];
  const profiles = readdirSync(d).filter((n) => n.endsWith('.profile.json')).map((n) => readProfile(join(d, n)));
  return profiles.sort((a, b) => (b.lastUsedAt ?? '').localeCompare(a.lastUsedAt ?? '') || a.name.localeCompare(b.name));
}

export function getProfile(id: string, dir?: string): ExaminerProfile {
  const path = fileOf(profilesDir(dir), id);
  if (!/^[0-9a-f-]{36}$/.test(id) || !existsSync(path)) throw new KestrelError(`examiner profile ${id}: no such profile on this workstation`, 'E_NO_PROFILE');
  return readProfile(path);
}

const sameName = (a: string, b: string): boolean => a.trim().normalize('NFC').toLowerCase() === b.trim().normalize('NFC').toLowerCase();

/**
 * The signing key a profile points to: the fingerprint given (a unique prefix will do), else the one
 * key made for an examiner of the same name, else none.
 */
function keyFor(name: string, fingerprint: string | null | undefined, keysDir?: string): string | null {
  const keys = listKeys(keysDir);
  if (fingerprint) {
    const wanted = fingerprint.toLowerCase();
    const found = keys.filter((k) => k.fingerprint.startsWith(wanted));
    if (found.length !== 1) throw new KestrelError(`${found.length === 0 ? 'no' : 'more than one'} examiner key with fingerprint ${wanted}`, 'E_NO_KEY');
    return found[0]!.fingerprint;
  }
  const named = keys.filter((k) => sameName(k.examiner, name));
  return named.length === 1 ? named[0]!.fingerprint : null;
}

export interface CreateProfileOptions {
  name: string;
  /** Null: no key even if one bears the name. Absent: the one key of that examiner, if any. */
  keyFingerprint?: string | null;
  wellbeing?: Partial<ProfileWellbeing>;
  dir?: string;
  keysDir?: string;
}

export function createProfile(opts: CreateProfileOptions): ExaminerProfile {
  const name = opts.name.trim().normalize('NFC');
  if (!name) throw new KestrelError('an examiner profile needs a name', 'E_USAGE');
  const existing = listProfiles(opts.dir).find((p) => sameName(p.name, name));
  if (existing) throw new KestrelError(`an examiner profile named ${existing.name} exists on this workstation; choose it instead`, 'E_PROFILE_EXISTS');
  const profile: ExaminerProfile = {
    format: PROFILE_FILE_FORMAT, version: 1, id: randomUUID(), name, createdAt: new Date().toISOString(), lastUsedAt: null,
    keyFingerprint: opts.keyFingerprint === null ? null : keyFor(name, opts.keyFingerprint, opts.keysDir),
    wellbeing: profileWellbeingSchema.parse({ ...DEFAULT_PROFILE_WELLBEING, ...opts.wellbeing }),
  };
  writeProfile(profilesDir(opts.dir), profile);
  return profile;
}

/** Marks the profile as the one working now, so it is offered first next time. */
export function useProfile(id: string, dir?: string): ExaminerProfile {
  const profile = { ...getProfile(id, dir), lastUsedAt: new Date().toISOString() };
  writeProfile(profilesDir(dir), profile);
  return profile;
}

export interface ProfileChange {
  wellbeing?: ProfileWellbeing;
  /** Null unlinks the key. */
  keyFingerprint?: string | null;
}

export function updateProfile(id: string, change: ProfileChange, dir?: string, keysDir?: string): ExaminerProfile {
  const before = getProfile(id, dir);
  const profile: ExaminerProfile = {
    ...before,
    ...(change.wellbeing ? { wellbeing: profileWellbeingSchema.parse(change.wellbeing) } : {}),
    ...(change.keyFingerprint !== undefined ? { keyFingerprint: change.keyFingerprint === null ? null : keyFor(before.name, change.keyFingerprint, keysDir) } : {}),
  };
  writeProfile(profilesDir(dir), profile);
  return profile;
}

/** The profile of this name, made when there is none yet (the `--examiner` start option). */
export function profileNamed(name: string, dir?: string, keysDir?: string): ExaminerProfile {
  const found = listProfiles(dir).find((p) => sameName(p.name, name));
  return found ?? createProfile({ name, ...(dir ? { dir } : {}), ...(keysDir ? { keysDir } : {}) });
}
