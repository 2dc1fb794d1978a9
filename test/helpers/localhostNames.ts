import dns from 'node:dns';

const systemLookup = dns.lookup;

/**
 * Resolves every *.localhost name to 127.0.0.1 in this test process, as browsers do without asking
 * DNS (RFC 6761), so that fetch() reaches the bridge under its k-<random>.localhost name; Node asks
 * the system resolver, which knows `localhost` alone. Other names go to the system as before.
 */
export function resolveLocalhostNames(): void {
  if (dns.lookup !== systemLookup) return;
  const lookup = (hostname: string, options: unknown, callback?: unknown): void => {
    const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean };
    if (/\.localhost\.?$/i.test(hostname)) {
      if (opts.all) process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
      else process.nextTick(cb, null, '127.0.0.1', 4);
      return;
    }
    (systemLookup as (...args: unknown[]) => void)(hostname, ...(typeof options === 'function' ? [options] : [options, callback]));
  };
  dns.lookup = lookup as typeof dns.lookup;
}
