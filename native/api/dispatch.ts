import { z } from 'zod';
import { isChannel } from './channels.js';
import { requestSchemas } from './schemas.js';
import type { Handlers } from './service.js';
import type { Result } from '../util/result.js';
import { KestrelError, describeError } from '../util/result.js';

/**
 * The one entry point both transports call: checks the channel name, parses the argument with its
 * schema, runs the handler and turns every outcome into a Result. A user error keeps its one-line
 * message; anything else is a bug, reported as such and logged with its stack.
 */
export async function dispatch(handlers: Handlers, channel: string, argument: unknown): Promise<Result<unknown>> {
  if (!isChannel(channel)) return { ok: false, error: `unknown call ${JSON.stringify(channel)}` };
  const parsed = requestSchemas[channel].safeParse(argument);
  if (!parsed.success) return { ok: false, error: `${channel}: invalid argument: ${describeIssues(parsed.error)}` };
  try {
    const handler = handlers[channel] as (request: unknown) => unknown;
    return { ok: true, value: await handler(parsed.data) };
  } catch (err) {
    if (err instanceof KestrelError) return { ok: false, error: err.message };
    process.stderr.write(`kestrel: internal error in ${channel}: ${err instanceof Error ? err.stack : String(err)}\n`);
    return { ok: false, error: `internal error in ${channel}: ${describeError(err)}` };
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'argument'}: ${i.message}`)
    .join('; ');
}
