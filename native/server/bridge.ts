import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, createReadStream, fstatSync, openSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { dispatch } from '../api/dispatch.js';
import type { KestrelService } from '../api/service.js';
import { CONTENT_SECURITY_POLICY, MEDIA_TYPES } from '../api/security.js';
import { byteRange } from '../review/videoOriginal.js';

/**
 * The loopback bridge: serves the built renderer and the same API the Electron preload exposes,
 * over HTTP on 127.0.0.1 only. Every request must carry the session cookie, static files included,
 * so nothing is served to anyone who was not given a one-time URL (`/open/<code>`). A code is
 * exchanged once for the cookie (HttpOnly: the page's scripts never see it; SameSite=Strict: no
 * other site's page can make the browser send it); spent, it is worth nothing, so the URL may be
 * seen afterwards (it used to be the session token itself, in Chromium's command line, which every
 * user of the machine can read with ps). Host and Origin are checked against our own address,
 * which defeats DNS rebinding and cross-site requests from other pages in the same browser.
 *
 * The address has a host name of its own, k-<random>.localhost, which browsers resolve to loopback
 * without asking DNS (RFC 6761), while the server listens on 127.0.0.1 only. Cookies are scoped by
 * host, not port: on 127.0.0.1 the session cookie would also go to every other local service the
 * examiner's browser visits there (`--no-open` and the examiner's own browser), which could then
 * replay it. Under a random host name it goes to this session's server only, and a request for any
 * other host (127.0.0.1 included) is refused.
 */

export interface BridgeOptions {
  service: KestrelService;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** 0 (the default) lets the system choose a free port. */
  port?: number;
}

export interface Bridge {
  /** A one-time URL that opens a session (what `kestrel serve` prints). */
  url: string;
  /** http://k-<random>.localhost:PORT */
  origin: string;
  /** k-<random>.localhost: the session's own host name, resolved to 127.0.0.1 by browsers. */
  hostname: string;
  port: number;
  /** The session cookie's name: per port, so two cases open in one browser keep their own sessions. */
  cookieName: string;
  /** Another one-time URL (one for each browser the session is handed to). */
  openUrl(): string;
  close(): Promise<void>;
}

/** One request body: the largest argument the UI sends (a list of SHA-256 for a batch) fits easily. */
const MAX_BODY = 16 * 1024 * 1024;
/** All bodies being read at once: bounds the server's memory whatever the number of parallel requests. */
const MAX_BODIES_IN_FLIGHT = 48 * 1024 * 1024;
let bodiesInFlight = 0;

const randomSecret = () => randomBytes(32).toString('base64url');

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const staticDir = resolve(options.staticDir);
  const sessionBytes = Buffer.from(randomSecret());
  const unusedCodes = new Set<string>();
  let origin = '';
  let host = '';
  let cookieName = '';

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`kestrel serve: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.host !== host) return send(res, 421, 'text/plain; charset=utf-8', 'wrong host');
    if (req.headers.origin !== undefined && req.headers.origin !== origin) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden');
    // The path alone, never `new URL(path, origin)`: a path starting with `//` is read there as
    // another host, and a malformed one throws (a 500 with a stack, before).
    const target = req.url ?? '/';
    const pathname = target.split(/[?#]/, 1)[0]!;
    if (!pathname.startsWith('/') || pathname.startsWith('//')) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
    const site = req.headers['sec-fetch-site'];
    if (pathname.startsWith('/open/')) return openSession(req, res, pathname.slice('/open/'.length), site);
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return send(res, 403, 'text/plain; charset=utf-8', 'forbidden');
    if (!hasSession(req)) return send(res, 403, 'text/plain; charset=utf-8', 'no session: open the one-time URL kestrel serve printed');
    const path = pathname.slice(1);

    if (path.startsWith('api/')) {
      if (req.method !== 'POST') return send(res, 405, 'text/plain; charset=utf-8', 'use POST');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return send(res, 415, 'text/plain; charset=utf-8', 'application/json required');
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > MAX_BODY) return send(res, 413, 'text/plain; charset=utf-8', 'request too large');
      const body = await readBody(req);
      if (body === 'busy') return send(res, 503, 'text/plain; charset=utf-8', 'too many large requests at once; try again');
      if (body === null) return send(res, 413, 'text/plain; charset=utf-8', 'request too large');
      let argument: unknown;
      try {
        argument = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return sendJson(res, { ok: false, error: 'invalid argument: the request body is not JSON' });
      }
      return sendJson(res, await dispatch(options.service.handlers, path.slice('api/'.length), argument));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
    if (path.startsWith('thumb/')) {
      const id = Number(path.slice('thumb/'.length));
      const file = Number.isSafeInteger(id) && id > 0 ? options.service.thumbnailFile(id) : null;
      return file ? sendFile(res, file) : send(res, 404, 'text/plain; charset=utf-8', 'no thumbnail');
    }
    if (path.startsWith('preview/')) {
      const id = Number(path.slice('preview/'.length));
      const file = Number.isSafeInteger(id) && id > 0 ? options.service.previewFile(id) : null;
      return file ? sendFile(res, file) : send(res, 404, 'text/plain; charset=utf-8', 'no preview');
    }
    if (path.startsWith('original/')) {
      const id = Number(path.slice('original/'.length));
      const original = Number.isSafeInteger(id) && id > 0 ? await options.service.originalImage(id) : null;
      if (!original) return send(res, 404, 'text/plain; charset=utf-8', 'original not reachable');
      securityHeaders(res);
      res.writeHead(200, { 'Content-Type': original.mediaType, 'Content-Length': original.bytes.length });
      return void res.end(res.req.method === 'HEAD' ? undefined : original.bytes);
    }
    if (path.startsWith('video/')) {
      const id = Number(path.slice('video/'.length));
      const video = Number.isSafeInteger(id) && id > 0 ? options.service.originalVideo(id) : null;
      if (!video) return send(res, 404, 'text/plain; charset=utf-8', 'video not reachable');
      return sendRange(res, video.fd, video.size, video.mediaType, req.headers.range);
    }
    const file = staticFile(staticDir, path === '' ? 'index.html' : path);
    return file ? sendFile(res, file) : send(res, 404, 'text/plain; charset=utf-8', 'not found');
  }

  function hasSession(req: IncomingMessage): boolean {
    return cookieValues(req.headers.cookie, cookieName).some((value) => {
      const bytes = Buffer.from(value);
      return bytes.length === sessionBytes.length && timingSafeEqual(bytes, sessionBytes);
    });
  }

  /**
   * Spends a one-time code for the session cookie. Opened by the user (typed, pasted, `--app`), the
   * browser is sent on to the app at once; from the launcher file Chromium is started with, the
   * navigation is cross-site and a browser withholds a Strict cookie on the redirect that follows,
   * so the app is reached from a page of our own origin instead.
   */
  function openSession(req: IncomingMessage, res: ServerResponse, code: string, site: string | string[] | undefined): void {
    if (req.method !== 'GET') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
    if (unusedCodes.delete(code)) {
      res.setHeader('Set-Cookie', `${cookieName}=${sessionBytes.toString()}; Path=/; HttpOnly; SameSite=Strict`);
    } else if (!hasSession(req)) {
      process.stderr.write('kestrel serve: a spent or unknown one-time URL was opened and refused\n');
      return send(res, 403, 'text/plain; charset=utf-8', 'this one-time URL has been used; run kestrel serve again for a new one');
    }
    if (site === undefined || site === 'none' || site === 'same-origin') {
      securityHeaders(res);
      res.writeHead(303, { Location: '/', 'Content-Length': 0 });
      return void res.end();
    }
    send(res, 200, 'text/html; charset=utf-8', '<!doctype html><meta http-equiv="refresh" content="0;url=/"><title>Kestrel</title>');
  }

  function openUrl(): string {
    const code = randomSecret();
    unusedCodes.add(code);
    return `${origin}/open/${code}`;
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  const { port } = server.address() as AddressInfo;
  const hostname = `k-${randomBytes(10).toString('hex')}.localhost`;
  host = `${hostname}:${port}`;
  origin = `http://${host}`;
  cookieName = `kestrel-${port}`;
  return {
    url: openUrl(),
    origin,
    hostname,
    port,
    cookieName,
    openUrl,
    close: () => new Promise<void>((resolvePromise) => {
      server.close(() => resolvePromise());
      server.closeAllConnections();
    }),
  };
}

function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  return header.split(';').map((pair) => pair.trim()).filter((pair) => pair.startsWith(`${name}=`)).map((pair) => pair.slice(name.length + 1));
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  securityHeaders(res);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, value: unknown): void {
  send(res, 200, 'application/json; charset=utf-8', JSON.stringify(value));
}

