import { app, BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_ORIGIN } from '../api/index.js';
import { createService } from '../../native/api/service.js';
import { libraryDir } from '../../native/hashsets/library.js';
import { registerApiIpc } from './api.ipc.js';
import { lockDownContents, lockDownSession } from './lockdown.js';
import { handleAppProtocol, registerAppScheme } from './protocol.js';
import { mainWindowOptions } from './windowOptions.js';

/** dist/electron/main → dist */
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const windows = new Set<BrowserWindow>();

app.enableSandbox();
registerAppScheme();
lockDownContents();

/** `npm start -- CASE_DIR [--library DIR] [--examiner NAME]`: the first plain argument after the app is the case. */
function parseArgs(argv: readonly string[]): { caseDir?: string; libraryDir: string; examiner?: string } {
  const args = argv.slice(app.isPackaged ? 1 : 2);
  const libraryAt = args.indexOf('--library');
  const examinerAt = args.indexOf('--examiner');
  const library = libraryDir(libraryAt >= 0 ? args[libraryAt + 1] : undefined);
  const examiner = examinerAt >= 0 ? args[examinerAt + 1] : undefined;
  const caseDir = args.find((a, i) => !a.startsWith('-') && (libraryAt < 0 || i !== libraryAt + 1) && (examinerAt < 0 || i !== examinerAt + 1));
  return { libraryDir: library, ...(caseDir ? { caseDir: resolve(caseDir) } : {}), ...(examiner ? { examiner } : {}) };
}

function createWindow(): void {
  const win = new BrowserWindow(mainWindowOptions(join(DIST, 'electron', 'preload', 'preload.cjs')));
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  void win.loadURL(`${APP_ORIGIN}/index.html`);
}

const isOurWindow = (event: IpcMainInvokeEvent): boolean => {
  const win = BrowserWindow.fromWebContents(event.sender);
  return win !== null && windows.has(win);
};

void app.whenReady().then(() => {
  const service = createService(parseArgs(process.argv));
  lockDownSession();
  handleAppProtocol(join(DIST, 'renderer'), service);
  registerApiIpc(service.handlers, isOurWindow);
  createWindow();
  app.on('window-all-closed', () => {
    void service.close().then(() => app.quit());
  });
});
