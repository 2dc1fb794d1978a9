/**
 * The inner loop of perceptual matching, as a WebAssembly module assembled here from its
 * instructions (no toolchain needed to build it). JavaScript has no 64-bit popcount, and this loop
 * runs tens of billions of times against a large list; `i64.popcnt` makes each pair a handful of
 * machine instructions.
 *
 * scan(q, qn, h, hn, r, out) compares qn 256-bit hashes at byte offset q with hn hashes at h and
 * writes (queryIndex, listIndex, distance) as three i32 at out for every pair within r bits; it
 * returns the number of pairs written. The caller sizes `out` for qn * hn pairs. The first 128 bits
 * are compared first: an unrelated pair differs there by about 64 bits, so the rest is rarely read.
 */

const I32 = 0x7f;
const I64 = 0x7e;

const OP = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d,
  get: 0x20, set: 0x21, tee: 0x22,
  i64Load: 0x29, i32Store: 0x36, i32Const: 0x41,
  i32GeU: 0x4f, i64LeU: 0x58, i32Add: 0x6a, i32Mul: 0x6c,
  i64Popcnt: 0x7b, i64Add: 0x7c, i64Xor: 0x85, i32WrapI64: 0xa7, i64ExtendI32U: 0xad,
} as const;
const VOID = 0x40;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  const bytes = [...Buffer.from(s, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

// Parameters 0..5, then locals.
const q = 0, qn = 1, h = 2, hn = 3, r = 4, out = 5;
const qi = 6, hi = 7, p = 8, cnt = 9;
const q0 = 10, q1 = 11, q2 = 12, q3 = 13, d = 14, r64 = 15;
const qp = 16;

const get = (i: number) => [OP.get, i];
const set = (i: number) => [OP.set, i];
const i32 = (n: number) => [OP.i32Const, ...sleb(n)];
const load64 = (offset: number) => [OP.i64Load, 3, ...uleb(offset)];
const store32 = (offset: number) => [OP.i32Store, 2, ...uleb(offset)];
/** popcount(qWord ^ mem[p + offset]) */
const wordDistance = (qWord: number, offset: number) => [...get(qWord), ...get(p), ...load64(offset), OP.i64Xor, OP.i64Popcnt];
const outSlot = () => [...get(out), ...get(cnt), ...i32(12), OP.i32Mul, OP.i32Add];

const body: number[] = [
  ...get(r), OP.i64ExtendI32U, ...set(r64),
  ...get(q), ...set(qp),
  OP.block, VOID,
  OP.loop, VOID,
  ...get(qi), ...get(qn), OP.i32GeU, OP.brIf, 1,
  ...get(qp), ...load64(0), ...set(q0),
  ...get(qp), ...load64(8), ...set(q1),
  ...get(qp), ...load64(16), ...set(q2),
  ...get(qp), ...load64(24), ...set(q3),
  ...get(h), ...set(p),
  ...i32(0), ...set(hi),
  OP.block, VOID,
  OP.loop, VOID,
  ...get(hi), ...get(hn), OP.i32GeU, OP.brIf, 1,
  ...wordDistance(q0, 0), ...wordDistance(q1, 8), OP.i64Add, OP.tee, d, ...get(r64), OP.i64LeU,
  OP.if, VOID,
  ...get(d), ...wordDistance(q2, 16), OP.i64Add, ...wordDistance(q3, 24), OP.i64Add,
  OP.tee, d, ...get(r64), OP.i64LeU,
  OP.if, VOID,
  ...outSlot(), ...get(qi), ...store32(0),
  ...outSlot(), ...get(hi), ...store32(4),
  ...outSlot(), ...get(d), OP.i32WrapI64, ...store32(8),
  ...get(cnt), ...i32(1), OP.i32Add, ...set(cnt),
  OP.end,
  OP.end,
  ...get(p), ...i32(32), OP.i32Add, ...set(p),
  ...get(hi), ...i32(1), OP.i32Add, ...set(hi),
  OP.br, 0,
  OP.end,
  OP.end,
  ...get(qp), ...i32(32), OP.i32Add, ...set(qp),
  ...get(qi), ...i32(1), OP.i32Add, ...set(qi),
  OP.br, 0,
  OP.end,
  OP.end,
  ...get(cnt),
  OP.end,
];

const locals = [3, 4, I32, 6, I64, 1, I32];
const funcBody = [...locals, ...body];

const moduleBytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 1, I32]),
  ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 1]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...name('scan'), 0x00, 0]),
  ...section(10, [1, ...uleb(funcBody.length), ...funcBody]),
]);

/** The part of the WebAssembly API used here (the project's lib settings carry no WebAssembly types). */
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const compiled = new wasm.Module(moduleBytes);

export interface HammingKernel {
  memory: WasmMemory;
  /** See the module comment; offsets are bytes into `memory`. */
  scan(q: number, qn: number, h: number, hn: number, r: number, out: number): number;
  /** Makes memory at least `bytes` long (views over it must be taken again afterwards). */
  ensure(bytes: number): void;
}

export function createKernel(): HammingKernel {
  const memory = new wasm.Memory({ initial: 1 });
  const instance = new wasm.Instance(compiled, { env: { memory } });
  const scan = instance.exports['scan'] as HammingKernel['scan'];
  return {
    memory,
    scan,
    ensure(bytes: number) {
      const have = memory.buffer.byteLength;
      if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
    },
  };
}
