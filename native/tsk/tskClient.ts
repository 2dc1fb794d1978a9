import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HelperSupervisor, type HelperIncident } from '../helpers/supervisor.js';

/**
 * Typed access to kestrel-tsk (tskHelper.cpp), one long-lived process per disk image under the
 * helper supervisor: a crash or hang on damaged evidence costs the entry being read, the process is
 * restarted and re-opens the image and the file systems opened so far.
 */

export interface ImageInfo { imgType: string; size: number; sectorSize: number }
export interface TskVolume { addr: number; start: number; length: number; slot: number; table: number; desc: string; flags: 'alloc' | 'unalloc' | 'meta' }
export interface VolumeSystem { vsType: string | null; blockSize?: number; volumes?: TskVolume[]; message?: string }
export interface PoolVolume { index: number; desc: string; block: number; blocks: number; encrypted: boolean }
export interface PoolInfo { poolType: string; blockSize: number; volumes: PoolVolume[] }
export interface FsInfo { fs: number; fsType: string; blockSize: number; blockCount: number; rootInum: number }
export interface FsWhere { offset: number; fsType?: string; poolOffset?: number; poolBlock?: number }

/** One name found by the directory walk, as libtsk reports it (names as raw bytes). */
export interface TskEntry {
  parent: Buffer;
  name: Buffer;
  inum: number;
  seq: number;
  nameType: string;
  nameFlags: number;
  metaType: string | null;
  metaFlags: number | null;
  metaSeq: number | null;
  size: number | null;
  times: { m: [number, number]; a: [number, number]; c: [number, number]; b: [number, number] } | null;
  streams: Array<{ name: Buffer; type: number; id: number; size: number }>;
  /** File slack bytes past the content in its last cluster (walks asked for slack only; 0 otherwise). */
  slack: number;
}

interface RawEntry {
  p: string; n: string; ino: number; seq: number; nt: string; nf: number;
  t?: string; mf?: number; sz?: number; mseq?: number; sl?: number;
  m?: number; mn?: number; a?: number; an?: number; c?: number; cn?: number; b?: number; bn?: number;
  ads?: Array<{ n: string; type: number; id: number; sz: number }>;
}

export const NAME_UNALLOC = 0x02;
export const META_ALLOC = 0x01;

/** Where the built helper is, from sources (tests) and from dist/. */
export function tskHelperPath(): string | null {
  const name = process.platform === 'win32' ? 'kestrel-tsk.exe' : 'kestrel-tsk';
  for (const rel of [`./build/${name}`, `../../../native/tsk/build/${name}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

export interface TskClientOptions {
  requestTimeoutMs?: number;
  maxRestarts?: number;
  /** Extra environment for the helper (the tests' fault injection). */
  env?: NodeJS.ProcessEnv;
  onIncident?: (incident: HelperIncident) => void;
}

export class TskClient {
  private readonly helper: HelperSupervisor;
  /** File systems to re-open, in order, on a fresh process: their ids then come back the same. */
  private readonly opened: FsWhere[] = [];

  constructor(readonly segments: readonly string[], options: TskClientOptions = {}) {
    const command = tskHelperPath();
    if (!command) throw new Error('the Sleuth Kit helper (kestrel-tsk) is not built: install libtsk-dev and run npm run build');
    this.helper = new HelperSupervisor({
      name: 'tsk',
      command,
      env: { ...process.env, ...options.env },
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      maxRestarts: options.maxRestarts ?? 20,
      onIncident: options.onIncident,
      prepare: async (call) => {
        await call({ op: 'open', paths: [...this.segments] });
        for (const where of this.opened) await call({ op: 'openfs', ...where });
      },
    });
  }

  get incidents(): readonly HelperIncident[] {
    return this.helper.incidents;
  }

  async version(): Promise<string> {
    return String((await this.helper.request({ op: 'version' })).header['tsk']);
  }

  async image(): Promise<ImageInfo> {
    return (await this.helper.request({ op: 'info' })).header as unknown as ImageInfo;
  }

  async volumes(): Promise<VolumeSystem> {
    return (await this.helper.request({ op: 'volumes' })).header as unknown as VolumeSystem;
  }

  async pool(offset: number): Promise<PoolInfo> {
    return (await this.helper.request({ op: 'pool', offset })).header as unknown as PoolInfo;
  }

  async openFs(where: FsWhere): Promise<FsInfo> {
    const r = (await this.helper.request({ op: 'openfs', ...where })).header as unknown as FsInfo;
    this.opened.push(where);
    return r;
  }

  /** Every name of the file system, in batches, names as bytes. */
  async walk(fs: number, onEntries: (entries: TskEntry[]) => void, opts: { slack?: boolean } = {}): Promise<{ count: number; warning?: string }> {
    const done = await this.helper.request({ op: 'walk', fs, ...(opts.slack ? { slack: true } : {}) }, undefined, {
      label: `walk of file system ${fs}`,
      onFrame: (f) => onEntries((f.header['entries'] as RawEntry[]).map(toEntry)),
    });
    return done.header as { count: number; warning?: string };
  }

  /** The content of an inode (or one of its attributes), chunk by chunk; with slack, the file slack after its content instead. */
  async cat(
    fs: number, inum: number, attr: { type: number; id: number } | null, label: string, onChunk: (chunk: Buffer) => void, opts: { slack?: boolean } = {},
  ): Promise<{ size: number; read: number; warning?: string }> {
    const header: Record<string, unknown> = { op: 'cat', fs, inum, ...(opts.slack ? { slack: true } : {}) };
    if (attr) Object.assign(header, { attrType: attr.type, attrId: attr.id });
    const done = await this.helper.request(header, undefined, { label, onFrame: (f) => onChunk(f.body) });
    return done.header as { size: number; read: number; warning?: string };
  }

  close(): Promise<void> {
    return this.helper.close();
  }
}

function toEntry(r: RawEntry): TskEntry {
  return {
    parent: Buffer.from(r.p, 'hex'),
    name: Buffer.from(r.n, 'hex'),
    inum: r.ino,
    seq: r.seq,
    nameType: r.nt,
    nameFlags: r.nf,
    metaType: r.t ?? null,
    metaFlags: r.mf ?? null,
    metaSeq: r.mseq ?? null,
    size: r.sz ?? null,
    times: r.m === undefined ? null : { m: [r.m, r.mn!], a: [r.a!, r.an!], c: [r.c!, r.cn!], b: [r.b!, r.bn!] },
    streams: (r.ads ?? []).map((s) => ({ name: Buffer.from(s.n, 'hex'), type: s.type, id: s.id, size: s.sz })),
    slack: r.sl ?? 0,
  };
}
