import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryCase } from '../../helpers/catalogue.js';
import { tempDir } from '../../helpers/cli.js';
import { intake, newCase } from './helpers.js';

interface Row { path_text: string; archive_state: string | null; archive_detail: string | null; read_state: string; sha256: string | null }
const rows = (caseDir: string) => queryCase<Row>(caseDir, `SELECT f.path_text, f.archive_state, f.archive_detail, f.read_state, c.sha256
  FROM file_instance f LEFT JOIN content c ON c.id = f.content_id ORDER BY f.path`);

/**
 * The archive reader's memory cap: a 7z whose LZMA2 header asks for a 48 MiB dictionary (48 MiB of
 * zeros, 7 KB packed) is refused by a reader capped at 32 MiB and recorded as a memory limit on the
 * archive; with the default cap the same archive expands to the right bytes. (The ratio limit, which
 * would refuse this archive first, is lifted in both runs.)
 */
describe('the archive reader memory cap', () => {
  it('refuses an archive that asks for more memory than the cap, and records it as a limit', async () => {
    const dir = tempDir('arc-memory');
    const src = join(dir, 'evidence');
    mkdirSync(src);
    const zeros = join(dir, 'zeros.bin');
    writeFileSync(zeros, Buffer.alloc(48 << 20));
    execFileSync('7z', ['a', '-t7z', '-m0=lzma2', '-md=48m', '-mmt=1', join(src, 'notes.dat'), zeros], { stdio: 'ignore' });
    rmSync(zeros);
    const zerosSha = createHash('sha256').update(Buffer.alloc(48 << 20)).digest('hex');

    const capped = newCase('arc-capped');
    await intake(capped, src, 'EX', { archiveLimits: { maxMemoryMb: 32, maxRatio: 1e9 } });
    const archive = rows(capped).find((r) => r.path_text === 'notes.dat')!;
    expect(archive.archive_state).toBe('limit');
    expect(JSON.parse(archive.archive_detail!)).toMatchObject({ limit: 'memory', maxMemoryMb: 32, extractErrors: ["ERROR: Can't allocate required memory!"] });
    const member = rows(capped).find((r) => r.path_text === 'notes.dat!/zeros.bin')!;
    expect([member.read_state, member.sha256]).toEqual(['error', null]);
    expect(queryCase(capped, "SELECT 1 FROM audit_log WHERE action = 'intake.archive-limit'")).toHaveLength(1);

    const open = newCase('arc-uncapped');
    await intake(open, src, 'EX', { archiveLimits: { maxRatio: 1e9 } });
    expect(rows(open).find((r) => r.path_text === 'notes.dat')!.archive_state).toBe('expanded');
    expect(rows(open).find((r) => r.path_text === 'notes.dat!/zeros.bin')!.sha256).toBe(zerosSha);
  }, 300_000);
});