/**
 * Serves a regular file only: a catalogue row may point at anything (a folder, a FIFO, a file
 * gone since), and a read error after the headers must end this response, not the server.
 */
function sendFile(res: ServerResponse, file: string): void {
  const type = MEDIA_TYPES[extname(file).toLowerCase()];
  if (!type) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return send(res, 404, 'text/plain; charset=utf-8', 'not found');
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    return send(res, 404, 'text/plain; charset=utf-8', 'not found');
  }
  securityHeaders(res);
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': st.size });
  if (res.req.method === 'HEAD') {
    closeSync(fd);
    return void res.end();
  }
  const stream = createReadStream(file, { fd, start: 0, end: Math.max(0, st.size - 1) });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/**
 * Streams an open file (closed here) whole or the one byte range a player asks for (206 with
 * Content-Range; 416 for a range outside it), so that a video seeks without being read whole.
 */
function sendRange(res: ServerResponse, fd: number, size: number, type: string, rangeHeader: string | undefined): void {
  const range = byteRange(rangeHeader, size);
  securityHeaders(res);
  res.setHeader('Accept-Ranges', 'bytes');
  if (range === 'unsatisfiable') {
    closeSync(fd);
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
    return void res.end();
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  res.writeHead(range ? 206 : 200, {
    'Content-Type': type, 'Content-Length': Math.max(0, end - start + 1), ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (res.req.method === 'HEAD' || size === 0) {
    closeSync(fd);
    return void res.end();
  }
  const stream = createReadStream('', { fd, start, end });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/** A file below `root`, never outside it; null for anything that is not a plain file there. */
function staticFile(root: string, relative: string): string | null {
  try {
    const clean = normalize(decodeURIComponent(relative));
    if (clean.includes('\0')) return null;
    const file = join(root, clean);
    if (!file.startsWith(root + sep)) return null;
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | null | 'busy'> {
  const chunks: Buffer[] = [];
  let held = 0;
  let refused: null | 'busy' | undefined;
  try {
    // A refused body is still read to its end (and dropped), so the client gets the answer rather than a reset.
    for await (const chunk of req as AsyncIterable<Buffer>) {
      if (refused !== undefined) continue;
      held += chunk.length;
      bodiesInFlight += chunk.length;
      if (held > MAX_BODY) refused = null;
      else if (bodiesInFlight > MAX_BODIES_IN_FLIGHT) refused = 'busy';
      if (refused !== undefined) {
        chunks.length = 0;
        bodiesInFlight -= held;
        held = 0;
      } else {
        chunks.push(chunk);
      }
    }
    return refused !== undefined ? refused : Buffer.concat(chunks);
  } finally {
    bodiesInFlight -= held;
  }
}
