/** Errors the user caused or can fix: the CLI prints the message alone, with no stack. */
export class KestrelError extends Error {
  constructor(message: string, readonly code: string = 'E_KESTREL') {
    super(message);
    this.name = 'KestrelError';
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
