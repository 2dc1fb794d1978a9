import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type KestrelService } from '../../../native/api/service.js';
import { dispatch } from '../../../native/api/dispatch.js';
import { openSqlite } from '../../../native/catalog/sqlite.js';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';
import { DISK, intake, newCase } from '../disk/helpers.js';
import type { ExhibitInfo, TreeNode } from '../../../native/api/types.js';

const PICTURES = resolve(REPO_ROOT, '..', 'shared', 'reference', 'blockhash');
const hex = (s: string | Buffer) => Buffer.from(s).toString('hex');

/**
 * The evidence tree and the "Where" filter through the typed contract, on an ext2 image built here
 * (mke2fs -d): pictures in folders, some deleted with debugfs, a renamed zip in a subfolder and a
 * folder whose name is not UTF-8; and the FTK Imager E01 pair for the exhibit's verification.
 * Every expectation is also read from the catalogue rows directly.
 */
describe('evidence tree and place filters', () => {
  let service: KestrelService;
  let caseDir: string;
  const removed: string[] = [];
  let pictures: string[] = [];
  const call = async <T>(channel: string, arg: unknown): Promise<T> => {
    const r = await dispatch(service.handlers, channel, arg);
    if (!r.ok) throw new Error(`${channel}: ${r.error}`);
    return r.value as T;
  };

  beforeAll(async () => {
    pictures = readdirSync(PICTURES).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort().slice(0, 9);
    const dir = tempDir('tree');
    const root = join(dir, 'root');
    mkdirSync(join(root, 'pics'), { recursive: true });
    mkdirSync(join(root, 'docs', 'nested'), { recursive: true });
    mkdirSync(Buffer.concat([Buffer.from(join(root, 'docs')), Buffer.from([0x2f, 0x63, 0x61, 0x66, 0xe9])]));
    for (const n of pictures.slice(0, 6)) copyFileSync(join(PICTURES, n), join(root, 'pics', n));
    execFileSync('7z', ['a', '-tzip', join(root, 'docs', 'nested', 'holiday.boo'), ...pictures.slice(6).map((n) => join(PICTURES, n))], { stdio: 'ignore' });
    const image = join(dir, 'ext2.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-d', root, image, '8M']);
    removed.push(pictures[0]!, pictures[3]!);
    for (const n of removed) execFileSync('debugfs', ['-w', '-R', `rm /pics/${n}`, image], { stdio: 'ignore' });
    caseDir = newCase('tree');
    await intake(caseDir, image, 'EXT');
    await intake(caseDir, join(DISK, 'sleuthkit', 'imageformat_mmls_1.corrupt-chunk.E01'), 'BAD');
    service = createService({ caseDir, libraryDir: join(dir, 'lib') });
  }, 300_000);
  afterAll(async () => { await service?.close(); });

  const exhibitId = async (label: string) => (await call<ExhibitInfo[]>('listExhibits', {})).find((e) => e.label === label)!.id;

  it('walks exhibit > volume > folders > archive, with file and deleted counts as the catalogue holds them', async () => {
    const ext = await exhibitId('EXT');
    const [volume, ...others] = await call<TreeNode[]>('evidenceTree', { exhibitId: ext, parent: '' });
    expect(others).toEqual([]);
    expect(volume).toMatchObject({ name: 'volume (ext2, offset 0)', kind: 'volume', hasFolders: true, files: 10, deleted: 2 });
    const top = await call<TreeNode[]>('evidenceTree', { exhibitId: ext, parent: volume!.path });
    const docsNode = top.find((n) => n.name === 'docs')!;
    expect(top.map((n) => [n.name, n.kind, n.files, n.deleted])).toEqual([
      ['$OrphanFiles', 'orphans', 0, 0], ['docs', 'folder', 4, 0], ['lost+found', 'folder', 0, 0], ['pics', 'folder', 6, 2],
    ]);
    const docs = await call<TreeNode[]>('evidenceTree', { exhibitId: ext, parent: docsNode.path });
    // The name that is not UTF-8 keeps its byte, shown as \xe9 and keyed by its raw bytes.
    expect(docs.map((n) => n.name)).toEqual(['caf\\xe9', 'nested']);
    expect(docs[0]!.path).toBe(hex(Buffer.concat([Buffer.from('volume (ext2, offset 0)/docs/caf'), Buffer.from([0xe9])])));
    const nested = await call<TreeNode[]>('evidenceTree', { exhibitId: ext, parent: docs[1]!.path });
    expect(nested.map((n) => [n.name, n.kind, n.files])).toEqual([['holiday.boo!', 'archive', 3]]);
    expect(await call<TreeNode[]>('evidenceTree', { exhibitId: ext, parent: nested[0]!.path })).toEqual([]);
  });

  it('filters the grid below a node and by place, one file instance satisfying both', async () => {
    const ext = await exhibitId('EXT');
    const pics = hex('volume (ext2, offset 0)/pics');
    const count = async (filter: object) => (await call<{ total: number }>('countItems', { filter })).total;
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    const direct = (where: string) => (db.prepare(`SELECT count(DISTINCT content_id) AS n FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id
      WHERE e.label = 'EXT' AND f.content_id IS NOT NULL AND f.entry_type = 'file' AND ${where}`).get() as { n: number }).n;
    expect(await count({ under: { exhibitId: ext, path: pics } })).toBe(6);
    expect(await count({ under: { exhibitId: ext, path: pics }, place: 'deleted' })).toBe(2);
    expect(await count({ under: { exhibitId: ext, path: pics }, place: 'allocated' })).toBe(4);
    expect(await count({ place: 'inArchive' })).toBe(direct('f.archive_parent IS NOT NULL'));
    expect(await count({ place: 'inArchive' })).toBe(3);
    expect(await count({ place: 'deleted' })).toBe(direct('f.deleted = 1'));
    expect(await count({ place: 'contentUnverified' })).toBe(direct('f.content_unverified = 1'));
    expect(await count({ place: 'contentUnverified' })).toBeGreaterThanOrEqual(2);
    db.close();
    // The archive's members are below the folder that holds it; nothing deleted there.
    expect(await count({ under: { exhibitId: ext, path: hex('volume (ext2, offset 0)/docs') }, place: 'inArchive' })).toBe(3);
    expect(await count({ under: { exhibitId: ext, path: hex('volume (ext2, offset 0)/docs') }, place: 'deleted' })).toBe(0);
    const page = await call<{ rows: { id: number; name: string; places: unknown }[] }>('queryItems', {
      filter: { under: { exhibitId: ext, path: pics }, place: 'deleted' }, sort: { key: 'name', dir: 'asc' }, offset: 0, limit: 10,
    });
    expect(page.rows.map((r) => r.name)).toEqual([...removed].sort());
    // The grid row says how its copies lie, for the tile's marks.
    expect(page.rows.map((r) => r.places)).toEqual([0, 1].map(() => ({ deleted: 1, orphan: 0, contentUnverified: 1 })));
    const detail = await call<{ instances: { flags: string[]; fsAddress: string | null; fsType: string | null }[] }>('getItem', { contentId: page.rows[0]!.id });
    expect(detail.instances[0]).toMatchObject({ flags: ['deleted', 'content not verified'], fsType: 'ext2' });
    expect(detail.instances[0]!.fsAddress).toMatch(/^\d+$/);
  });

  it('refuses a tree path that is not raw bytes as hex, and a place it does not know', async () => {
    expect(await dispatch(service.handlers, 'evidenceTree', { exhibitId: 1, parent: 'pics' })).toMatchObject({ ok: false, error: expect.stringMatching(/hex/) });
    expect(await dispatch(service.handlers, 'countItems', { filter: { place: 'hidden' } })).toMatchObject({ ok: false });
  });

  it('shows a disk image exhibit with its format, segments, volumes and E01 verification: a corrupt chunk is a mismatch with its sectors', async () => {
    const exhibits = await call<ExhibitInfo[]>('listExhibits', {});
    const bad = exhibits.find((e) => e.label === 'BAD')!.image!;
    expect(bad).toMatchObject({ format: 'ewf', verificationStatus: 'mismatch', verification: { sectorErrors: [{ first: 55424, last: 55487 }] } });
    expect(bad.acquisition).toMatchObject({ caseNumber: '1', examiner: 'Rishwanth', acquisitionSoftware: 'ADI2.9.0.13' });
    expect(bad.segments).toHaveLength(1);
    expect(bad.layout!.volumes.map((v) => v.label)).toEqual(['partition 1 (ntfs, offset 65536)', expect.stringMatching(/^partition 2 /)]);
    const ext = exhibits.find((e) => e.label === 'EXT')!.image!;
    expect(ext).toMatchObject({ format: 'raw', verificationStatus: null, acquisition: null });
  });
});
