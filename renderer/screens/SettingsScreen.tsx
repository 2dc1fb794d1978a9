import { useEffect, useState } from 'react';
import type { ProfileList, Request, SchemeChangeImpact, SchemeId, Wellbeing } from '../../electron/api/index.js';
import { useSession, useWellbeing, valueOr } from '../session.js';
import { SCHEME_CHOICES } from '../categories.js';

export function SettingsScreen() {
  const { bridge, info, settings, report, refresh } = useSession();
  const w = useWellbeing();
  const [saving, setSaving] = useState(false);
  const [radius, setRadius] = useState<number | null>(null);
  const [keys, setKeys] = useState<ProfileList['keys'] | null>(null);
  // A scheme change that leaves decisions in their old scheme waits here for the examiner's yes.
  const [pending, setPending] = useState<SchemeChangeImpact | null>(null);

  useEffect(() => {
    void bridge.api.listProfiles({}).then((r) => setKeys(valueOr(r, report)?.keys ?? null));
  }, [bridge, report]);

  const saveProfile = async (patch: Request<'updateProfile'>) => {
    setSaving(true);
    const r = valueOr(await bridge.api.updateProfile(patch), report);
    setSaving(false);
    if (r) { report(`Saved to the profile of ${r.profile?.name ?? ''}`); await refresh(); }
  };
  const saveWellbeing = (change: Partial<Wellbeing>) => saveProfile({ wellbeing: { ...w, ...change } });
  const saveCase = async (patch: Request<'setSettings'>) => {
    setSaving(true);
    const r = valueOr(await bridge.api.setSettings(patch), report);
    setSaving(false);
    if (r) { report('Settings saved to the case'); await refresh(); }
  };
  const chooseScheme = async (scheme: SchemeId) => {
    const impact = valueOr(await bridge.api.schemeChangeImpact({ scheme }), report);
    if (!impact) return;
    if (impact.stay === 0) await saveCase({ categoryScheme: scheme });
    else setPending(impact);
  };
  const confirmScheme = async () => {
    if (!pending) return;
    await saveCase({ categoryScheme: pending.to, confirmDecisionsInOtherSchemes: pending.stay });
    setPending(null);
  };
  // Saved when the examiner lets go, not at every step of the drag.
  const saveRadius = () => { if (radius !== null) void saveWellbeing({ blurRadius: radius }).then(() => setRadius(null)); };
  const profile = info.profile;

  return (
    <div className="screen screen-narrow">
      <h1>Settings</h1>
      <section className="panel" aria-label="Wellbeing">
        <h2>Examiner wellbeing</h2>
        <p className="muted small">Previews are veiled until you reveal one (R, or the Reveal button). These settings belong to the profile of {profile?.name}, in every case.</p>
        <label className="check">
          <input type="checkbox" name="blur" checked={w.blur} disabled={saving} onChange={(e) => void saveWellbeing({ blur: e.target.checked })} />
          Blur previews
        </label>
        <label className="check">
          <input type="checkbox" name="greyscale" checked={w.greyscale} disabled={saving} onChange={(e) => void saveWellbeing({ greyscale: e.target.checked })} />
          Show previews in greyscale
        </label>
        <label className="range">Blur strength: {radius ?? w.blurRadius}px
          <input type="range" name="blurRadius" min={2} max={60} value={radius ?? w.blurRadius} disabled={saving}
            onChange={(e) => setRadius(Number(e.target.value))} onPointerUp={saveRadius} onKeyUp={saveRadius} />
        </label>
        <label className="check">
          <input type="checkbox" name="autoplayVideo" checked={w.autoplayVideo} disabled={saving} onChange={(e) => void saveWellbeing({ autoplayVideo: e.target.checked })} />
          Play videos as soon as they are shown (off: only when asked)
        </label>
      </section>
      <section className="panel" aria-label="Signing key">
        <h2>Signing key</h2>
        <p className="muted small">Audit log heads and case packages are signed with the key of the examiner working.</p>
        <select name="profileKey" value={profile?.keyFingerprint ?? ''} disabled={saving || !keys}
          onChange={(e) => void saveProfile({ keyFingerprint: e.target.value === '' ? null : e.target.value })}>
          <option value="">No signing key</option>
          {keys?.map((k) => <option key={k.fingerprint} value={k.fingerprint}>{k.examiner} · {k.fingerprint.slice(0, 16)}…</option>)}
        </select>
      </section>
      {settings && (
        <section className="panel" aria-label="Category scheme">
          <h2>Category scheme</h2>
          <p className="muted small">Kept with the case. Decisions keep the scheme they were made in; changing the scheme does not convert them.</p>
          <select name="categoryScheme" value={pending?.to ?? settings.categoryScheme} disabled={saving || pending !== null}
            onChange={(e) => void chooseScheme(e.target.value as SchemeId)}>
            {SCHEME_CHOICES.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
          {pending && (
            <div className="confirm" role="alertdialog" aria-label="Confirm the scheme change" data-testid="scheme-confirm">
              <p data-testid="scheme-confirm-text">
                <strong>{pending.stay} decision{pending.stay === 1 ? '' : 's'} will stay in {pending.stay === 1 ? 'its' : 'their'} old scheme</strong>{' '}
                ({pending.byScheme.map((r) => `${r.decisions} in ${r.scheme}`).join(', ')}). They are not converted: the grid shows them
                with their scheme, e.g. "1 ({pending.byScheme[0]?.scheme})", never as Uncategorised, and the Category filter
                "Decided in another scheme" lists them to decide again in {pending.to}.
              </p>
              <button type="button" className="primary" onClick={() => void confirmScheme()} disabled={saving}>Change to {pending.to}</button>
              <button type="button" onClick={() => setPending(null)}>Cancel</button>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
