import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANNELS, IPC_PREFIX } from '../../electron/api/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Bundles the preload as the build does and runs it against a stand-in 'electron' module. */
async function runPreload() {
  const out = await build({
    entryPoints: [join(ROOT, 'electron', 'preload', 'preload.ts')],
    bundle: true, platform: 'node', format: 'cjs', external: ['electron'], write: false,
  });
  const code = out.outputFiles[0]!.text;
  const exposed = new Map<string, unknown>();
  const invoked: [string, unknown][] = [];
  const ipcRenderer = { invoke: async (channel: string, arg: unknown) => { invoked.push([channel, arg]); return { ok: true, value: channel }; } };
  const required: string[] = [];
  const fakeRequire = (name: string) => {
    required.push(name);
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
    return { contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) }, ipcRenderer };
  };
  const module = { exports: {} };
  runInNewContext(code, { require: fakeRequire, module, exports: module.exports });
  return { exposed, invoked, required, ipcRenderer };
}

describe('preload', () => {
  it('requires only electron and exposes one function per channel, never ipcRenderer', async () => {
    const { exposed, required, ipcRenderer } = await runPreload();
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect([...exposed.keys()]).toEqual(['kestrel']);
    const bridge = exposed.get('kestrel') as { api: Record<string, unknown>; media: Record<string, unknown> };
    expect(Object.keys(bridge).sort()).toEqual(['api', 'media']);
    expect(Object.keys(bridge.api).sort()).toEqual([...CHANNELS].sort());
    for (const value of [...Object.values(bridge.api), ...Object.values(bridge.media)]) {
      expect(typeof value).toBe('function');
      expect(value).not.toBe(ipcRenderer.invoke);
    }
    expect(JSON.stringify(Object.keys(bridge))).not.toContain('ipc');
  });

  it('sends each call on its own channel with the argument untouched', async () => {
    const { exposed, invoked } = await runPreload();
    const bridge = exposed.get('kestrel') as { api: Record<string, (a: unknown) => Promise<unknown>>; media: { thumbnailUrl(id: number): string } };
    await bridge.api['queryItems']!({ filter: {}, offset: 0 });
    await bridge.api['appInfo']!({});
    expect(invoked).toEqual([[`${IPC_PREFIX}queryItems`, { filter: {}, offset: 0 }], [`${IPC_PREFIX}appInfo`, {}]]);
    expect(bridge.media.thumbnailUrl(42.9)).toBe('kestrel://app/thumb/42');
  });
});
