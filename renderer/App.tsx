import { useCallback, useEffect, useLayoutEffect, useMemo, useState } from 'react';
import type { AppInfo, KestrelBridge, Settings } from '../electron/api/index.js';
import { SessionContext, type Session } from './session.js';
import { CaseScreen } from './screens/CaseScreen.js';
import { ExhibitsScreen } from './screens/ExhibitsScreen.js';
import { CatalogueScreen } from './screens/CatalogueScreen.js';
import { GroupsScreen } from './screens/GroupsScreen.js';
import { HashListsScreen } from './screens/HashListsScreen.js';
import { AuditScreen } from './screens/AuditScreen.js';
import { SettingsScreen } from './screens/SettingsScreen.js';
import { ExportScreen } from './screens/ExportScreen.js';
import { SerialityScreen } from './screens/SerialityScreen.js';
import { ProfileScreen } from './screens/ProfileScreen.js';

const SCREENS = [
  { id: 'case', label: 'Case' },
  { id: 'exhibits', label: 'Exhibits & intake' },
  { id: 'catalogue', label: 'Catalogue' },
  { id: 'groups', label: 'Near-duplicates' },
  { id: 'hashlists', label: 'Hash lists' },
  { id: 'seriality', label: 'Seriality' },
  { id: 'audit', label: 'Audit trail' },
  { id: 'export', label: 'Export' },
  { id: 'settings', label: 'Settings' },
] as const;
type ScreenId = (typeof SCREENS)[number]['id'];

export function App({ bridge }: { bridge: KestrelBridge }) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [screen, setScreen] = useState<ScreenId | null>(null);
  const [status, setStatus] = useState<{ message: string; kind: 'info' | 'error' } | null>(null);
  const [switching, setSwitching] = useState(false);

  const report = useCallback((message: string, kind: 'info' | 'error' = 'info') => setStatus({ message, kind }), []);

  const refresh = useCallback(async () => {
    // Asked together: one round trip fewer before the first screen. Without a case the settings
    // call fails by design and its answer is not used.
    const [r, s] = await Promise.all([bridge.api.appInfo({}), bridge.api.getSettings({})]);
    if (!r.ok) return report(r.error, 'error');
    if (r.value.case && !s.ok) report(s.error, 'error');
    setInfo(r.value);
    setSettings(r.value.case && s.ok ? s.value : null);
  }, [bridge, report]);

  // A layout effect runs before the browser paints the first frame, a plain effect only after it:
  // the request is on its way while that frame is drawn instead of after.
  useLayoutEffect(() => { void refresh(); }, [refresh]);

  useEffect(() => {
    if (status?.kind !== 'info') return;
    const t = setTimeout(() => setStatus(null), 4000);
    return () => clearTimeout(t);
  }, [status]);

  const session = useMemo<Session | null>(
    () => (info ? { bridge, info, settings, refresh, report } : null),
    [bridge, info, settings, refresh, report],
  );

  if (!session || !info) return <div className="loading">Starting Kestrel…</div>;
  // Nothing is recorded before the app knows who is working.
  if (!info.profile || switching) {
    return (
      <SessionContext.Provider value={session}>
        <main className="main main-alone"><ProfileScreen onChosen={() => setSwitching(false)} {...(info.profile ? { onCancel: () => setSwitching(false) } : {})} /></main>
        {status && <div className={`status status-${status.kind}`} role={status.kind === 'error' ? 'alert' : 'status'}><span>{status.message}</span></div>}
      </SessionContext.Provider>
    );
  }
  const hasCase = info.case !== null;
  // A case already open at start goes straight to review; without one, only the case screen makes sense.
  const current: ScreenId = hasCase ? screen ?? 'catalogue' : 'case';

  return (
    <SessionContext.Provider value={session}>
      <div className="app">
        <nav className="nav" aria-label="Screens">
          <div className="brand">Kestrel</div>
          {info.case && (
            <div className="nav-case" title={info.case.dir}>
              <div className="nav-case-number">{info.case.caseNumber}</div>
            </div>
          )}
          <div className="nav-examiner">
            <div className="small" data-examiner>{info.profile.name}</div>
            <button type="button" className="link small" name="switchExaminer" onClick={() => setSwitching(true)}>Switch examiner</button>
          </div>
          {SCREENS.map((s) => (
            <button
              key={s.id}
              type="button"
              className={`nav-item${current === s.id ? ' active' : ''}`}
              disabled={!hasCase && s.id !== 'case'}
              onClick={() => setScreen(s.id)}
              data-screen={s.id}
            >
              {s.label}
            </button>
          ))}
          <div className="nav-foot muted small">v{info.version}</div>
        </nav>
        <main className="main">
          {current === 'case' && <CaseScreen onOpened={() => setScreen('catalogue')} />}
          {current === 'exhibits' && <ExhibitsScreen />}
          {current === 'catalogue' && <CatalogueScreen />}
          {current === 'groups' && <GroupsScreen />}
          {current === 'hashlists' && <HashListsScreen />}
          {current === 'seriality' && <SerialityScreen />}
          {current === 'audit' && <AuditScreen />}
          {current === 'export' && <ExportScreen />}
          {current === 'settings' && <SettingsScreen />}
        </main>
        {status && (
          <div className={`status status-${status.kind}`} role={status.kind === 'error' ? 'alert' : 'status'}>
            <span>{status.message}</span>
            <button type="button" className="link" onClick={() => setStatus(null)}>Dismiss</button>
          </div>
        )}
      </div>
    </SessionContext.Provider>
  );
}
