import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestAllowed } from '../../electron/main/requestFilter.js';
import { mainWindowOptions } from '../../electron/main/windowOptions.js';
import { CONTENT_SECURITY_POLICY } from '../../native/api/security.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const source = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');

describe('the session request filter', () => {
  it("lets through the app's own origin only", () => {
    for (const url of ['kestrel://app/index.html', 'kestrel://app/assets/index-1.js', 'kestrel://app/thumb/12', 'kestrel://app/original/3', 'kestrel://app/']) {
      expect(requestAllowed(url, { devtools: false }), url).toBe(true);
    }
  });

  it('cancels every network and local request, other kestrel hosts and malformed URLs', () => {
    for (const url of [
      'http://127.0.0.1:8080/', 'https://example.org/x.js', 'ws://localhost/', 'wss://10.0.0.1/', 'ftp://host/file',
      'file:///etc/passwd', 'file:///work/case/catalogue.sqlite', 'data:text/html,<script>1</script>', 'blob:kestrel://app/1234',
      'kestrel://evil/index.html', 'kestrel://app.evil/index.html', 'kestrel://user:pw@app/index.html', 'kestrel://app:81/index.html',
      'chrome-extension://abc/x.js', 'chrome://settings', 'javascript:alert(1)', 'devtools://devtools/bundled/inspector.html', 'not a url', '',
    ]) {
      expect(requestAllowed(url, { devtools: false }), url).toBe(false);
    }
  });

  it('lets the developer tools through in a development build only', () => {
    expect(requestAllowed('devtools://devtools/bundled/inspector.html', { devtools: true })).toBe(true);
    expect(requestAllowed('https://example.org/', { devtools: true })).toBe(false);
  });

  it('is the filter the session installs, and the protocol handler no longer fetches file:// through it', () => {
    const lockdown = source('electron/main/lockdown.ts');
    expect(lockdown).toMatch(/onBeforeRequest\(\(details, callback\) => \{\s*callback\(\{ cancel: !requestAllowed\(details\.url, \{ devtools: !app\.isPackaged \}\) \}\);/);
    expect(source('electron/main/protocol.ts')).not.toMatch(/net\.fetch\(|pathToFileURL/);
  });
});

describe('the main window', () => {
  it('keeps the renderer without Node.js, sandboxed and context-isolated', () => {
    const o = mainWindowOptions('/app/preload.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/app/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, navigateOnDragDrop: false,
    });
  });

  it('is made only from those options, with the sandbox enabled app-wide and navigation and new windows denied', () => {
    const main = source('electron/main/main.ts');
    expect(main.match(/new BrowserWindow\(/g)).toHaveLength(1);
    expect(main).toMatch(/new BrowserWindow\(mainWindowOptions\(/);
    expect(main).toMatch(/app\.enableSandbox\(\);/);
    const lockdown = source('electron/main/lockdown.ts');
    for (const guard of [/'will-navigate', \(event\) => event\.preventDefault\(\)/, /'will-redirect', \(event\) => event\.preventDefault\(\)/,
      /setWindowOpenHandler\(\(\) => \(\{ action: 'deny' \}\)\)/, /'will-attach-webview', \(event\) => event\.preventDefault\(\)/,
      /setPermissionRequestHandler\(\(_contents, _permission, callback\) => callback\(false\)\)/]) {
      expect(lockdown, String(guard)).toMatch(guard);
    }
  });

  it('serves every response with the strict CSP: own scripts only, no inline or eval, no connection elsewhere', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|data:|blob:|http/);
    expect(source('electron/main/lockdown.ts')).toMatch(/'Content-Security-Policy': \[CONTENT_SECURITY_POLICY\]/);
  });
});
