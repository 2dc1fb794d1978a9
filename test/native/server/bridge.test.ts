import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, type KestrelService } from '../../../native/api/service.js';
import { startBridge, type Bridge } from '../../../native/server/bridge.js';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** Each bridge's own Host (k-<random>.localhost:PORT), sent as a browser would unless a test says otherwise. */
const hostOf = new Map<number, string>();

function raw(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { Host: hostOf.get(port) ?? `127.0.0.1:${port}`, ...options.headers };
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Spends a one-time URL as a browser would and returns the `Cookie` header the session needs. */
async function openSession(bridge: Bridge, url = bridge.url): Promise<string> {
  const r = await raw(bridge.port, new URL(url).pathname);
  expect(r.status).toBe(303);
  expect(r.headers['location']).toBe('/');
  const setCookie = r.headers['set-cookie'] as string[];
  expect(setCookie).toHaveLength(1);
  return setCookie[0]!.split(';', 1)[0]!;
}

describe('loopback bridge', () => {
  let dir: string;
  let service: KestrelService;
  let bridge: Bridge;
  let cookie: string;
  const call = (channel: string, body: string, headers: Record<string, string> = {}) =>
    raw(bridge.port, `/api/${channel}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', Cookie: cookie, ...headers } });
  const get = (path: string, headers: Record<string, string> = {}) => raw(bridge.port, path, { headers: { Cookie: cookie, ...headers } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-bridge-'));
    mkdirSync(join(dir, 'static', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>Kestrel test</title>');
    writeFileSync(join(dir, 'static', 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'not for the browser');
    service = createService({ libraryDir: join(dir, 'library'), caseDir: join(dir, 'no-case-yet') });
    bridge = await startBridge({ service, staticDir: join(dir, 'static') });
    hostOf.set(bridge.port, new URL(bridge.origin).host);
    cookie = await openSession(bridge);
  });
  afterAll(async () => {
    await bridge.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a one-time URL under a random *.localhost name of its own, with a random port and a long code in it', () => {
    const url = new URL(bridge.url);
    expect(url.hostname).toMatch(/^k-[0-9a-f]{20}\.localhost$/);
    expect(url.hostname).toBe(bridge.hostname);
    expect(Number(url.port)).toBe(bridge.port);
    expect(url.pathname).toMatch(/^\/open\/[\w-]{43}$/);
  });

  it('keeps its session cookie from other local services: a host-only cookie for its own name, refused on 127.0.0.1', async () => {
    const setCookie = (await raw(bridge.port, new URL(bridge.openUrl()).pathname)).headers['set-cookie'] as string[];
    // No Domain attribute: a browser sends it to this host name only, not to 127.0.0.1 or localhost on any port.
    expect(setCookie[0]).not.toMatch(/domain=/i);
    for (const host of [`127.0.0.1:${bridge.port}`, `localhost:${bridge.port}`, `k-${'0'.repeat(20)}.localhost:${bridge.port}`, `${bridge.hostname}:${bridge.port + 1}`]) {
      expect((await get('/', { Host: host })).status, host).toBe(421);
    }
    expect((await get('/')).status).toBe(200);
    const other = await startBridge({ service, staticDir: join(dir, 'static') });
    try {
      expect(other.hostname).not.toBe(bridge.hostname);
    } finally {
      await other.close();
    }
  });

  it('exchanges a one-time code once for an HttpOnly, SameSite=Strict cookie that is not the code', async () => {
    const url = bridge.openUrl();
    const code = new URL(url).pathname.slice('/open/'.length);
    const first = await raw(bridge.port, new URL(url).pathname);
    expect(first.status).toBe(303);
    const setCookie = (first.headers['set-cookie'] as string[])[0]!;
    expect(setCookie).toMatch(new RegExp(`^kestrel-${bridge.port}=[\\w-]{43}; Path=/; HttpOnly; SameSite=Strict$`));
    expect(setCookie).not.toContain(code);
    expect(setCookie.split(';', 1)[0]).toBe(cookie);
    // Spent: a second use (someone who read it later) gets nothing, not even with the code again.
    const again = await raw(bridge.port, new URL(url).pathname);
    expect(again.status).toBe(403);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect((await raw(bridge.port, '/open/made-up-code')).status).toBe(403);
    // The browser that holds the session may open it again (a reload): it is sent on to the app.
    expect((await get(new URL(url).pathname)).status).toBe(303);
    // Opened from Chromium's launcher file (a cross-site navigation), the app is reached from a page of our origin.
    const launched = await raw(bridge.port, new URL(bridge.openUrl()).pathname, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(launched.status).toBe(200);
    expect(launched.body).toContain('http-equiv="refresh" content="0;url=/"');
    expect(launched.headers['set-cookie']).toHaveLength(1);
  });

  it('serves the page, its assets and the API only with the session cookie', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Kestrel test');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await get('/assets/app.js')).status).toBe(200);

    const name = cookie.split('=', 1)[0]!;
    const value = cookie.slice(name.length + 1);
    const wrong = [undefined, `${name}=${value.slice(0, -1)}x`, `${name}=${value}x`, `kestrel-${bridge.port + 1}=${value}`, `${name}=`, `x${name}=${value}`];
    for (const header of wrong) {
      for (const path of ['/', '/index.html', '/assets/app.js', '/thumb/1', `/open/${value}`]) {
        const r = await raw(bridge.port, path, { headers: header === undefined ? {} : { Cookie: header } });
        expect(r.status, `${path} ${header}`).toBe(403);
        expect(r.body).not.toContain('Kestrel test');
      }
      const api = await raw(bridge.port, '/api/appInfo', { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json', ...(header === undefined ? {} : { Cookie: header }) } });
      expect(api.status, String(header)).toBe(403);
    }
    const withCookie = await call('appInfo', '{}');
    expect(JSON.parse(withCookie.body)).toMatchObject({ ok: true, value: { case: null } });
    expect((await call('appInfo', '{}', { Cookie: `other=1; ${cookie}; more=2` })).status).toBe(200);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['../secret.txt', '..%2fsecret.txt', '%2e%2e/secret.txt', 'assets/..%2f..%2fsecret.txt']) {
      const r = await get(`/${path}`);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain('not for the browser');
    }
  });

  it('refuses other Host and Origin headers (DNS rebinding, cross-site pages)', async () => {
    expect((await get('/', { Host: 'evil.example' })).status).toBe(421);
    expect((await get('/', { Host: `localhost:${bridge.port}` })).status).toBe(421);
    expect((await call('appInfo', '{}', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('appInfo', '{}', { Origin: `http://127.0.0.1:${bridge.port + 1}` })).status).toBe(403);
    expect((await call('appInfo', '{}', { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await call('appInfo', '{}', { Origin: `http://127.0.0.1:${bridge.port}` })).status).toBe(403);
    expect((await call('appInfo', '{}', { Origin: bridge.origin })).status).toBe(200);
  });

  it('listens on the loopback interface only', async () => {
    const others = Object.values(networkInterfaces()).flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    const attempts = [...others, '127.0.0.2'];
    for (const host of attempts) {
      const outcome = await new Promise<string>((resolve) => {
        const s = connect({ host, port: bridge.port });
        s.once('connect', () => { s.destroy(); resolve('connected'); });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(outcome, host).not.toBe('connected');
    }
  });

  it('validates every argument against the channel schema before the engine sees it', async () => {
    const cases: [string, string, RegExp][] = [
      ['openCase', JSON.stringify({ dir: 5 }), /openCase: invalid argument: dir/],
      ['openCase', JSON.stringify({}), /openCase: invalid argument: dir/],
      ['openCase', JSON.stringify({ dir: '/x', extra: true }), /invalid argument/],
      ['queryItems', JSON.stringify({ filter: {}, sort: { key: 'id', dir: 'asc' }, offset: -1, limit: 10 }), /offset/],
      ['queryItems', JSON.stringify({ filter: { matched: 'maybe' }, sort: { key: 'id', dir: 'asc' }, offset: 0, limit: 10 }), /filter\.matched/],
      ['categorise', JSON.stringify({ contentIds: [1.5], category: '1', via: 'keyboard' }), /contentIds\.0/],
      ['categorise', JSON.stringify({ contentIds: [], category: '1', via: 'keyboard' }), /contentIds/],
      ['categorise', JSON.stringify({ contentIds: [1], category: '1', via: 'telepathy' }), /via/],
      ['createCase', JSON.stringify({ dir: '/tmp/x', caseNumber: ' ', examiner: 'A', scheme: 'vic-us' }), /caseNumber/],
      ['createCase', JSON.stringify({ dir: '/tmp/x', caseNumber: '1', examiner: 'A', scheme: 'nope' }), /scheme/],
      ['countItems', JSON.stringify({ filter: { exhibitId: 'EX-1' } }), /filter\.exhibitId/],
      ['noSuchCall', '{}', /unknown call "noSuchCall"/],
      ['appInfo', 'not json', /not JSON/],
    ];
    for (const [channel, body, error] of cases) {
      const r = JSON.parse((await call(channel, body)).body) as { ok: boolean; error?: string };
      expect(r.ok, `${channel} ${body}`).toBe(false);
      expect(r.error, `${channel} ${body}`).toMatch(error);
    }
  });

  it('reports engine errors as results, and needs POST with JSON', async () => {
    const r = JSON.parse((await call('queryItems', JSON.stringify({ filter: {}, sort: { key: 'id', dir: 'asc' }, offset: 0, limit: 10 }))).body);
    expect(r).toEqual({ ok: false, error: 'no case is open' });
    expect((await get('/api/appInfo')).status).toBe(405);
    expect((await call('appInfo', '{}', { 'Content-Type': 'text/plain' })).status).toBe(415);
  });
});

describe('loopback bridge under probing', () => {
  let dir: string;
  let service: KestrelService;
  let bridge: Bridge;
  let cookie: string;
  const call = (channel: string, body: string) =>
    raw(bridge.port, `/api/${channel}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', Cookie: cookie } });
  const get = (path: string) => raw(bridge.port, path, { headers: { Cookie: cookie } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-bridge-probe-'));
    mkdirSync(join(dir, 'static'), { recursive: true });
    mkdirSync(join(dir, 'folder.jpg'));
    writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>Kestrel test</title>');
    const real = createService({ libraryDir: join(dir, 'library'), caseDir: join(dir, 'no-case-yet') });
    // A catalogue row pointing at a folder (a damaged or hand-edited case): the real bridge must answer 404 and live on.
    service = { ...real, thumbnailFile: () => join(dir, 'folder.jpg') };
    bridge = await startBridge({ service, staticDir: join(dir, 'static') });
    hostOf.set(bridge.port, new URL(bridge.origin).host);
    cookie = await openSession(bridge);
  });
  afterAll(async () => {
    await bridge.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 404, not 500 with a stack, to paths starting with // or with broken escapes', async () => {
    for (const path of ['//', '//api/appInfo', '//evil.example/x', '/%', '/%E0%A4%A', '/assets/%zz.js']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toMatch(/at |Error/);
    }
  });

  it('a thumbnail row pointing at a folder gives 404 and the server keeps serving', async () => {
    expect((await get('/thumb/1')).status).toBe(404);
    expect((await get('/')).status).toBe(200);
  });

  it('refuses relative paths, NUL bytes and control characters in names', async () => {
    const relative = JSON.parse((await call('openCase', JSON.stringify({ dir: 'cases/x' }))).body) as { ok: boolean; error: string };
    expect(relative).toMatchObject({ ok: false });
    expect(relative.error).toMatch(/absolute/);
    const nul = JSON.parse((await call('openCase', JSON.stringify({ dir: '/tmp/a\u0000b' }))).body) as { ok: boolean; error: string };
    expect(nul.error).toMatch(/NUL/);
    for (const field of ['caseNumber', 'examiner'] as const) {
      const body = { dir: join(dir, 'new-case'), caseNumber: 'OP-1', examiner: 'DC Roe', [field]: 'DC Roe\u001b[2K\rforged' };
      const r = JSON.parse((await call('createCase', JSON.stringify(body))).body) as { ok: boolean; error: string };
      expect(r.ok, field).toBe(false);
      expect(r.error).toMatch(/control characters/);
    }
    const label = JSON.parse((await call('startIntake', JSON.stringify({ label: 'EX\u00851', source: dir }))).body) as { ok: boolean; error: string };
    expect(label.error).toMatch(/control characters/);
  });

  it('bounds what parallel request bodies can hold: 413 over 16 MiB, 503 once 48 MiB are in flight', async () => {
    expect((await call('listHashLists', 'x'.repeat(17 << 20))).status).toBe(413);
    // Eight bodies held open at once (8 MiB each sent, the last byte later): the server holds them all at the same time.
    const part = Buffer.alloc(8 << 20, 0x20);
    const pending = Array.from({ length: 8 }, () => {
      const req = request({ host: '127.0.0.1', port: bridge.port, path: '/api/listHashLists', method: 'POST',
        headers: { Host: hostOf.get(bridge.port)!, 'Content-Type': 'application/json', 'Content-Length': String(part.length + 2), Cookie: cookie } });
      const reply = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
        req.on('error', reject);
      });
      const written = new Promise<void>((resolve) => req.write(part, () => resolve()));
      return { req, reply, written };
    });
    await Promise.all(pending.map((p) => p.written));
    await new Promise((r) => setTimeout(r, 500));
    for (const p of pending) p.req.end('{}');
    const statuses = await Promise.all(pending.map((p) => p.reply));
    expect(statuses.every((s) => s === 200 || s === 503), statuses.join()).toBe(true);
    expect(statuses).toContain(503);
    expect((await get('/')).status).toBe(200);
  });
});
