import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { dispatch } from '../api/dispatch.js';
import type { KestrelService } from '../api/service.js';
import { CONTENT_SECURITY_POLICY, MEDIA_TYPES } from '../api/security.js';

/**
 * The loopback bridge: serves the built renderer and the same API the Electron preload exposes,
 * over HTTP on 127.0.0.1 only. Every request must carry the session's token as the first path
 * segment (`/<token>/…`), static files included, so nothing is served to anyone who was not
 * given the URL. Host and Origin are checked against our own address, which defeats DNS
 * rebinding and cross-site requests from other pages in the same browser.
 */

export interface BridgeOptions {
  service: KestrelService;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** 0 (the default) lets the system choose a free port. */
  port?: number;
  /** Supplied by tests; otherwise 32 random bytes. */
  token?: string;
}

export interface Bridge {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024 * 1024;

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const staticDir = resolve(options.staticDir);
  const tokenBytes = Buffer.from(token);
  let origin = '';
  let host = '';

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
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return send(res, 403, 'text/plain; charset=utf-8', 'forbidden');
    const url = new URL(req.url ?? '/', origin);
    const [, first = '', ...rest] = url.pathname.split('/');
    if (!tokenMatches(first)) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
    const path = rest.join('/');

    if (path.startsWith('api/')) {
      if (req.method !== 'POST') return send(res, 405, 'text/plain; charset=utf-8', 'use POST');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return send(res, 415, 'text/plain; charset=utf-8', 'application/json required');
      }
      const body = await readBody(req);
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
      const original = Number.isSafeInteger(id) && id > 0 ? options.service.originalImage(id) : null;
      if (!original) return send(res, 404, 'text/plain; charset=utf-8', 'original not reachable');
      securityHeaders(res);
      res.writeHead(200, { 'Content-Type': original.mediaType, 'Content-Length': original.bytes.length });
      return void res.end(res.req.method === 'HEAD' ? undefined : original.bytes);
    }
    const file = staticFile(staticDir, path === '' ? 'index.html' : path);
    return file ? sendFile(res, file) : send(res, 404, 'text/plain; charset=utf-8', 'not found');
  }

  function tokenMatches(candidate: string): boolean {
    const bytes = Buffer.from(candidate);
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  const { port } = server.address() as AddressInfo;
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;
  return {
    url: `${origin}/${token}/`,
    port,
    token,
    close: () => new Promise<void>((resolvePromise) => {
      server.close(() => resolvePromise());
      server.closeAllConnections();
    }),
  };
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

function sendFile(res: ServerResponse, file: string): void {
  const type = MEDIA_TYPES[extname(file).toLowerCase()];
  if (!type) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
  securityHeaders(res);
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': statSync(file).size });
  if (res.req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
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

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
