import { describe, expect, it, vi } from 'vitest';
import { CHANNELS, IPC_PREFIX } from '../../electron/api/index.js';
import type { Handlers } from '../../native/api/service.js';

const registered = new Map<string, (event: unknown, arg: unknown) => unknown>();
vi.mock('electron', () => ({ ipcMain: { handle: (channel: string, fn: (event: unknown, arg: unknown) => unknown) => registered.set(channel, fn) } }));

const { registerApiIpc } = await import('../../electron/main/api.ipc.js');

describe('IPC handlers', () => {
  const calls: unknown[] = [];
  const handlers = new Proxy({}, {
    get: (_t, name) => (arg: unknown) => { calls.push([name, arg]); return 'engine answer'; },
  }) as Handlers;
  const ours = { sender: { id: 1 }, senderFrame: { url: 'kestrel://app/index.html' } };
  registerApiIpc(handlers, (event) => (event as unknown as typeof ours).sender.id === 1);

  it('registers exactly one handler per channel', () => {
    expect([...registered.keys()].sort()).toEqual(CHANNELS.map((c) => `${IPC_PREFIX}${c}`).sort());
  });

  it('answers our window and validates the argument before the engine sees it', async () => {
    const handle = registered.get(`${IPC_PREFIX}openCase`)!;
    expect(await handle(ours, { dir: '/cases/1' })).toEqual({ ok: true, value: 'engine answer' });
    expect(await handle(ours, { dir: 7 })).toMatchObject({ ok: false, error: expect.stringMatching(/openCase: invalid argument: dir/) });
    expect(await handle(ours, { dir: '/x', sneaky: 1 })).toMatchObject({ ok: false });
    expect(calls).toEqual([['openCase', { dir: '/cases/1' }]]);
  });

  it('refuses other windows and pages that are not the app', async () => {
    calls.length = 0;
    const handle = registered.get(`${IPC_PREFIX}appInfo`)!;
    const stranger = { sender: { id: 2 }, senderFrame: { url: 'kestrel://app/index.html' } };
    const foreignPage = { sender: { id: 1 }, senderFrame: { url: 'https://example.org/' } };
    for (const event of [stranger, foreignPage]) {
      expect(await handle(event, {})).toEqual({ ok: false, error: 'refused: the call did not come from a Kestrel window' });
    }
    expect(calls).toEqual([]);
  });
});
