import { useCallback, useState, type SetStateAction } from 'react';

/**
 * State that outlives its screen: what an examiner set up on a screen (filters, sort, scroll
 * position, selection, a running intake) is there again when they come back to it. Kept for the
 * page's life in memory, never in storage: it may name evidence and nothing of a case is written
 * outside the case folder.
 */
const memory = new Map<string, unknown>();

/** useState whose value is remembered under `key` after the component unmounts (the setter keeps working then). */
export function useRemembered<T>(key: string, initial: T | (() => T)): [T, (next: SetStateAction<T>) => void] {
  const [value, setValue] = useState<T>(() => {
    if (memory.has(key)) return memory.get(key) as T;
    const v = typeof initial === 'function' ? (initial as () => T)() : initial;
    memory.set(key, v);
    return v;
  });
  const set = useCallback((next: SetStateAction<T>) => {
    const prev = memory.get(key) as T;
    const v = typeof next === 'function' ? (next as (p: T) => T)(prev) : next;
    memory.set(key, v);
    setValue(v);
  }, [key]);
  return [value, set];
}

/** Reads a remembered value without rendering with it (for a scroll position to restore once). */
export function recalled<T>(key: string): T | undefined {
  return memory.get(key) as T | undefined;
}

export function remember(key: string, value: unknown): void {
  memory.set(key, value);
}

/** Forgets everything remembered: another case is open. */
export function forgetAll(): void {
  memory.clear();
}
