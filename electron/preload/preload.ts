import { contextBridge, ipcRenderer } from 'electron';
import { APP_ORIGIN, BRIDGE_GLOBAL, CHANNELS, IPC_PREFIX, type KestrelApi, type KestrelBridge } from '../api/index.js';

/**
 * Exposes the typed API, one function a channel, and never ipcRenderer itself: the page can make
 * exactly the calls of the contract and nothing else. Bundled to one CommonJS file because a
 * sandboxed preload can require only 'electron'.
 */
const api = Object.fromEntries(
  CHANNELS.map((channel) => [channel, (request: unknown) => ipcRenderer.invoke(`${IPC_PREFIX}${channel}`, request)]),
) as unknown as KestrelApi;

const bridge: KestrelBridge = {
  api,
  media: {
    thumbnailUrl: (contentId: number) => `${APP_ORIGIN}/thumb/${Math.trunc(contentId)}`,
    originalUrl: (contentId: number) => `${APP_ORIGIN}/original/${Math.trunc(contentId)}`,
    previewUrl: (contentId: number) => `${APP_ORIGIN}/preview/${Math.trunc(contentId)}`,
    videoUrl: (contentId: number) => `${APP_ORIGIN}/video/${Math.trunc(contentId)}`,
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
