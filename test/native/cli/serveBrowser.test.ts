import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { browserArgs } from '../../../native/cli/commands/serve.js';
import { CHROMIUM } from '../../e2e/helpers.js';

/** The arguments `kestrel serve` starts Chromium with, in Debian's Chromium: only 127.0.0.1 is reachable. */
describe('browser-mode Chromium is kept off the network', () => {
  let server: Server;
  let port: number;
  let browser: Browser;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('local page'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
    // Playwright owns --user-data-dir and the window; the network arguments are what is checked here.
    const args = browserArgs(`http://127.0.0.1:${port}/`, '/unused').filter((a) => !a.startsWith('--app=') && !a.startsWith('--user-data-dir='));
    browser = await chromium.launch({ executablePath: CHROMIUM, args });
  });
  afterAll(async () => {
    await browser.close();
    server.close();
  });

  it('reaches 127.0.0.1 and the *.localhost names Chromium maps to loopback (the bridge serves under one), but no other host name, not even localhost on the same port', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    expect(await page.textContent('body')).toBe('local page');
    await page.goto(`http://k-0123456789abcdef0123.localhost:${port}/`);
    expect(await page.textContent('body')).toBe('local page');
    await expect(page.goto(`http://localhost:${port}/`)).rejects.toThrow(/ERR_NAME_NOT_RESOLVED|ERR_PROXY_CONNECTION_FAILED|ERR_/);
    await expect(page.goto('http://example.com/')).rejects.toThrow(/ERR_/);
  });
});
