import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryCase } from '../../helpers/catalogue.js';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';
import { DISK, intake, newCase } from './helpers.js';

const PICTURES = resolve(REPO_ROOT, '..', 'shared', 'reference', 'blockhash');

interface Row { path_text: string; read_state: string; error_code: string | null; encrypted: number; archive_state: string | null; archive_detail: string | null; sha256: string | null; md5: string | null; deleted: number; archive_depth: number }

function rows(caseDir: string, exhibit: string): Row[] {
  return queryCase<Row>(caseDir, `SELECT f.path_text, f.read_state, f.error_code, f.encrypted, f.archive_state, f.archive_detail,
    c.sha256, c.md5, f.deleted, f.archive_depth FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id
    LEFT JOIN content c ON c.id = f.content_id WHERE e.label = ? ORDER BY f.path`, exhibit);
}

const byPath = (all: Row[], p: string) => {
  const r = all.find((x) => x.path_text === p);
  expect(r, p).toBeDefined();
  return r!;
};

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function diskUsage(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const st = statSync(join(dir, name));
    if (st.isFile()) total += st.size;
  }
  return total;
}

describe('archives inside an exhibit', () => {
  it('expands zip, 7z, RAR4/5, tar and gzip members as children, nested ones too, and records encryption without guessing', async () => {
    const caseDir = newCase('arch');
    const summary = await intake(caseDir, join(DISK, 'archives'), 'A');
    const all = rows(caseDir, 'A');
    const a = byPath(all, 'plain.zip!/payload/a.txt').sha256;
    const b = byPath(all, 'plain.zip!/payload/sub/b.bin').sha256;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    for (const p of ['plain.7z!/', 'plain.tar!/', 'plain.tar.gz!/plain.tar!/', 'nested.7z!/inner.zip!/plain.tar.gz!/plain.tar!/']) {
      expect(byPath(all, `${p}payload/a.txt`).sha256, p).toBe(a);
      expect(byPath(all, `${p}payload/sub/b.bin`).sha256, p).toBe(b);
    }
    expect(byPath(all, 'nested.7z!/inner.zip!/plain.tar.gz!/plain.tar!/payload/a.txt').archive_depth).toBe(4);
    for (const p of ['aes.zip!/payload/a.txt', 'enc_data.7z!/payload/sub/b.bin', 'test_read_format_rar4_encrypted.rar!/b.txt', 'test_read_format_rar5_encrypted.rar!/d.txt']) {
      expect(byPath(all, p), p).toMatchObject({ encrypted: 1, error_code: 'EENCRYPTED', sha256: null });
    }
    expect(byPath(all, 'test_read_format_rar5_encrypted.rar!/a.txt')).toMatchObject({ encrypted: 0, read_state: 'done' });
    for (const p of ['enc_headers.7z', 'test_read_format_rar4_encrypted_filenames.rar', 'test_read_format_rar5_encrypted_filenames.rar']) {
      expect(byPath(all, p), p).toMatchObject({ encrypted: 1, archive_state: 'encrypted' });
    }
    expect(all.filter((r) => r.path_text.startsWith('test_read_format_rar5_solid.rar!/') && r.sha256)).toHaveLength(7);
    expect(summary.archives).toMatchObject({ limited: 0, failed: 0 });
    expect(summary.errors).toBe(0);
    expect(existsSync(join(caseDir, 'tmp', 'archives'))).toBe(false);
    const audit = queryCase<{ action: string }>(caseDir, "SELECT action FROM audit_log WHERE action = 'intake.archive-encrypted'");
    expect(audit).toHaveLength(3);
  });

  it('refuses a zip bomb by its expansion ratio before extracting a byte, and enforces depth, size and count limits', async () => {
    const src = tempDir('bomb-src');
    // 256 MiB of zeros deflate to about 256 KiB: made from a stream, never written out whole.
    const made = spawnSync('bash', ['-c', `head -c 268435456 /dev/zero | 7z a -tzip -mx=1 -sizeros.bin ${join(src, 'bomb.zip')}`], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    expect(statSync(join(src, 'bomb.zip')).size).toBeLessThan(2 << 20);
    copyFileSync(join(DISK, 'archives', 'nested.7z'), join(src, 'nested.7z'));
    const caseDir = newCase('bomb');
    const before = process.memoryUsage().rss;
    const summary = await intake(caseDir, src, 'BOMB', { archiveLimits: { maxDepth: 2 } });
    expect(process.memoryUsage().rss - before).toBeLessThan(300 << 20);
    const all = rows(caseDir, 'BOMB');
    const bomb = byPath(all, 'bomb.zip');
    expect(bomb.archive_state).toBe('limit');
    expect(JSON.parse(bomb.archive_detail!)).toMatchObject({ limit: 'expansion ratio', maxRatio: 600, bytes: 268435456, members: 1 });
    expect(all.filter((r) => r.path_text.startsWith('bomb.zip!/'))).toEqual([]);
    expect(diskUsage(caseDir)).toBeLessThan(64 << 20);
    // depth 1 nested.7z, 2 inner.zip, 3 plain.tar.gz and aes.zip: refused
    expect(byPath(all, 'nested.7z!/inner.zip').archive_state).toBe('expanded');
    expect(JSON.parse(byPath(all, 'nested.7z!/inner.zip!/plain.tar.gz').archive_detail!)).toMatchObject({ limit: 'depth', maxDepth: 2 });
    expect(summary.archives.limited).toBe(3);
    const audit = queryCase<{ details: string }>(caseDir, "SELECT details FROM audit_log WHERE action = 'intake.archive-limit'");
    expect(audit.map((x) => (JSON.parse(x.details) as { path: string }).path).sort()).toEqual(['bomb.zip', 'nested.7z!/inner.zip!/aes.zip', 'nested.7z!/inner.zip!/plain.tar.gz']);

    const small = newCase('limits');
    await intake(small, join(DISK, 'archives'), 'L', { archiveLimits: { maxEntries: 3, maxTotalBytes: 50_000 } });
    const limited = rows(small, 'L');
    expect(JSON.parse(byPath(limited, 'plain.zip').archive_detail!)).toMatchObject({ limit: 'entries', maxEntries: 3 });
    expect(JSON.parse(byPath(limited, 'nested.7z').archive_detail!)).toMatchObject({ limit: 'total bytes', maxTotalBytes: 50_000 });
  });

  it('finds every picture of an NTFS image, loose and inside a renamed zip, and every deleted picture of an ext2 image, and matches them against a list', async () => {
    const pictures = readdirSync(PICTURES).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort();
    expect(pictures.length).toBeGreaterThanOrEqual(10);
    const list = new Map(pictures.map((n) => [sha256(join(PICTURES, n)), n]));
    const dir = tempDir('ntfsimg');
    const loose = pictures.slice(0, 5);
    const zipped = pictures.slice(5);
    // A zip of the rest, renamed so its extension says nothing: found by magic bytes.
    execFileSync('7z', ['a', '-tzip', join(dir, 'holiday.boo'), ...zipped.map((n) => join(PICTURES, n))], { stdio: 'ignore' });
    const image = join(dir, 'ntfs.img');
    execFileSync('bash', ['-c', `truncate -s 24M ${image} && mkntfs -q -F -Q -L EVIDENCE ${image}`]);
    for (const n of loose) execFileSync('ntfscp', ['-q', image, join(PICTURES, n), n]);
    execFileSync('ntfscp', ['-q', image, join(dir, 'holiday.boo'), 'holiday.boo']);

    // ext2 keeps the block pointers of a deleted file, so its content can still be read.
    const ext = join(dir, 'ext');
    mkdirSync(join(ext, 'pics'), { recursive: true });
    for (const n of pictures) copyFileSync(join(PICTURES, n), join(ext, 'pics', n));
    const extImage = join(dir, 'ext2.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-d', ext, extImage, '16M']);
    const removed = pictures.filter((_, i) => i % 3 === 0);
    for (const n of removed) execFileSync('debugfs', ['-w', '-R', `rm /pics/${n}`, extImage], { stdio: 'ignore' });

    const caseDir = newCase('pics');
    await intake(caseDir, image, 'NTFS');
    await intake(caseDir, extImage, 'EXT');
    const ntfs = rows(caseDir, 'NTFS');
    const found = new Map(ntfs.filter((r) => r.sha256 && list.has(r.sha256)).map((r) => [list.get(r.sha256!)!, r.path_text]));
    expect([...found.keys()].sort()).toEqual(pictures);
    for (const n of zipped) expect(found.get(n)).toBe(`volume (ntfs, offset 0)/holiday.boo!/${n}`);
    for (const n of loose) expect(found.get(n)).toBe(`volume (ntfs, offset 0)/${n}`);

    const extRows = rows(caseDir, 'EXT');
    for (const n of pictures) {
      const r = extRows.find((x) => x.path_text === `volume (ext2, offset 0)/pics/${n}`)!;
      expect(r, n).toBeDefined();
      expect(r.deleted, n).toBe(removed.includes(n) ? 1 : 0);
      expect(list.get(r.sha256 ?? ''), n).toBe(n);
    }
    const analysed = queryCase<{ n: number }>(caseDir, `SELECT count(DISTINCT c.sha256) AS n FROM content c JOIN image_data i ON i.content_id = c.id WHERE i.pdq IS NOT NULL`)[0]!.n;
    expect(analysed).toBe(pictures.length);
  });
});
