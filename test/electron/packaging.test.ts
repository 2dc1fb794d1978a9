import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The desktop app as users receive it: electron-builder's configuration, checked here because these
 * machines cannot download the Electron runtime to build the app. Where the runtime is installed, the
 * `dir` target is built and its fuses read back from the binary.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const { minimatch } = require('minimatch') as { minimatch: (path: string, pattern: string, options?: { dot?: boolean }) => boolean };

interface BuilderConfig {
  appId: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  publish: unknown;
  linux: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
}
const config = JSON.parse(readFileSync(join(ROOT, 'electron-builder.json'), 'utf8')) as BuilderConfig;

/** electron-builder's own reading of `files`: included when some positive pattern matches and no later negation. */
function packaged(path: string): boolean {
  let included = false;
  for (const p of config.files) {
    if (p.startsWith('!')) {
      if (minimatch(path, p.slice(1), { dot: true })) included = false;
    } else if (minimatch(path, p, { dot: true })) {
      included = true;
    }
  }
  return included;
}
const unpacked = (path: string) => config.asarUnpack.some((p) => minimatch(path, p, { dot: true }));

describe('electron-builder configuration', () => {
  it('is valid for electron-builder (its own schema check)', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      getConfig: (dir: string, path: string | null, options: null) => Promise<object>;
      validateConfiguration: (c: object, logger: object) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => object };
    const loaded = await getConfig(ROOT, null, null);
    expect(loaded).toMatchObject({ appId: config.appId });
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    // The check can fail: a misspelt fuse is refused.
    await expect(validateConfiguration({ ...loaded, electronFuses: { runAsNod: false } }, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });

  it('sets the fuses: no ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect; app only from an integrity-checked asar; cookies encrypted', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
  });

  it('never updates itself or publishes anywhere (air-gapped): no publish target, no updater dependency', () => {
    expect(config.publish).toBeNull();
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).filter((d) => /update/i.test(d))).toEqual([]);
  });

  it('builds Linux dir, deb and AppImage and Windows NSIS and portable, with the icon it ships', () => {
    expect(config.linux.target).toEqual(['dir', 'deb', 'AppImage']);
    expect(config.win.target).toEqual(['nsis', 'portable']);
    for (const icon of [config.linux.icon, config.win.icon]) {
      const png = readFileSync(join(ROOT, icon));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(256);
    }
  });

  it("includes the app's built code, renderer, preload and helper binaries, and no source maps or type declarations", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string };
    for (const path of [pkg.main, 'package.json', 'dist/electron/preload/preload.cjs', 'dist/renderer/index.html', 'dist/renderer/assets/index-1.js',
      'dist/native/api/service.js', 'dist/native/archive/archive.helper.js', 'native-electron/better_sqlite3.node',
      'native/fsnoatime/build/Release/fsnoatime.node', 'native/tsk/build/kestrel-tsk', 'native/video/build/kestrel-video']) {
      expect(packaged(path), path).toBe(true);
    }
    for (const path of ['dist/native/api/service.js.map', 'dist/native/api/service.d.ts', 'native/api/service.ts', 'test/electron/packaging.test.ts', 'README.md']) {
      expect(packaged(path), path).toBe(false);
    }
  });

  it('unpacks from the asar every native module, shared library and helper a separate process or dlopen must read', () => {
    for (const path of ['native-electron/better_sqlite3.node', 'native/fsnoatime/build/Release/fsnoatime.node', 'native/tsk/build/kestrel-tsk',
      'native/video/build/kestrel-video', 'dist/native/archive/archive.helper.js', 'node_modules/7z-wasm/7zz.wasm']) {
      expect(unpacked(path), path).toBe(true);
    }
    // Every .node file and shared library in the production dependencies, as npm installed them here.
    const ls = spawnSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: ROOT, encoding: 'utf8' });
    const natives: string[] = [];
    const walk = (dir: string, depth: number) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, e.name);
        if (e.isDirectory() && e.name !== 'node_modules' && depth < 6) walk(full, depth + 1);
        else if (e.isFile() && /\.(node|so(\.[\d.]+)?|dll|dylib)$/.test(e.name)) natives.push(relative(ROOT, full));
      }
    };
    for (const dir of ls.stdout.split('\n').filter((d) => d.includes('node_modules'))) walk(dir, 0);
    expect(natives.some((n) => n.startsWith('node_modules/better-sqlite3/'))).toBe(true);
    expect(natives.some((n) => n.startsWith('node_modules/@img/'))).toBe(true);
    for (const n of natives) expect(unpacked(n), n).toBe(true);
  });
});

describe('the packaged app', () => {
  const pathFile = join(ROOT, 'node_modules', 'electron', 'path.txt');
  const runtime = existsSync(pathFile) ? join(ROOT, 'node_modules', 'electron', 'dist') : null;
  if (!runtime || !existsSync(runtime)) {
    it.skip('builds the dir target (the Electron runtime is not installed here: ELECTRON_SKIP_BINARY_DOWNLOAD, no internet)', () => {});
    return;
  }
  it('builds the dir target from the installed runtime and carries the fuses in its binary', async () => {
    const out = join(ROOT, 'release');
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'electron-builder'), ['--linux', 'dir', '-c.electronDist=' + runtime, '--publish', 'never'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const binary = join(out, 'linux-unpacked', 'kestrel');
    expect(existsSync(join(out, 'linux-unpacked', 'resources', 'app.asar'))).toBe(true);
    const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses') as typeof import('@electron/fuses');
    const wire = await getCurrentFuseWire(binary) as unknown as Record<number, number>;
    // @electron/fuses' FuseState: 48 ('0') disabled, 49 ('1') enabled.
    const [off, on] = [48, 49];
    expect(wire[FuseV1Options.RunAsNode]).toBe(off);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(off);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(off);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(on);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(on);
  }, 600_000);
});
