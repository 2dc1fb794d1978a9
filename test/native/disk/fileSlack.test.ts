import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryCase } from '../../helpers/catalogue.js';
import { kestrel, REPO_ROOT, tempDir } from '../../helpers/cli.js';
import { intake, newCase } from './helpers.js';

const PICTURE = resolve(REPO_ROOT, '..', 'shared', 'reference', 'blockhash', '00002701.jpg');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Row { path_text: string; size: number; slack: number; read_state: string; sha256: string | null; extension: string | null }

/**
 * File slack on an ext2 image built here with 1 KiB blocks: note.txt holds 1,500 bytes, so its
 * second block has 548 bytes past the content; those bytes are overwritten in the image with a
 * known pattern (as a file that stood there before would have left them). --file-slack catalogues
 * them as `note.txt (file slack)`, flagged, with the pattern's hashes; the picture's slack is the
 * zeros mke2fs left; without the flag no slack entry exists.
 */
describe('file slack (intake --file-slack)', () => {
  it('catalogues each allocated file\'s slack as its own flagged, hashed entry, and nothing without the flag', async () => {
    const dir = tempDir('slack');
    const root = join(dir, 'root');
    mkdirSync(root);
    const note = Buffer.alloc(1500, 'n');
    writeFileSync(join(root, 'note.txt'), note);
    copyFileSync(PICTURE, join(root, 'photo.jpg'));
    const image = join(dir, 'ext2.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-b', '1024', '-d', root, image, '8M']);
    const block = Number(execFileSync('debugfs', ['-R', 'bmap /note.txt 1', image], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    expect(block).toBeGreaterThan(0);
    const pattern = Buffer.from('earlier file: KESTREL-SLACK '.repeat(20)).subarray(0, 1024 - (1500 - 1024));
    const fd = openSync(image, 'r+');
    writeSync(fd, pattern, 0, pattern.length, block * 1024 + (1500 - 1024));
    closeSync(fd);

    const caseDir = join(dir, 'case');
    expect(kestrel(['init', caseDir, '--case-number', 'SL-1', '--examiner', 'E']).status).toBe(0);
    const run = kestrel(['intake', caseDir, image, '--exhibit', 'S', '--file-slack']);
    expect(run.status, run.stderr).toBe(0);
    const rows = queryCase<Row>(caseDir, `SELECT f.path_text, f.size, f.slack, f.read_state, c.sha256, f.extension FROM file_instance f
      LEFT JOIN content c ON c.id = f.content_id WHERE f.entry_type = 'file' ORDER BY f.path`);
    const at = (p: string) => rows.find((r) => r.path_text === `volume (ext2, offset 0)/${p}`);
    expect(at('note.txt')).toMatchObject({ size: 1500, slack: 0, sha256: sha256(note), extension: 'txt' });
    expect(at('note.txt (file slack)')).toMatchObject({ size: 548, slack: 1, read_state: 'done', sha256: sha256(pattern), extension: null });
    const picture = readFileSync(PICTURE);
    const pictureSlack = Math.ceil(picture.length / 1024) * 1024 - picture.length;
    expect(at('photo.jpg')).toMatchObject({ slack: 0, sha256: sha256(picture) });
    expect(at('photo.jpg (file slack)')).toMatchObject({ size: pictureSlack, slack: 1, sha256: sha256(Buffer.alloc(pictureSlack)) });
    // Every slack entry is the slack of a file beside it, and only allocated files have one.
    for (const r of rows.filter((x) => x.slack === 1)) expect(at(r.path_text.slice('volume (ext2, offset 0)/'.length, -' (file slack)'.length))?.slack).toBe(0);
    const audit = queryCase<{ d: string }>(caseDir, "SELECT details AS d FROM audit_log WHERE action = 'intake.start'");
    expect(JSON.parse(audit[0]!.d)).toMatchObject({ fileSlack: true });

    const plain = newCase('slack-off');
    await intake(plain, image, 'S');
    expect(queryCase<{ n: number }>(plain, 'SELECT count(*) AS n FROM file_instance WHERE slack = 1 OR path_text LIKE ?', '%(file slack)')[0]!.n).toBe(0);
  });
});
