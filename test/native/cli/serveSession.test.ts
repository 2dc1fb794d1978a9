import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { KESTREL_BIN, tempDir } from '../../helpers/cli.js';
import { CHROMIUM, profilesBeside } from '../../e2e/helpers.js';
import { resolveLocalhostNames } from '../../helpers/localhostNames.js';

resolveLocalhostNames();

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Every process's command line on this machine, as any user can read them (ps, /proc/PID/cmdline). */
function allCommandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' '));
    } catch {
      // gone meanwhile
    }
  }
  return lines;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The real `kestrel serve` starting the real Debian Chromium (headless here, through KESTREL_BROWSER,
 * with a DevTools port so the test can look inside): no secret appears in any command line, the
 * browser still reaches the app and holds the session as an HttpOnly, SameSite=Strict cookie.
 */
describe('kestrel serve hands the session to Chromium without a secret on its command line', () => {
  let work: string;
  let serve: ChildProcess;
  let printed: URL;
  let devtools: number;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    work = tempDir('serve-session');
    devtools = await freePort();
    const wrapper = join(work, 'chromium-headless');
    writeFileSync(wrapper, `#!/bin/sh\nexec ${CHROMIUM} --headless=new --no-sandbox --disable-gpu --remote-debugging-port=${devtools} "$@"\n`);
    chmodSync(wrapper, 0o755);
    serve = spawn(process.execPath, [KESTREL_BIN, 'serve', join(work, 'case'), '--library', join(work, 'library'), '--examiner', 'Examiner Session'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KESTREL_BROWSER: wrapper, KESTREL_PROFILES: profilesBeside(join(work, 'library')) },
    });
    let out = '';
    serve.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    printed = new URL(await until('the printed URL', async () => (out.includes('\n') ? out.slice(0, out.indexOf('\n')) : undefined)));
    await until('Chromium DevTools', async () => ((await fetch(`http://127.0.0.1:${devtools}/json/version`)).ok ? true : undefined));
    browser = await chromium.connectOverCDP(`http://127.0.0.1:${devtools}`);
    page = await until('the app page', async () => browser.contexts().flatMap((c) => c.pages()).find((p) => p.url() === `${printed.origin}/`));
    await page.waitForSelector('input[name="dir"]', { timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (serve && serve.exitCode === null) {
      serve.kill('SIGTERM');
      await new Promise((r) => serve.once('exit', r));
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('the app works in Chromium on a session cookie that page scripts cannot read', async () => {
    expect(await page.inputValue('input[name="dir"]')).toBe(join(work, 'case'));
    const cookies = await page.context().cookies(printed.origin);
    const session = cookies.find((c) => c.name === `kestrel-${printed.port}`)!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(session.value).toMatch(/^[\w-]{43}$/);
    // Scoped to the session's own random host name, so no other local service the browser visits gets it.
    expect(printed.hostname).toMatch(/^k-[0-9a-f]{20}\.localhost$/);
    expect(session.domain).toBe(printed.hostname);
    for (const other of [`http://127.0.0.1:${printed.port}`, `http://127.0.0.1:${Number(printed.port) + 1}`, `http://localhost:${printed.port}`]) {
      expect((await page.context().cookies(other)).map((c) => c.name), other).toEqual([]);
    }
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect((await fetch(`${printed.origin}/`, { headers: { Cookie: `${session.name}=${session.value}` } })).status).toBe(200);
  });

  it('no command line on the machine holds the cookie, a one-time code or the app URL', async () => {
    const cookie = (await page.context().cookies(printed.origin)).find((c) => c.name === `kestrel-${printed.port}`)!.value;
    const printedCode = printed.pathname.slice('/open/'.length);
    const lines = allCommandLines();
    const chromiumLines = lines.filter((l) => l.includes(`--remote-debugging-port=${devtools}`));
    expect(chromiumLines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toContain(cookie);
      expect(line).not.toContain(printedCode);
      expect(line).not.toContain('/open/');
      expect(line).not.toContain(printed.hostname);
      expect(line).not.toContain(`127.0.0.1:${printed.port}`);
    }
    // What Chromium was given: a launcher page only its user can read, whose code is spent now.
    const app = chromiumLines.join(' ').match(/--app=(file:\/\/\S+)/)![1]!;
    const launcher = fileURLToPath(app);
    expect(statSync(launcher).mode & 0o777).toBe(0o600);
    expect(statSync(join(launcher, '..')).mode & 0o777).toBe(0o700);
    const code = readFileSync(launcher, 'utf8').match(/\/open\/([\w-]{43})/)![1]!;
    expect(code).not.toBe(printedCode);
    expect((await fetch(`${printed.origin}/open/${code}`, { redirect: 'manual' })).status).toBe(403);
  });

  it('requests without the cookie are refused; the printed URL opens a session once', async () => {
    expect((await fetch(`${printed.origin}/`)).status).toBe(403);
    expect((await fetch(`${printed.origin}/api/appInfo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(403);
    const first = await fetch(printed, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect((await fetch(printed, { redirect: 'manual' })).status).toBe(403);
  });

  it('ends Chromium and removes its profile when stopped', async () => {
    const app = allCommandLines().join(' ').match(/--app=(file:\/\/\S+)/)![1]!;
    const profile = join(fileURLToPath(app), '..');
    await browser.close();
    serve.kill('SIGTERM');
    expect(await new Promise((r) => serve.once('exit', r))).toBe(0);
    expect(existsSync(profile)).toBe(false);
    expect(allCommandLines().filter((l) => l.includes(`--remote-debugging-port=${devtools}`))).toEqual([]);
  });
});
