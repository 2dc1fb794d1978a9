/**
 * The archive reader as a helper process (7-Zip 24.09 compiled to WASM, npm 7z-wasm): zip, 7z,
 * RAR4/RAR5, tar, gzip, bzip2, xz. It runs under the helper supervisor (native/helpers/) so that a
 * crash, a runaway allocation or a hang in a parser fed damaged or hostile archives ends this
 * process, not the intake. Frames as in native/helpers/frames.ts:
 *   list    {path}       -> {type, physicalSize, encryptedHeaders, errors, members:[...]}
 *   extract {path, out}  -> {errors}: every member written below OUT (a folder in the case)
 * A dummy password is always given: 7-Zip never prompts, and an encrypted member fails as such.
 */
import { createRequire } from 'node:module';
import { dirname, basename } from 'node:path';
import { encodeFrame, FrameReader } from '../helpers/frames.js';

interface SevenZipFs {
  mkdir(path: string): void;
  mount(type: unknown, opts: { root: string }, mountpoint: string): void;
  unmount(mountpoint: string): void;
  chmod(path: string, mode: number, dontFollow?: boolean): void;
}
interface SevenZip { FS: SevenZipFs; NODEFS: unknown; callMain(args: string[]): number }

/**
 * The reader's memory cap: 7-Zip in WASM grows its heap up to 2 GiB for what an archive header asks
 * (an LZMA dictionary, a PPMd model), whatever the archive holds. Every growth of a WebAssembly
 * memory in this process (it runs nothing else) is refused beyond the cap; Emscripten turns the
 * refusal into a failed allocation, which 7-Zip reports as an error on that archive.
 */
const capBytes = Number(process.env['KESTREL_ARCHIVE_WASM_MB'] ?? 1024) * 1024 * 1024;
interface GrowableMemory { readonly buffer: ArrayBuffer; grow(delta: number): number }
// Node's types leave WebAssembly out of this project's libraries; the two members used are typed here.
const memory = (globalThis as unknown as { WebAssembly: { Memory: { prototype: GrowableMemory } } }).WebAssembly.Memory.prototype;
const grow = memory.grow;
memory.grow = function capped(this: GrowableMemory, delta: number): number {
  if (this.buffer.byteLength + delta * 65536 > capBytes) throw new RangeError(`archive reader memory cap of ${capBytes / 1048576} MiB reached`);
  return grow.call(this, delta);
};

const require = createRequire(import.meta.url);
const factory = require('7z-wasm') as (opts: Record<string, unknown>) => Promise<SevenZip>;
const NO_PASSWORD = '-pkestrel-no-password';

let lines: string[] = [];
const sz = await factory({ print: (s: string) => lines.push(s), printErr: (s: string) => lines.push(`! ${s}`), quit: () => undefined });
// 7-Zip in WASM sets mode 000 on folders it extracts from tar, and then cannot write into them.
const chmod = sz.FS.chmod.bind(sz.FS);
sz.FS.chmod = (path, mode, dontFollow) => { if (mode) chmod(path, mode, dontFollow); };
sz.FS.mkdir('/in');
sz.FS.mkdir('/out');

function run(args: string[]): string[] {
  lines = [];
  try {
    sz.callMain(args);
  } catch (err) {
    lines.push(`! ${err instanceof Error ? err.message : String(err)}`);
  }
  return lines;
}

function withMounts<T>(path: string, out: string | null, fn: (inPath: string) => T): T {
  sz.FS.mount(sz.NODEFS, { root: dirname(path) }, '/in');
  if (out) sz.FS.mount(sz.NODEFS, { root: out }, '/out');
  try {
    return fn(`/in/${basename(path)}`);
  } finally {
    sz.FS.unmount('/in');
    if (out) sz.FS.unmount('/out');
  }
}

function errorsOf(output: string[]): string[] {
  return output.filter((l) => l.startsWith('! ') && l.trim() !== '!').map((l) => l.slice(2).trim()).filter((l) => l !== '');
}

function list(path: string): Record<string, unknown> {
  const output = withMounts(path, null, (p) => run(['l', '-slt', NO_PASSWORD, '-sccUTF-8', p]));
  const errors = errorsOf(output);
  const blocks: Array<Record<string, string>> = [];
  let current: Record<string, string> | null = null;
  let started = false;
  for (const line of output) {
    if (line.startsWith('----------')) { started = true; continue; }
    if (line === '') { if (current && Object.keys(current).length) blocks.push(current); current = {}; continue; }
    const eq = line.indexOf(' = ');
    if (eq < 0) continue;
    current ??= {};
    current[line.slice(0, eq)] = line.slice(eq + 3);
  }
  if (current && Object.keys(current).length) blocks.push(current);
  const head = blocks.find((b) => b['Type'] !== undefined) ?? {};
  const members = started ? blocks.filter((b) => b['Path'] !== undefined && b !== head && b['Type'] === undefined) : [];
  return {
    type: head['Type'] ?? null,
    physicalSize: head['Physical Size'] ? Number(head['Physical Size']) : null,
    encryptedHeaders: errors.some((e) => /encrypted archive/i.test(e)),
    errors,
    members: members.map((m) => ({
      path: m['Path'],
      isDir: m['Folder'] === '+' || (m['Attributes'] ?? '').startsWith('D'),
      size: m['Size'] ? Number(m['Size']) : null,
      packed: m['Packed Size'] ? Number(m['Packed Size']) : null,
      encrypted: m['Encrypted'] === '+',
      mtime: m['Modified'] ?? null,
      method: m['Method'] ?? null,
    })),
  };
}

function extract(path: string, out: string): Record<string, unknown> {
  const output = withMounts(path, out, (p) => run(['x', '-y', NO_PASSWORD, '-sccUTF-8', '-snl-', '-o/out', p]));
  return { errors: errorsOf(output) };
}

const reader = new FrameReader();
let queue = Promise.resolve();
process.stdin.on('data', (chunk: Buffer) => {
  for (const frame of reader.push(chunk)) {
    queue = queue.then(() => {
      const h = frame.header;
      let reply: Record<string, unknown>;
      try {
        if (h['op'] === 'list') reply = list(String(h['path']));
        else if (h['op'] === 'extract') reply = extract(String(h['path']), String(h['out']));
        else if (h['op'] === 'version') reply = { version: run(['i']).find((l) => l.startsWith('7-Zip')) ?? '7-Zip (wasm)' };
        else reply = { error: `unknown op ${String(h['op'])}` };
      } catch (err) {
        reply = { error: err instanceof Error ? err.message : String(err) };
      }
      process.stdout.write(encodeFrame(reply));
    });
  }
});
process.stdin.on('end', () => { void queue.then(() => process.exit(0)); });
