import { protocol } from 'electron';
import { closeSync, createReadStream, existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY, MEDIA_TYPES } from '../../native/api/security.js';
import type { KestrelService } from '../../native/api/service.js';
import { appRequestPath } from './appUrl.js';
import { byteRange } from '../../native/review/videoOriginal.js';

export const APP_SCHEME = 'kestrel';

/** Must run before the app is ready: makes kestrel:// a standard, secure origin the page can fetch from. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/**
 * kestrel://app/… serves the built renderer; kestrel://app/thumb/<id> and preview/<id> serve a
 * thumbnail or stored preview, only from inside the open case's folder (the service resolves and
 * checks the path); original/<id> the original picture as the engine read it from the evidence;
 * video/<id> a video original streamed from the evidence, one byte range at a time as the player asks.
 */
export function handleAppProtocol(rendererDir: string, service: Pick<KestrelService, 'thumbnailFile' | 'previewFile' | 'originalImage' | 'originalVideo'>): void {
  const root = resolve(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const path = appRequestPath(request.url);
    if (path === null || request.method !== 'GET') return notFound();
    let file: string | null;
    const idAfter = (prefix: string): number | null => {
      const id = Number(path.slice(prefix.length));
      return Number.isSafeInteger(id) && id > 0 ? id : null;
    };
    if (path.startsWith('original/')) {
      const id = idAfter('original/');
      const original = id === null ? null : await service.originalImage(id);
      if (!original) return notFound();
      return new Response(original.bytes, {
        status: 200,
        headers: { 'Content-Type': original.mediaType, 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' },
      });
    }
    if (path.startsWith('video/')) {
      const id = idAfter('video/');
      const video = id === null ? null : service.originalVideo(id);
      if (!video) return notFound();
      const headers = { 'Content-Type': video.mediaType, 'Accept-Ranges': 'bytes', 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' };
      const range = byteRange(request.headers.get('Range') ?? undefined, video.size);
      if (range === 'unsatisfiable') {
        closeSync(video.fd);
        return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${video.size}` } });
      }
      const { start, end } = range ?? { start: 0, end: video.size - 1 };
      return new Response(Readable.toWeb(createReadStream('', { fd: video.fd, start, end })) as ReadableStream<Uint8Array>, {
        status: range ? 206 : 200,
        headers: { ...headers, 'Content-Length': String(end - start + 1), ...(range ? { 'Content-Range': `bytes ${start}-${end}/${video.size}` } : {}) },
      });
    }
    if (path.startsWith('thumb/')) {
      const id = idAfter('thumb/');
      file = id === null ? null : service.thumbnailFile(id);
    } else if (path.startsWith('preview/')) {
      const id = idAfter('preview/');
      file = id === null ? null : service.previewFile(id);
    } else {
      const candidate = join(root, normalize(path === '' ? 'index.html' : path));
      file = candidate.startsWith(root + sep) && existsSync(candidate) ? candidate : null;
    }
    const type = file ? MEDIA_TYPES[extname(file).toLowerCase()] : undefined;
    if (!file || !type) return notFound();
    // Read here: fetching the file's URL would go through the session's request filter, which cancels it.
    return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>, {
      status: 200,
      headers: { 'Content-Type': type, 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' },
    });
  });
}

function notFound(): Response {
  return new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
}
