import { createContext, useContext } from 'react';
import type { AppInfo, KestrelBridge, Result, Settings, Wellbeing } from '../electron/api/index.js';

export interface Session {
  bridge: KestrelBridge;
  info: AppInfo;
  settings: Settings | null;
  /** Re-reads the case summary and settings after something changed them. */
  refresh(): Promise<void>;
  /** Shows a message in the status bar; errors stay until dismissed. */
  report(message: string, kind?: 'info' | 'error'): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionContext');
  return s;
}

/** Veiled as strongly as the defaults until a profile says otherwise. */
const DEFAULT_WELLBEING: Wellbeing = { blur: true, greyscale: true, blurRadius: 24, autoplayVideo: false };

/** The working examiner's wellbeing settings: they follow the examiner's profile, not the case. */
export function useWellbeing(): Wellbeing {
  return useSession().info.profile?.wellbeing ?? DEFAULT_WELLBEING;
}

/** The value of a Result, or reports its error and returns null. */
export function valueOr<T>(result: Result<T>, report: Session['report']): T | null {
  if (result.ok) return result.value;
  report(result.error, 'error');
  return null;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-GB');
}
