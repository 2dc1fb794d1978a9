import pg from 'pg';
import { KestrelError, describeError } from '../../util/result.js';

/**
 * The connection string as it may be printed or logged: the password (and a client key's
 * passphrase) replaced. TLS and client certificates ride in the string as libpq spells them
 * (sslmode, sslrootcert, sslcert, sslkey), which node-postgres reads.
 */
export function redactConnection(spec: string): string {
  try {
    const u = new URL(spec);
    if (u.password) u.password = '***';
    for (const key of ['password', 'sslpassword']) if (u.searchParams.has(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return 'postgres://(unreadable connection string)';
  }
}

/** Removes every secret of the connection string from a message (a driver may echo parts of it). */
export function scrub(message: string, spec: string): string {
  const secrets: string[] = [];
  try {
    const u = new URL(spec);
    if (u.password) secrets.push(u.password, decodeURIComponent(u.password));
    for (const key of ['password', 'sslpassword']) { const v = u.searchParams.get(key); if (v) secrets.push(v); }
  } catch { /* an unreadable string has no secret we can name; the message is kept */ }
  let out = message;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

export async function connect(spec: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: spec, application_name: 'kestrel' });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new KestrelError(`${redactConnection(spec)}: cannot connect to the lab library: ${scrub(describeError(err), spec)}`, 'E_LIBRARY');
  }
  // A dropped connection surfaces on the next query; without a listener it would crash the process.
  client.on('error', () => undefined);
  return client;
}
