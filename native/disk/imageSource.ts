import type { EntryType } from '../intake/walk.js';
import { nsToIso } from '../intake/times.js';
import { META_ALLOC, NAME_UNALLOC, type TskClient, type TskEntry, type TskVolume } from '../tsk/tskClient.js';

/**
 * A disk image as a source of entries: its volumes (partition table, APFS pool volumes, or one
 * file system filling the image), and every name of every file system with the address it can be
 * read again from. Deterministic: listing the same image twice gives the same volumes in the same
 * order, so an address recorded before a kill -9 still means the same file after it.
 */
export interface ImageVolume {
  /** Position in the layout; addresses refer to volumes by it. */
  index: number;
  /** First path component of its entries: `partition 2 (ntfs, offset 65536)`. */
  label: string;
  offset: number;
  partition: { addr: number; slot: number; desc: string; start: number; length: number } | null;
  pool: { offset: number; block: number; index: number; desc: string; encrypted: boolean } | null;
  fsType: string | null;
  /** Why no file system was read on it (TSK's message). */
  message: string | null;
  /** The helper's handle while this process runs; not stored. */
  fs: number | null;
}

export interface ImageLayout {
  imgType: string;
  size: number;
  sectorSize: number;
  vsType: string | null;
  volumes: ImageVolume[];
}

/** slack: the entry is the file slack of the inode's content (intake --file-slack), not the content. */
export interface EntryAddress { volume: number; inum: number; seq: number; attr?: { type: number; id: number }; slack?: true }

export interface ImageEntry {
  rel: Buffer;
  type: EntryType;
  size: number | null;
  inode: string;
  mtime: string | null;
  atime: string | null;
  ctime: string | null;
  birthtime: string | null;
  address: EntryAddress;
  fsType: string;
  deleted: boolean;
  metaReallocated: boolean;
  orphan: boolean;
  altStream: boolean;
  contentUnverified: boolean;
  /** File slack of an allocated file, catalogued as its own entry `NAME (file slack)`. */
  slack: boolean;
  /** Whether there is content to read: a file whose metadata is its own. */
  readable: boolean;
}

/** Reads the image's layout, opening every file system found (or the one forced with fsType). */
export async function readLayout(client: TskClient, fsType?: string): Promise<ImageLayout> {
  const img = await client.image();
  const vs = await client.volumes();
  const volumes: ImageVolume[] = [];
  const add = async (base: Omit<ImageVolume, 'index' | 'label' | 'fsType' | 'message' | 'fs'>, name: string) => {
    const v: ImageVolume = { ...base, index: volumes.length, label: '', fsType: null, message: null, fs: null };
    volumes.push(v);
    try {
      const where = base.pool ? { offset: 0, poolOffset: base.pool.offset, poolBlock: base.pool.block, fsType } : { offset: base.offset, fsType };
      const info = await client.openFs(where);
      v.fs = info.fs;
      v.fsType = info.fsType;
    } catch (err) {
      v.message = err instanceof Error ? err.message : String(err);
    }
    v.label = `${name} (${v.fsType ?? sanitize(base.partition?.desc ?? 'unknown')}, offset ${base.offset})`;
  };
  const addWithPools = async (offset: number, partition: ImageVolume['partition'], name: string) => {
    // An APFS container is a pool: its file systems are its volumes, not the partition itself.
    const pool = fsType ? null : await client.pool(offset).catch(() => null);
    if (pool && pool.volumes.length > 0) {
      for (const pv of pool.volumes) {
        await add({ offset, partition, pool: { offset, block: pv.block, index: pv.index, desc: pv.desc, encrypted: pv.encrypted } },
          `${name} ${pool.poolType} volume ${pv.index + 1} ${sanitize(pv.desc)}`);
      }
    } else {
      await add({ offset, partition, pool: null }, name);
    }
  };
  if (vs.vsType && vs.volumes) {
    const blockSize = vs.blockSize ?? img.sectorSize;
    let n = 0;
    for (const p of vs.volumes.filter((x: TskVolume) => x.flags === 'alloc')) {
      n += 1;
      await addWithPools(p.start * blockSize, { addr: p.addr, slot: p.slot, desc: p.desc, start: p.start, length: p.length }, `partition ${n}`);
    }
  } else {
    await addWithPools(0, null, 'volume');
  }
  return { imgType: img.imgType, size: img.size, sectorSize: img.sectorSize, vsType: vs.vsType, volumes };
}

