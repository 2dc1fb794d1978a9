import { defineConfig } from 'vite';

// The renderer is served from kestrel://app/ in Electron and from http://127.0.0.1:PORT/<token>/ in
// browser mode, so every asset URL is relative ('./').
export default defineConfig({
  root: 'renderer',
  base: './',
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
