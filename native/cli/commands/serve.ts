import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { libraryDir } from '../../hashsets/library.js';
import { KestrelError } from '../../util/result.js';

/** Where the built renderer lives relative to this file once compiled (dist/native/cli/commands). */
const RENDERER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'renderer');
const BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the review UI to a browser on 127.0.0.1 (browser mode) under a random k-….localhost name; prints a one-time URL first')
    .argument('<CASE_DIR>', 'the case to open; a folder without a case is offered for creating one')
    .option('--library <DIR>', 'hash library folder (default: $KESTREL_LIBRARY, else the per-user data folder)')
    .option('--examiner <NAME>', 'start as this examiner profile (made if there is none); otherwise the UI asks who is working')
    .option('--no-open', 'only serve; do not open Chromium')
    .action(async (dir: string, opts: { library?: string; examiner?: string; open: boolean }) => {
      if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
        throw new KestrelError(`${RENDERER_DIR}: the review UI is not built; run npm run build`, 'E_NOT_BUILT');
      }
      // Loaded here, not at the top: every other command starts without the service and bridge.
      const [{ createService }, { startBridge }] = await Promise.all([import('../../api/service.js'), import('../../server/bridge.js')]);
      const service = createService({ caseDir: dir, libraryDir: libraryDir(opts.library), ...(opts.examiner ? { examiner: opts.examiner } : {}) });
      const bridge = await startBridge({ service, staticDir: RENDERER_DIR });
      process.stdout.write(`${bridge.url}\n`);
      const browser = opts.open ? openBrowser(bridge.openUrl()) : null;
      await new Promise<void>((resolveStop) => {
        const stop = () => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await bridge.close();
      await service.close();
      await browser?.close();
    });
}

/**
 * Chromium's arguments: app mode, a profile of its own (the session shares nothing with the
 * examiner's browsing), and kept off the network: every proxied request goes to a closed port and
 * no host name resolves but loopback's (127.0.0.1 and the *.localhost names Chromium itself maps to
 * loopback, under one of which the bridge serves), none of them proxied.
 */
export function browserArgs(url: string, profile: string): string[] {
  return [
    `--app=${url}`, `--user-data-dir=${profile}`, '--no-first-run', '--disable-sync',
    '--disable-background-networking', '--disable-component-update', '--disable-default-apps',
    '--proxy-server=127.0.0.1:9', '--proxy-bypass-list=127.0.0.1;*.localhost', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE *.localhost',
    '--disable-domain-reliability', '--no-pings',
  ];
}

/**
 * Starts Chromium; close() ends it and removes its profile from the temporary folder. Chromium is
 * given a launcher page in its profile folder (mode 0700, the page 0600), not the one-time URL:
 * a command line is readable by every user of the machine (ps, /proc/PID/cmdline), and whoever
 * spent the code first would own the session. KESTREL_BROWSER names another Chromium build.
 */
function openBrowser(url: string): { close(): Promise<void> } | null {
  const configured = process.env['KESTREL_BROWSER'];
  const browser = configured ? (existsSync(configured) ? configured : undefined) : BROWSERS.find((b) => existsSync(b));
  if (!browser) {
    process.stderr.write(`kestrel serve: ${configured ?? 'no Chromium found'}${configured ? ': not found' : ''}; open the URL above in a browser on this machine\n`);
    return null;
  }
  const profile = mkdtempSync(join(tmpdir(), 'kestrel-browser-'));
  const launcher = join(profile, 'open.html');
  writeFileSync(launcher, `<!doctype html><meta http-equiv="refresh" content="0;url=${url}"><title>Kestrel</title>\n`, { mode: 0o600 });
  const child = spawn(browser, browserArgs(pathToFileURL(launcher).href, profile), { detached: true, stdio: 'ignore' });
  child.on('error', (err) => process.stderr.write(`kestrel serve: cannot start ${browser}: ${err.message}\n`));
  child.unref();
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, name);
    } catch {
      child.kill(name);
    }
  };
  return {
    // The profile is removed once Chromium has exited: it writes there while shutting down.
    async close() {
      signal('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolveLate) => { timer = setTimeout(() => resolveLate(true), 5000); });
      if (child.pid !== undefined && child.exitCode === null && await Promise.race([exited.then(() => false), late])) {
        signal('SIGKILL');
        await exited;
      }
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