/** Labels are one path component: a slash in TSK's description would split it in two. */
function sanitize(s: string): string {
  return s.replace(/\//g, '\u2215').trim();
}

const TYPES: Record<string, EntryType> = {
  r: 'file', v: 'file', d: 'directory', V: 'directory', l: 'symlink', p: 'fifo', s: 'socket', c: 'char-device', b: 'block-device',
};

function iso(t: [number, number]): string | null {
  return t[0] === 0 && t[1] === 0 ? null : nsToIso(BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]));
}

/** File systems where the content of a deleted file is a guess the file system cannot back. */
function deletedContentUnverified(fsType: string): boolean {
  return !/^ntfs/.test(fsType);
}

const ORPHANS = Buffer.from('$OrphanFiles/');

/** Every entry of one volume, in the helper's walk order, handed over in batches. */
export const SLACK_SUFFIX = ' (file slack)';

export async function listVolume(
  client: TskClient, volume: ImageVolume, onBatch: (entries: ImageEntry[]) => void, opts: { fileSlack?: boolean } = {},
): Promise<{ count: number; warning?: string }> {
  if (volume.fs === null || volume.fsType === null) return { count: 0 };
  const fsType = volume.fsType;
  const label = Buffer.from(volume.label, 'utf8');
  const isNtfs = /^ntfs/.test(fsType);
  return client.walk(volume.fs, (batch: TskEntry[]) => {
    const out: ImageEntry[] = [];
    for (const e of batch) {
      const rel = Buffer.concat([label, Buffer.from('/'), e.parent, e.name]);
      const type = TYPES[e.metaType ?? e.nameType] ?? 'unknown';
      const deleted = (e.nameFlags & NAME_UNALLOC) !== 0;
      const metaAllocated = e.metaFlags !== null && (e.metaFlags & META_ALLOC) !== 0;
      // A deleted name whose metadata is allocated again points at another file: its content is not
      // this name's. NTFS adds one to an MFT entry's sequence number when it frees it; any other
      // step means the entry was used again since (and freed again).
      const metaReallocated = deleted && e.metaFlags !== null &&
        (metaAllocated || (isNtfs && e.metaSeq !== null && e.metaSeq !== e.seq && e.metaSeq !== ((e.seq + 1) & 0xffff)));
      const orphan = e.parent.subarray(0, ORPHANS.length).equals(ORPHANS);
      const contentUnverified = (deleted || orphan) && !metaReallocated && !metaAllocated && deletedContentUnverified(fsType);
      const times = e.times;
      const base = {
        mtime: times ? iso(times.m) : null, atime: times ? iso(times.a) : null,
        ctime: times ? iso(times.c) : null, birthtime: times ? iso(times.b) : null, fsType, deleted, metaReallocated, orphan,
      };
      const inode = isNtfs ? `${e.inum}-${e.seq}` : String(e.inum);
      out.push({
        ...base, rel, type, size: e.size, inode, address: { volume: volume.index, inum: e.inum, seq: e.seq },
        altStream: false, contentUnverified, slack: false, readable: type === 'file' && e.metaFlags !== null && !metaReallocated,
      });
      if (e.slack > 0) {
        out.push({
          ...base, rel: Buffer.concat([rel, Buffer.from(SLACK_SUFFIX)]), type: 'file', size: e.slack, inode,
          address: { volume: volume.index, inum: e.inum, seq: e.seq, slack: true }, altStream: false, contentUnverified: false, slack: true, readable: true,
        });
      }
      for (const s of e.streams) {
        // $BadClus:$Bad is a sparse stream as long as the volume, recording bad clusters: no content.
        const badClusterMap = e.inum === 8 && s.name.toString('latin1') === '$Bad';
        out.push({
          ...base, rel: Buffer.concat([rel, Buffer.from(':'), s.name]), type: 'file', size: s.size,
          inode: `${inode}-${s.type}-${s.id}`, address: { volume: volume.index, inum: e.inum, seq: e.seq, attr: { type: s.type, id: s.id } },
          altStream: true, contentUnverified, slack: false, readable: !metaReallocated && !badClusterMap,
        });
      }
    }
    onBatch(out);
  }, { slack: opts.fileSlack });
}
