import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryCase } from '../../helpers/catalogue.js';
import { REPO_ROOT, kestrel, tempDir } from '../../helpers/cli.js';
import { intake, newCase } from './helpers.js';

const PICTURES = resolve(REPO_ROOT, '..', 'shared', 'reference', 'blockhash');
const md5 = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');

interface Row { path_text: string; md5: string | null; deleted: number; orphan: number; content_unverified: number; inode: string; matched: number; pdq: string | null }

/**
 * Deleted pictures on NTFS as a seized laptop has them: an NTFS volume made by mkntfs, pictures
 * written and then deleted through the real NTFS driver (ntfs-3g, mounted through FUSE: a deletion
 * frees the MFT entries and clusters and drops the names from the folder index, which no offline
 * ntfs-3g tool does), plus a zip of pictures deleted with them. Every picture must be found,
 * hashed to the file's own MD5, flagged deleted with its MFT address, its content counted as
 * verified (NTFS keeps the run list of a freed entry), and matched against a list of all of them.
 */
describe('deleted pictures on an NTFS image built in the test', () => {
  it('are found, hashed, flagged deleted and matched', async () => {
    const pictures = readdirSync(PICTURES).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort().slice(0, 10);
    expect(pictures).toHaveLength(10);
    const dir = tempDir('ntfs-deleted');
    const image = join(dir, 'laptop.img');
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    execFileSync('bash', ['-c', `truncate -s 40M ${image} && mkntfs -q -F -Q -L LAPTOP ${image}`], { stdio: 'ignore' });
    const zipped = pictures.slice(7);
    execFileSync('7z', ['a', '-tzip', join(dir, 'backup.zip'), ...zipped.map((n) => join(PICTURES, n))], { stdio: 'ignore' });
    // A FUSE mount needs /dev/fuse (Debian's ntfs-3g carries its own FUSE library).
    execFileSync('ntfs-3g', ['-o', 'no_def_opts', image, mnt]);
    const deleted = [pictures[0]!, pictures[2]!, pictures[5]!];
    try {
      mkdirSync(join(mnt, 'Users', 'kim', 'Pictures'), { recursive: true });
      // Plain writes: copyFileSync's copy_file_range is refused by the FUSE mount.
      for (const n of pictures.slice(0, 7)) writeFileSync(join(mnt, 'Users', 'kim', 'Pictures', n), readFileSync(join(PICTURES, n)));
      writeFileSync(join(mnt, 'Users', 'kim', 'backup.zip'), readFileSync(join(dir, 'backup.zip')));
      execFileSync('sync');
      for (const n of deleted) rmSync(join(mnt, 'Users', 'kim', 'Pictures', n));
      rmSync(join(mnt, 'Users', 'kim', 'backup.zip'));
    } finally {
      execFileSync('umount', [mnt]);
    }

    const caseDir = newCase('ntfs-deleted');
    await intake(caseDir, image, 'LAPTOP');
    writeFileSync(join(dir, 'list.md5'), pictures.map((n) => `${md5(join(PICTURES, n))}  ${n}\n`).join(''));
    const lib = ['--library', join(dir, 'lib')];
    expect(kestrel(['hashset', 'import', join(dir, 'list.md5'), '--name', 'pictures', ...lib]).status).toBe(0);
    const match = kestrel(['match', caseDir, ...lib]);
    expect(match.status, match.stderr).toBe(0);

    const rows = queryCase<Row>(caseDir, `SELECT f.path_text, c.md5, f.deleted, f.orphan, f.content_unverified, f.inode,
        EXISTS (SELECT 1 FROM hash_match m WHERE m.content_id = c.id) AS matched, i.pdq
      FROM file_instance f LEFT JOIN content c ON c.id = f.content_id LEFT JOIN image_data i ON i.content_id = c.id
      WHERE f.entry_type = 'file' ORDER BY f.path`);
    const at = (path: string) => {
      const found = rows.filter((r) => r.path_text === path);
      expect(found, path).toHaveLength(1);
      return found[0]!;
    };
    const base = 'volume (ntfs, offset 0)/Users/kim';
    for (const n of pictures.slice(0, 7)) {
      const r = at(`${base}/Pictures/${n}`);
      expect(r.md5, n).toBe(md5(join(PICTURES, n)));
      expect(r.deleted, n).toBe(deleted.includes(n) ? 1 : 0);
      expect([r.orphan, r.content_unverified, r.matched], n).toEqual([0, 0, 1]);
      expect(r.inode, n).toMatch(/^\d+-\d+$/);
      expect(r.pdq, n).toMatch(/^[0-9a-f]{64}$/);
    }
    // The deleted zip is still expanded: its pictures are members of a deleted archive.
    const zip = at(`${base}/backup.zip`);
    expect(zip.deleted).toBe(1);
    for (const n of zipped) {
      const r = at(`${base}/backup.zip!/${n}`);
      expect([r.md5, r.deleted, r.matched], n).toEqual([md5(join(PICTURES, n)), 1, 1]);
    }
    // Nothing else on the volume carries these pictures: each is found exactly where it was put.
    const matchedPaths = rows.filter((r) => r.matched).map((r) => r.path_text).sort();
    expect(matchedPaths).toEqual([...pictures.slice(0, 7).map((n) => `${base}/Pictures/${n}`), ...zipped.map((n) => `${base}/backup.zip!/${n}`)].sort());
  }, 300_000);
});
