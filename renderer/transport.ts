import type { KestrelApi, KestrelBridge, Result } from '../electron/api/index.js';

declare global {
  interface Window {
    kestrel?: KestrelBridge;
  }
}

/**
 * The one API object the UI uses. In Electron the preload has put it on window; in browser mode
 * it is built here over the loopback bridge, the page's own origin; the browser sends the session
 * cookie (HttpOnly, never readable here) with every call and thumbnail.
 */
export function connect(): KestrelBridge {
  if (window.kestrel) return window.kestrel;
  const base = new URL('/', document.baseURI);
  const call = async (channel: string, request: unknown): Promise<Result<unknown>> => {
    try {
      const response = await fetch(new URL(`api/${channel}`, base), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request ?? {}),
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (!response.ok) return { ok: false, error: `${channel}: the bridge answered ${response.status}` };
      return (await response.json()) as Result<unknown>;
    } catch (err) {
      return { ok: false, error: `${channel}: cannot reach Kestrel (${err instanceof Error ? err.message : String(err)})` };
    }
  };
  const api = new Proxy({} as KestrelApi, {
    get: (_target, name) => (typeof name === 'string' ? (request: unknown) => call(name, request) : undefined),
  });
  const media = (kind: string) => (contentId: number) => new URL(`${kind}/${Math.trunc(contentId)}`, base).href;
  return { api, media: { thumbnailUrl: media('thumb'), originalUrl: media('original'), previewUrl: media('preview'), videoUrl: media('video') } };
}
