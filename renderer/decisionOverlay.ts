import { useCallback, useRef, useState } from 'react';

interface Shown {
  category: string;
  /** Order of showing, so a reload clears only what was decided before it was asked for. */
  seq: number;
  /** The engine has recorded it (the grid's rows may not show it yet). */
  applied: boolean;
}

/**
 * The categories the examiner has just given, shown on the tiles from the key press on, until the
 * grid's reloaded rows carry them. A tile whose decision is still on its way to the engine is
 * marked pending.
 */
export function useDecisionOverlay() {
  const shown = useRef(new Map<number, Shown>());
  const seq = useRef(0);
  const [, setVersion] = useState(0);
  const changed = useCallback(() => setVersion((v) => v + 1), []);

  return {
    show: (ids: readonly number[], category: string) => {
      seq.current += 1;
      for (const id of ids) shown.current.set(id, { category, seq: seq.current, applied: false });
      changed();
    },
    applied: (ids: readonly number[]) => {
      for (const id of ids) { const s = shown.current.get(id); if (s) s.applied = true; }
      changed();
    },
    forget: (ids: readonly number[]) => {
      for (const id of ids) shown.current.delete(id);
      changed();
    },
    /** A mark to pass to clearUpTo once rows asked for after it have arrived. */
    mark: (): number => seq.current,
    clearUpTo: (mark: number) => {
      for (const [id, s] of shown.current) if (s.applied && s.seq <= mark) shown.current.delete(id);
      changed();
    },
    category: (id: number, fromRows: string | null): { category: string | null; pending: boolean } => {
      const s = shown.current.get(id);
      return s ? { category: s.category, pending: !s.applied } : { category: fromRows, pending: false };
    },
  };
}
