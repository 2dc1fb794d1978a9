import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ProfileList } from '../../electron/api/index.js';
import { useSession, valueOr } from '../session.js';

/** The key choice of the new-profile form: the key made for this name, none, or a fingerprint. */
const AUTOMATIC = 'auto';
const NO_KEY = 'none';

/**
 * Who is working: asked at start and whenever the examiner switches. Profiles live on this
 * workstation, not in the case; the one used last is offered first (Enter takes it). Up and Down
 * move between profiles.
 */
export function ProfileScreen({ onChosen, onCancel }: { onChosen(): void; onCancel?: () => void }) {
  const { bridge, info, refresh, report } = useSession();
  const [list, setList] = useState<ProfileList | null>(null);
  const [name, setName] = useState('');
  const [key, setKey] = useState(AUTOMATIC);
  const [busy, setBusy] = useState(false);
  const choices = useRef<HTMLDivElement>(null);

  useEffect(() => {
    void bridge.api.listProfiles({}).then((r) => setList(valueOr(r, report)));
  }, [bridge, report]);

  useEffect(() => {
    if (!list) return;
    const first = choices.current?.querySelector<HTMLButtonElement>('button');
    if (first) first.focus();
    else document.querySelector<HTMLInputElement>('input[name="profileName"]')?.focus();
  }, [list]);

  const done = async (ok: boolean) => {
    setBusy(false);
    if (!ok) return;
    await refresh();
    onChosen();
  };
  const choose = async (profileId: string) => {
    setBusy(true);
    await done(valueOr(await bridge.api.chooseProfile({ profileId }), report) !== null);
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const keyFingerprint = key === AUTOMATIC ? {} : { keyFingerprint: key === NO_KEY ? null : key };
    await done(valueOr(await bridge.api.createProfile({ name, ...keyFingerprint }), report) !== null);
  };
  const move = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const buttons = [...(choices.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[Math.max(0, Math.min(buttons.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))];
    next?.focus();
    e.preventDefault();
  };
  const keyOf = (fingerprint: string | null) => (fingerprint ? list?.keys.find((k) => k.fingerprint === fingerprint) : undefined);

  return (
    <div className="screen screen-narrow profile-screen">
      <h1>Who is working?</h1>
      <p className="muted">Every decision, note and export is recorded under the examiner chosen here. Profiles are kept on this workstation, not in the case, with their wellbeing settings and signing key.</p>
      {list && list.profiles.length > 0 && (
        <section className="panel" aria-label="Examiner profiles">
          <h2>Examiners on this workstation</h2>
          <div className="profile-list" ref={choices} onKeyDown={move}>
            {list.profiles.map((p) => (
              <button key={p.id} type="button" className="profile-choice" data-profile={p.name} disabled={busy} onClick={() => void choose(p.id)}>
                <span className="profile-name">{p.name}</span>
                <span className="muted small">
                  {p.lastUsedAt ? `last worked ${p.lastUsedAt.slice(0, 16).replace('T', ' ')}` : 'not used yet'}
                  {' · '}
                  {p.keyFingerprint ? `signing key ${p.keyFingerprint.slice(0, 16)}…${keyOf(p.keyFingerprint) ? '' : ' (not on this workstation)'}` : 'no signing key'}
                </span>
              </button>
            ))}
          </div>
        </section>
      )}
      <section className="panel" aria-label="New examiner profile">
        <h2>New examiner</h2>
        <form className="form" onSubmit={create}>
          <label>Name as it should appear in the audit log and reports
            <input name="profileName" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          </label>
          <label>Signing key
            <select name="profileKey" value={key} onChange={(e) => setKey(e.target.value)}>
              <option value={AUTOMATIC}>The key made for this name, if there is one</option>
              <option value={NO_KEY}>No signing key</option>
              {list?.keys.map((k) => <option key={k.fingerprint} value={k.fingerprint}>{k.examiner} · {k.fingerprint.slice(0, 16)}…</option>)}
            </select>
          </label>
          {list && list.keys.length === 0 && <p className="muted small">No signing keys on this workstation; make one with <code>kestrel key create --examiner NAME</code>.</p>}
          <div className="form-actions">
            <button type="submit" className="primary" disabled={busy}>Create and start working</button>
            {onCancel && info.profile && <button type="button" onClick={onCancel}>Keep working as {info.profile.name}</button>}
          </div>
        </form>
      </section>
    </div>
  );
}
