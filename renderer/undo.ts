import { useRef } from 'react';

/**
 * The examiner's undo stack of categorisations, newest last. Undo brings back an earlier decision
 * as a new row; the server reports which row now stands for which, so older entries keep pointing
 * at decisions that are current.
 */
export function useUndoStack() {
  const stack = useRef<number[][]>([]);
  return {
    push(decisionIds: number[]) { stack.current.push(decisionIds); },
    peek(): number[] | undefined { return stack.current[stack.current.length - 1]; },
    /** Forgets the newest entry (its decisions were changed since, so it can no longer be undone). */
    drop() { stack.current.pop(); },
    popApplied(replacements: [number, number][]) {
      stack.current.pop();
      const map = new Map(replacements);
      stack.current = stack.current.map((ids) => ids.map((id) => map.get(id) ?? id));
    },
  };
}
