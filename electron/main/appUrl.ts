/**
 * The path a kestrel://app/… request names, decoded, or null for anything not to be served: another
 * host, a malformed %-escape (decodeURIComponent throws on it, which made the protocol handler
 * fail instead of answering 404) or a NUL byte. Kept apart from protocol.ts, which needs Electron,
 * so that it is tested here.
 */
export function appRequestPath(requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.host !== 'app') return null;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  return path.replace(/^\/+/, '');
}
