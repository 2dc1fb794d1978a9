import { app, session, type Session } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../native/api/security.js';
import { requestAllowed } from './requestFilter.js';

/**
 * Offline lockdown. Kestrel holds evidence and never talks to a network: every request that is not
 * for the app's own origin is cancelled (requestFilter.ts), permissions are refused, pages cannot navigate or open
 * windows, and every response carries the strict CSP.
 */
export function lockDownSession(s: Session = session.defaultSession): void {
  s.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.setDevicePermissionHandler(() => false);
  s.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !requestAllowed(details.url, { devtools: !app.isPackaged }) });
  });
  s.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  s.on('will-download', (event) => event.preventDefault());
}

/** Applies to every web contents the app ever creates, including ones we did not ask for. */
export function lockDownContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
