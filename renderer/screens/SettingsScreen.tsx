import { useState } from 'react';
import type { Request, SchemeChangeImpact, SchemeId } from '../../electron/api/index.js';
import { useSession, valueOr } from '../session.js';
import { SCHEME_CHOICES } from '../categories.js';

export function SettingsScreen() {
  const { bridge, settings, report, refresh } = useSession();
  const [saving, setSaving] = useState(false);
  const [radius, setRadius] = useState<number | null>(null);
  // A scheme change that leaves decisions in their old scheme waits here for the examiner's yes.
  const [pending, setPending] = useState<SchemeChangeImpact | null>(null);
  if (!settings) return <div className="screen"><h1>Settings</h1><p className="muted">Loading…</p></div>;
  const w = settings.wellbeing;

  const save = async (patch: Request<'setSettings'>) => {
    setSaving(true);
    const r = valueOr(await bridge.api.setSettings(patch), report);
    setSaving(false);
    if (r) { report('Settings saved to the case'); await refresh(); }
  };
  const chooseScheme = async (scheme: SchemeId) => {
    const impact = valueOr(await bridge.api.schemeChangeImpact({ scheme }), report);
    if (!impact) return;
    if (impact.stay === 0) await save({ categoryScheme: scheme });
    else setPending(impact);
  };
  const confirmScheme = async () => {
    if (!pending) return;
    await save({ categoryScheme: pending.to, confirmDecisionsInOtherSchemes: pending.stay });
    setPending(null);
  };
  // Saved when the examiner lets go, not at every step of the drag: each save is an audit entry.
  const saveRadius = () => { if (radius !== null) void save({ wellbeing: { ...w, blurRadius: radius } }).then(() => setRadius(null)); };

  return (
    <div className="screen screen-narrow">
      <h1>Settings</h1>
      <section className="panel" aria-label="Wellbeing">
        <h2>Examiner wellbeing</h2>
        <p className="muted small">Previews are veiled until you reveal one (R, or the Reveal button). These settings are kept with the case.</p>
        <label className="check">
          <input type="checkbox" name="blur" checked={w.blur} disabled={saving} onChange={(e) => void save({ wellbeing: { ...w, blur: e.target.checked } })} />
          Blur previews
        </label>
        <label className="check">
          <input type="checkbox" name="greyscale" checked={w.greyscale} disabled={saving} onChange={(e) => void save({ wellbeing: { ...w, greyscale: e.target.checked } })} />
          Show previews in greyscale
        </label>
        <label className="range">Blur strength: {radius ?? w.blurRadius}px
          <input type="range" name="blurRadius" min={2} max={60} value={radius ?? w.blurRadius} disabled={saving}
            onChange={(e) => setRadius(Number(e.target.value))} onPointerUp={saveRadius} onKeyUp={saveRadius} />
        </label>
      </section>
      <section className="panel" aria-label="Category scheme">
        <h2>Category scheme</h2>
        <p className="muted small">Decisions keep the scheme they were made in; changing the scheme does not convert them.</p>
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
    </div>
  );
}
