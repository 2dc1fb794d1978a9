/**
 * The session's request filter: Kestrel never talks to a network, so a request is let through only
 * when it is for the app's own origin (kestrel://app/…: the renderer, thumbnails, previews,
 * originals) or, in a development build only, for the developer tools. Everything else is cancelled:
 * http(s), ws(s), ftp, file:// (the protocol handler reads files itself, not through a request),
 * data:, blob:, other hosts of kestrel://, and anything that does not parse. Kept apart from
 * lockdown.ts, which needs Electron, so that it is tested here.
 */
export function requestAllowed(requestUrl: string, options: { devtools: boolean }): boolean {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return false;
  }
  if (url.protocol === 'kestrel:') return url.host === 'app' && url.username === '' && url.password === '' && url.port === '';
  return options.devtools && url.protocol === 'devtools:';
}
