import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The shared reference images, beside the repository (never copied into it). */
export const REFERENCE = resolve(ROOT, '..', 'shared', 'reference');
export const SCREENSHOTS = join(ROOT, 'artifacts', 'screenshots');
export const CHROMIUM = process.env['KESTREL_CHROMIUM'] ?? '/usr/bin/chromium';

/** Headless Debian Chromium with everything that could reach a network switched off. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

/** A page at the size examiners' screens have, collecting every script error, console error and failed request into `errors`. */
export async function openPage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  return page;
}

export interface Served {
  url: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

/**
 * Runs the real `kestrel serve --no-open` and waits for the URL it prints on its first line. The
 * examiner profiles live beside the library (never in the user's own folder); `examiner` starts the
 * session as that profile, null leaves the UI to ask who is working.
 */
export function serve(caseDir: string, libraryDir: string, examiner: string | null = 'Examiner E2E'): Promise<Served> {
  const args = [join(ROOT, 'bin', 'kestrel.js'), 'serve', caseDir, '--library', libraryDir, '--no-open', ...(examiner === null ? [] : ['--examiner', examiner])];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KESTREL_PROFILES: profilesBeside(libraryDir) },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout!.off('data', onData);
      resolvePromise({
        url: out.slice(0, nl).trim(),
        child,
        stop: () => new Promise((done) => {
          if (child.exitCode !== null) return done(child.exitCode);
          child.once('exit', (code) => done(code));
          child.kill('SIGTERM');
        }),
      });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`kestrel serve exited ${code}: ${stderr}`)));
  });
}

export const profilesBeside = (libraryDir: string): string => join(dirname(libraryDir), 'examiner-profiles');

/** A real `kestrel serve` on a new case folder and a Chromium page on it; `close` ends both and removes the folder. */
export interface UiSession {
  work: string;
  caseDir: string;
  served: Served;
  browser: Browser;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

export async function startUiSession(prefix: string, examiner: string | null = 'Examiner E2E'): Promise<UiSession> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM}: Chromium not found; install Debian's chromium or set KESTREL_CHROMIUM`);
  const work = mkdtempSync(join(tmpdir(), prefix));
  const caseDir = join(work, 'case');
  const served = await serve(caseDir, join(work, 'library'), examiner);
  const browser = await launchChromium();
  const errors: string[] = [];
  const page = await openPage(browser, errors);
  return {
    work, caseDir, served, browser, page, errors,
    async close() {
      await browser.close();
      await served.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
