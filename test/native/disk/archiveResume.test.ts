import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kestrel, kestrelAsync, tempDir } from '../../helpers/cli.js';
import { catalogueOf, queryCase } from '../../helpers/catalogue.js';

function newCase(name: string): string {
  const dir = join(tempDir(name), 'case');
  expect(kestrel(['init', dir, '--case-number', 'R-11', '--examiner', 'Test']).status).toBe(0);
  return dir;
}

/** Six zips of 300 small files each (one holding a nested 7z), renamed so only magic bytes tell them. */
function archiveSource(): string {
  const dir = tempDir('archive-src');
  const src = join(dir, 'evidence');
  mkdirSync(src);
  for (let a = 0; a < 6; a++) {
    const members = join(dir, `m${a}`);
    mkdirSync(join(members, 'sub'), { recursive: true });
    for (let i = 0; i < 300; i++) writeFileSync(join(members, i % 3 ? `f${i}.txt` : join('sub', `g${i}.txt`)), `archive ${a} member ${i}\n`.repeat(1 + (i % 7)));
    if (a === 2) execFileSync('7z', ['a', '-t7z', join(members, 'inner.dat'), join(members, 'sub')], { stdio: 'ignore' });
    execFileSync('7z', ['a', '-tzip', join(src, `backup${a}.bin`), `${members}/*`], { stdio: 'ignore' });
  }
  return src;
}

interface ArchiveState { path_text: string; archive_state: string | null; archive_depth: number; archive_parent: string | null; encrypted: number }
const archiveColumns = (caseDir: string) => queryCase<ArchiveState>(caseDir, `SELECT f.path_text, f.archive_state, f.archive_depth, f.encrypted,
    (SELECT p.path_text FROM file_instance p WHERE p.id = f.archive_parent) AS archive_parent
  FROM file_instance f ORDER BY f.path`);

/** Starts an intake and SIGKILLs it once the catalogue shows an archive expanded and another not yet. */
function killMidArchive(caseDir: string, src: string): Promise<{ expanded: number; members: number }> {
  return new Promise((resolve, reject) => {
    const child = kestrelAsync(['intake', caseDir, src, '--exhibit', 'EX']);
    let seen: { expanded: number; members: number } | null = null;
    const poll = setInterval(() => {
      if (!existsSync(join(caseDir, 'catalogue.sqlite'))) return;
      try {
        const [s] = queryCase<{ expanded: number; members: number }>(caseDir,
          "SELECT coalesce(sum(archive_state = 'expanded'), 0) AS expanded, coalesce(sum(archive_parent IS NOT NULL), 0) AS members FROM file_instance");
        if (s && s.expanded >= 1 && s.expanded < 3 && s.members > 0) {
          seen = s;
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      } catch { /* the catalogue is being created */ }
    }, 15);
    child.on('exit', () => { clearInterval(poll); if (seen) resolve(seen); else reject(new Error('the intake ended before it could be killed inside its archives')); });
  });
}

describe('an intake killed while it expands archives', () => {
  it('resumes to the same catalogue, archive states and members included, and leaves no temporary files', async () => {
    const src = archiveSource();
    const atimes = () => readdirSync(src).map((n) => statSync(join(src, n), { bigint: true }).atimeNs);
    const before = atimes();
    const whole = newCase('arc-whole');
    const run = kestrel(['intake', whole, src, '--exhibit', 'EX']);
    expect(run.status, run.stderr).toBe(0);
    // Expanding an archive reads the evidence without touching its access time.
    expect(atimes()).toEqual(before);
    const expected = catalogueOf(whole, 'EX');
    expect(expected.filter((r) => r.path_text.includes('!/'))).toHaveLength(6 * 300 + 6 + 1 + 101); // files, sub/ folders, inner.dat, its sub/ and 100 files

    const resumed = newCase('arc-resumed');
    const killed = await killMidArchive(resumed, src);
    expect(killed.members).toBeGreaterThan(0);
    const unfinished = queryCase<{ n: number }>(resumed, `SELECT count(*) AS n FROM file_instance f JOIN content c ON c.id = f.content_id
      WHERE c.detected_type = 'application/zip' AND f.archive_state IS NULL`)[0]!.n;
    expect(unfinished).toBeGreaterThan(0);
    const finish = kestrel(['intake', resumed, src, '--exhibit', 'EX']);
    expect(finish.status, finish.stderr).toBe(0);
    expect(finish.stdout).toContain('(resumed)');
    expect(catalogueOf(resumed, 'EX')).toEqual(expected);
    expect(archiveColumns(resumed)).toEqual(archiveColumns(whole));
    expect(existsSync(join(resumed, 'tmp', 'archives')) ? readdirSync(join(resumed, 'tmp', 'archives')) : []).toEqual([]);
  }, 600_000);
});
