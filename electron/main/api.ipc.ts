import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { APP_ORIGIN, CHANNELS, IPC_PREFIX } from '../api/index.js';
import { dispatch } from '../../native/api/dispatch.js';
import type { Handlers } from '../../native/api/service.js';

/**
 * One thin handler a channel: refuse senders that are not our windows showing our pages, then hand
 * the argument to the dispatcher, which parses it with the channel's schema before the engine sees it.
 */
export function registerApiIpc(handlers: Handlers, isOurWindow: (event: IpcMainInvokeEvent) => boolean): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(`${IPC_PREFIX}${channel}`, (event, argument: unknown) => {
      if (!isOurWindow(event) || !event.senderFrame?.url.startsWith(`${APP_ORIGIN}/`)) {
        return { ok: false, error: 'refused: the call did not come from a Kestrel window' };
      }
      return dispatch(handlers, channel, argument);
    });
  }
}
