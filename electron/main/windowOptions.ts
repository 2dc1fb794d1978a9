import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The main window's options: the renderer is a web page with no Node.js (nodeIntegration off, also
 * in workers), in Chromium's sandbox, with the preload's bridge in an isolated world
 * (contextIsolation), web security on, no <webview>, and no navigation by dropping a file. Kept apart
 * from main.ts, which needs Electron, so that a test reads them.
 */
export function mainWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    backgroundColor: '#1d2024',
    title: 'Kestrel',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      experimentalFeatures: false,
    },
  };
}
