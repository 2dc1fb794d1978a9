import { useCallback, useRef, useState } from 'react';

/**
 * The examiner's review actions (decisions, undo, redo), applied one after another in the order
 * the keys were pressed. Each action names its items when it is queued, so what it changes never
 * depends on what the grid shows by the time the action reaches the engine; and a key pressed
 * while an earlier action is on its way waits behind it instead of racing it (two requests in
 * flight may be answered in either order).
 *
 * `onDrained` runs once the queue is empty again: that is when the grid is reloaded, not after
 * every key, so a burst of keys is not answered by a burst of reloads under the examiner's hands.
 */
export function useActionQueue(onDrained: () => void | Promise<void>, onError: (err: unknown) => void) {
  const queue = useRef<(() => Promise<void>)[]>([]);
  const running = useRef(false);
  const [pending, setPending] = useState(0);
  const drained = useRef(onDrained);
  drained.current = onDrained;
  const failed = useRef(onError);
  failed.current = onError;

  const drain = useCallback(async () => {
    running.current = true;
    for (let next = queue.current.shift(); next; next = queue.current.shift()) {
      try {
        await next();
      } catch (err) {
        failed.current(err);
      }
      setPending(queue.current.length);
    }
    running.current = false;
    // Not awaited: a key pressed while the grid reloads goes straight to the engine.
    void Promise.resolve(drained.current()).catch((err: unknown) => failed.current(err));
  }, []);

  const enqueue = useCallback((action: () => Promise<void>) => {
    queue.current.push(action);
    setPending(queue.current.length);
    if (!running.current) void drain();
  }, [drain]);

  return { enqueue, pending };
}
