import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IntakeSummary } from '../../../native/intake/intake.js';
import { DISK, intake, newCase } from './helpers.js';
import { queryCase, catalogueOf } from '../../helpers/catalogue.js';
import { tempDir } from '../../helpers/cli.js';
import { tskHelperPath } from '../../../native/tsk/tskClient.js';

interface Row {
  path_text: string; entry_type: string; size: number | null; inode: string | null; deleted: number; orphan: number;
  alt_stream: number; meta_reallocated: number; content_unverified: number; read_state: string; error_code: string | null;
  md5: string | null; fs_type: string | null; mtime: string | null;
}

function rows(caseDir: string, exhibit: string): Row[] {
  return queryCase<Row>(caseDir, `SELECT f.path_text, f.entry_type, f.size, f.inode, f.deleted, f.orphan, f.alt_stream,
    f.meta_reallocated, f.content_unverified, f.read_state, f.error_code, c.md5, f.fs_type, f.mtime
    FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id LEFT JOIN content c ON c.id = f.content_id
    WHERE e.label = ? ORDER BY f.path`, exhibit);
}

/** DFTT index.html: the table of files with their MD5s, as the image's author lists them. */
function dfttTruth(html: string): Array<{ name: string; md5: string }> {
  const text = html.replace(/<[^>]*>/g, ' ');
  return [...text.matchAll(/\\([^\s]+?)\s+\d+\s+([0-9a-f]{32})/g)].map((m) => ({ name: m[1]!.replace(/\\/g, '/'), md5: m[2]! }));
}

function unzipDftt(zip: string): string {
  const dir = tempDir('dftt');
  execFileSync('unzip', ['-q', zip, '-d', dir]);
  return dir;
}

beforeAll(() => {
  expect(tskHelperPath(), 'npm run build must have built native/tsk/build/kestrel-tsk').not.toBeNull();
});

