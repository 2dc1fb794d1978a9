import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKey } from '../../../native/examiners/keys.js';
import {
  createProfile, getProfile, listProfiles, profileNamed, updateProfile, useProfile, DEFAULT_PROFILE_WELLBEING,
} from '../../../native/examiners/profiles.js';

describe('examiner profiles', () => {
  let work: string;
  let dir: string;
  let keys: string;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'kestrel-profiles-'));
    dir = join(work, 'profiles');
    keys = join(work, 'keys');
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('keeps each profile in its own private file, and offers the one used last first', () => {
    const a = createProfile({ name: 'DC Jane Roe', dir, keysDir: keys });
    const b = createProfile({ name: 'PC Ann Smith', dir, keysDir: keys });
    expect(readdirSync(dir).sort()).toEqual([`${a.id}.profile.json`, `${b.id}.profile.json`].sort());
    expect(statSync(join(dir, `${a.id}.profile.json`)).mode & 0o777).toBe(0o600);
    expect(a.wellbeing).toEqual(DEFAULT_PROFILE_WELLBEING);
    // Never used: by name.
    expect(listProfiles(dir).map((p) => p.name)).toEqual(['DC Jane Roe', 'PC Ann Smith']);
    useProfile(b.id, dir);
    expect(listProfiles(dir).map((p) => p.name)).toEqual(['PC Ann Smith', 'DC Jane Roe']);
    useProfile(a.id, dir);
    expect(listProfiles(dir)[0]!.name).toBe('DC Jane Roe');
    expect(getProfile(a.id, dir).lastUsedAt).not.toBeNull();
  });

  it('refuses a second profile of the same name (case and spacing aside) and an unknown id', () => {
    createProfile({ name: 'DC Jane Roe', dir, keysDir: keys });
    expect(() => createProfile({ name: '  dc jane roe ', dir, keysDir: keys })).toThrow(/an examiner profile named DC Jane Roe exists/);
    expect(() => getProfile('00000000-0000-4000-8000-000000000000', dir)).toThrow(/no such profile/);
    expect(() => getProfile('../../etc/passwd', dir)).toThrow(/no such profile/);
    expect(profileNamed('DC JANE ROE', dir, keys).name).toBe('DC Jane Roe');
    expect(listProfiles(dir)).toHaveLength(1);
    expect(profileNamed('PC New', dir, keys).name).toBe('PC New');
    expect(listProfiles(dir)).toHaveLength(2);
  });

  it('links the key made for the examiner of that name, a chosen key, or none', () => {
    const jane = createKey({ examiner: 'DC Jane Roe', passphrase: 'a long passphrase', dir: keys, scryptLogN: 14 });
    const other = createKey({ examiner: 'Someone Else', passphrase: 'a long passphrase', dir: keys, scryptLogN: 14 });
    expect(createProfile({ name: 'DC Jane Roe', dir, keysDir: keys }).keyFingerprint).toBe(jane.fingerprint);
    expect(createProfile({ name: 'PC No Key', dir, keysDir: keys }).keyFingerprint).toBeNull();
    expect(createProfile({ name: 'PC Chosen', keyFingerprint: other.fingerprint.slice(0, 12), dir, keysDir: keys }).keyFingerprint).toBe(other.fingerprint);
    expect(() => createProfile({ name: 'PC Wrong', keyFingerprint: 'ffffffffffff', dir, keysDir: keys })).toThrow(/no examiner key with fingerprint ffffffffffff/);
    expect(listProfiles(dir).map((p) => p.name)).not.toContain('PC Wrong');
    const unlinked = createProfile({ name: 'Someone Else', keyFingerprint: null, dir, keysDir: keys });
    expect(unlinked.keyFingerprint).toBeNull();
    expect(updateProfile(unlinked.id, { keyFingerprint: other.fingerprint }, dir, keys).keyFingerprint).toBe(other.fingerprint);
    expect(getProfile(unlinked.id, dir).keyFingerprint).toBe(other.fingerprint);
  });

  it('stores wellbeing in the profile, validated', () => {
    const p = createProfile({ name: 'DC Jane Roe', dir, keysDir: keys });
    updateProfile(p.id, { wellbeing: { blur: false, greyscale: true, blurRadius: 9, autoplayVideo: false } }, dir);
    expect(getProfile(p.id, dir).wellbeing).toEqual({ blur: false, greyscale: true, blurRadius: 9, autoplayVideo: false });
    expect(() => updateProfile(p.id, { wellbeing: { blur: false, greyscale: true, blurRadius: 500, autoplayVideo: false } }, dir)).toThrow();
    expect(getProfile(p.id, dir).wellbeing.blurRadius).toBe(9);
  });

  it('names the file when a profile on disk is damaged', () => {
    const p = createProfile({ name: 'DC Jane Roe', dir, keysDir: keys });
    const file = join(dir, `${p.id}.profile.json`);
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...json, wellbeing: { blur: 'no' } }));
    expect(() => listProfiles(dir)).toThrow(new RegExp(`${file}: not a Kestrel examiner profile: wellbeing`));
    writeFileSync(file, '{');
    expect(() => listProfiles(dir)).toThrow(new RegExp(`${file}: not a readable examiner profile`));
  });
});