describe('disk-image intake through the Sleuth Kit helper', () => {
  it('gives identical catalogues for the same ext2 volume in E01, split E01, split raw, VHD and VMDK', async () => {
    const sources = ['ext2.E01', 'ext2.split.E01', 'ext2.splitraw.000', 'ext2.vhd', 'ext2.vmdk'];
    const caseDir = newCase('ext2set');
    const summaries: IntakeSummary[] = [];
    for (const [i, s] of sources.entries()) summaries.push(await intake(caseDir, join(DISK, 'dfvfs', s), `EX-${i}`));
    expect(summaries.map((s) => s.image?.format)).toEqual(['ewf', 'ewf', 'raw', 'vhd', 'vmdk']);
    expect(summaries.map((s) => s.image?.segments)).toEqual([1, 2, 2, 1, 1]);
    expect(summaries.map((s) => s.image?.verification)).toEqual(['verified', 'verified', null, null, null]);
    const first = catalogueOf(caseDir, 'EX-0');
    expect(first.map((r) => r.path_text)).toEqual([
      'volume (ext2, offset 0)/$OrphanFiles', 'volume (ext2, offset 0)/a_directory', 'volume (ext2, offset 0)/a_directory/a_file',
      'volume (ext2, offset 0)/a_directory/another_file', 'volume (ext2, offset 0)/a_link', 'volume (ext2, offset 0)/lost+found',
      'volume (ext2, offset 0)/passwords.txt',
    ]);
    const passwords = first.find((r) => r.path_text.endsWith('passwords.txt'))!;
    expect(passwords).toMatchObject({ entry_type: 'file', size: 116, read_state: 'done' });
    expect(passwords.md5).toMatch(/^[0-9a-f]{32}$/);
    for (let i = 1; i < sources.length; i++) expect(catalogueOf(caseDir, `EX-${i}`), sources[i]).toEqual(first);
    const tree = rows(caseDir, 'EX-0');
    expect(tree.every((r) => r.fs_type === 'ext2' && r.inode !== null)).toBe(true);
    // Every segment was hashed as received and written to the audit log.
    const audit = queryCase<{ details: string }>(caseDir, "SELECT details FROM audit_log WHERE action = 'exhibit.image'");
    const split = JSON.parse(audit[1]!.details) as { segments: Array<{ path: string; sha256: string; size: number }> };
    expect(split.segments.map((s) => s.path)).toEqual([join(DISK, 'dfvfs', 'ext2.split.E01'), join(DISK, 'dfvfs', 'ext2.split.E02')]);
    expect(split.segments[1]!.sha256).toBe(execFileSync('sha256sum', [join(DISK, 'dfvfs', 'ext2.split.E02')], { encoding: 'utf8' }).slice(0, 64));
  });

  it('verifies the stored hashes of an FTK Imager E01 and reads both NTFS partitions; a flipped chunk is a loud mismatch', async () => {
    const caseDir = newCase('mmls');
    const good = await intake(caseDir, join(DISK, 'sleuthkit', 'imageformat_mmls_1.E01'), 'GOOD');
    expect(good.image).toMatchObject({ format: 'ewf', verification: 'verified', volumes: ['partition 1 (ntfs, offset 65536)', 'partition 2 (ntfs, offset 28377088)'] });
    const [ex] = queryCase<{ verification_detail: string; acquisition: string; volumes: string }>(caseDir, "SELECT * FROM exhibit WHERE label = 'GOOD'");
    expect(JSON.parse(ex!.verification_detail)).toMatchObject({ stored: { md5: '8ec671e301095c258224aad701740503', sha1: '067bc6ab29685ee19b0cf82c9d15ac510d1e7d95' } });
    expect(JSON.parse(ex!.acquisition)).toMatchObject({ caseNumber: '1', examiner: 'Rishwanth', description: 'Test E01 for sleuthkit', acquisitionSoftware: 'ADI2.9.0.13', fileFormat: 'FTK Imager' });
    expect(JSON.parse(ex!.volumes)).toMatchObject({ vsType: 'dos', volumes: [{ partition: { desc: 'NTFS / exFAT (0x07)', start: 128 } }, { partition: { start: 55424 } }] });
    const goodRows = rows(caseDir, 'GOOD');
    expect(goodRows.filter((r) => r.alt_stream === 1).map((r) => r.path_text)).toContain('partition 1 (ntfs, offset 65536)/$Secure:$SDS');
    expect(goodRows.find((r) => r.path_text === 'partition 1 (ntfs, offset 65536)/$MFT')).toMatchObject({ inode: '0-1', read_state: 'done' });
    expect(goodRows.filter((r) => r.read_state === 'error')).toEqual([]);

    const bad = await intake(caseDir, join(DISK, 'sleuthkit', 'imageformat_mmls_1.corrupt-chunk.E01'), 'BAD');
    expect(bad.image?.verification).toBe('mismatch');
    expect(bad.image?.verificationMessage).toContain('55424-55487');
    const [badEx] = queryCase<{ verification_detail: string }>(caseDir, "SELECT verification_detail FROM exhibit WHERE label = 'BAD'");
    expect(JSON.parse(badEx!.verification_detail)).toMatchObject({ status: 'mismatch', sectorErrors: [{ first: 55424, last: 55487 }], computed: { md5: '871d8c5334c8d1ae77e6a25268c8c16e' } });
    const audit = queryCase<{ details: string }>(caseDir, "SELECT details FROM audit_log WHERE action = 'exhibit.verification'");
    expect(audit.map((a) => (JSON.parse(a.details) as { status: string }).status)).toEqual(['verified', 'mismatch']);
  });

  it('recovers the deleted files, the alternate data stream and the orphan of DFTT 7 (NTFS) with the MD5s its author lists', async () => {
    const dir = unzipDftt(join(DISK, 'dftt', '7-undel-ntfs.zip'));
    const truth = dfttTruth(readFileSync(join(dir, '7-undel-ntfs', 'index.html'), 'utf8'));
    expect(truth).toHaveLength(9);
    const caseDir = newCase('dftt7');
    await intake(caseDir, join(dir, '7-undel-ntfs', '7-ntfs-undel.dd'), 'D7');
    const all = rows(caseDir, 'D7');
    for (const t of truth) {
      const found = all.filter((r) => r.md5 === t.md5);
      expect(found.length, t.name).toBeGreaterThan(0);
      const where = found.find((r) => r.path_text.endsWith(`/${t.name}`) || r.path_text.endsWith(`/${t.name.split('/').pop()}`))!;
      expect(where, t.name).toBeDefined();
      expect(where.content_unverified, t.name).toBe(0);
    }
    expect(all.find((r) => r.path_text.endsWith('/mult1.dat:ADS'))).toMatchObject({ alt_stream: 1, deleted: 1, md5: 'ba1b9eedb1c091ddca253d35dde8f616' });
    expect(all.find((r) => r.path_text.endsWith('/frag1.dat'))).toMatchObject({ deleted: 1, inode: '29-1', orphan: 0 });
    const sing2 = all.find((r) => r.path_text.endsWith('/sing2.dat'))!;
    expect(sing2).toMatchObject({ orphan: 1, md5: 'c229626f6a71b167ad7e50c4f2fccdb1' });
    expect(sing2.path_text).toContain('/$OrphanFiles/');
    // Leap-day test of the image: the files were written on 29 February 2004.
    expect(all.find((r) => r.path_text.endsWith('/res1.dat'))!.mtime).toMatch(/^2004-02-29T/);
  });

  it('finds the deleted files of DFTT 6 (FAT), marks all their content not verified, and the fragmented ones do differ', async () => {
    const dir = unzipDftt(join(DISK, 'dftt', '6-undel-fat.zip'));
    const html = readFileSync(join(dir, '6-undel-fat', 'index.html'), 'utf8');
    const truth = dfttTruth(html);
    expect(truth).toHaveLength(6);
    const caseDir = newCase('dftt6');
    const summary = await intake(caseDir, join(dir, '6-undel-fat', '6-fat-undel.dd'), 'D6');
    expect(summary.image?.volumes).toEqual(['volume (fat16, offset 0)']);
    const all = rows(caseDir, 'D6');
    const deleted = all.filter((r) => r.deleted === 1 && r.entry_type === 'file');
    // FAT drops the first byte of a deleted name: match on the rest of it.
    for (const t of truth) {
      const base = t.name.split('/').pop()!;
      const entry = deleted.find((r) => r.path_text.endsWith(base.slice(1)))!;
      expect(entry, t.name).toBeDefined();
      expect(entry.content_unverified, t.name).toBe(1);
      if (base.startsWith('frag')) expect(entry.md5, t.name).not.toBe(t.md5);
      else expect(entry.md5, t.name).toBe(t.md5);
    }
    expect(summary.image?.contentUnverified).toBeGreaterThanOrEqual(6);
  });

  it('lists APFS (through its pool volume) and HFS+', async () => {
    const caseDir = newCase('apfs');
    const apfs = await intake(caseDir, join(DISK, 'dfvfs', 'apfs.raw'), 'APFS');
    expect(apfs.image?.volumes).toHaveLength(1);
    expect(apfs.image?.volumes[0]).toBe('volume apfs volume 1 apfs_test (apfs, offset 0)');
    expect(apfs.files).toBeGreaterThan(0);
    const hfs = await intake(caseDir, join(DISK, 'dfvfs', 'hfsplus.raw'), 'HFS');
    expect(hfs.image?.volumes).toEqual(['volume (hfsp, offset 0)']);
    expect(hfs.files).toBeGreaterThan(0);
    expect([...rows(caseDir, 'APFS'), ...rows(caseDir, 'HFS')].filter((r) => r.read_state === 'error')).toEqual([]);
  });

  it('a helper that crashes or hangs on one entry costs that entry only: restarted, recorded, the intake goes on', async () => {
    const caseDir = newCase('fault');
    const source = join(DISK, 'dfvfs', 'ext2.E01');
    // inode 14 is passwords.txt
    const crashed = await intake(caseDir, source, 'CRASH', { tsk: { env: { KESTREL_TSK_FAULT: 'crash:14' } } });
    const hung = await intake(caseDir, source, 'HANG', { tsk: { env: { KESTREL_TSK_FAULT: 'hang:14' }, timeoutMs: 1500 } });
    for (const [exhibit, summary, kind] of [['CRASH', crashed, 'crash'], ['HANG', hung, 'timeout']] as const) {
      expect(summary.errors, exhibit).toBe(1);
      const all = rows(caseDir, exhibit);
      expect(all.find((r) => r.path_text.endsWith('/passwords.txt'))).toMatchObject({ read_state: 'error', error_code: 'EHELPER' });
      expect(all.filter((r) => r.entry_type === 'file' && r.read_state === 'done').map((r) => r.path_text.split('/').pop())).toEqual(['a_file', 'another_file']);
      const incidents = queryCase<{ details: string }>(caseDir, `SELECT a.details FROM audit_log a WHERE a.action = 'intake.helper-incident' AND json_extract(a.details, '$.exhibit') = ?`, exhibit);
      expect(incidents.map((i) => JSON.parse(i.details) as Record<string, unknown>)).toEqual([
        expect.objectContaining({ path: 'volume (ext2, offset 0)/passwords.txt', kind, helper: 'tsk' }),
      ]);
    }
  });

  it('refuses a QCOW image with a one-line reason, and takes a file that is no image in as one file', async () => {
    const caseDir = newCase('formats');
    await expect(intake(caseDir, join(DISK, 'dfvfs', 'ext2.qcow2'), 'Q')).rejects.toThrow(/ext2\.qcow2: QCOW images are not read/);
    const bogus = await intake(caseDir, join(DISK, 'dfvfs', 'bogus.001'), 'B');
    expect(bogus.image).toBeUndefined();
    expect(bogus.files).toBe(1);
  });
});
