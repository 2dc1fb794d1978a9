import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { kestrel, kestrelAsync, tempDir } from '../../helpers/cli.js';
import { makeSource } from '../../helpers/sources.js';
import { catalogueOf, queryCase } from '../../helpers/catalogue.js';

function newCase(name: string): string {
  const dir = join(tempDir(name), 'case');
  expect(kestrel(['init', dir, '--case-number', 'R-1', '--examiner', 'Test']).status).toBe(0);
  return dir;
}

/** Starts an intake and kills it with SIGKILL once `when` says so, judging from its JSON progress. */
function killDuring(caseDir: string, src: string, when: (progress: Record<string, number | string>) => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const child = kestrelAsync(['intake', caseDir, src, '--exhibit', 'EX', '--json']);
    let buffered = '';
    let killed = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const msg = JSON.parse(line) as { progress?: Record<string, number | string> };
        if (!killed && msg.progress && when(msg.progress)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', () => resolve(killed));
  });
}

describe('an intake killed with SIGKILL', () => {
  it('resumes to the same catalogue as an uninterrupted run, with no duplicate and no missing row', async () => {
    const src = tempDir('resume-src');
    makeSource(src, { files: 4000, folders: 40, maxSize: 40_000, bigEvery: 25, bigSize: 1_500_000 });

    const reference = newCase('uninterrupted');
    expect(kestrel(['intake', reference, src, '--exhibit', 'EX']).status).toBe(0);
    const expected = catalogueOf(reference, 'EX');

    const resumed = newCase('resumed');
    const kills = [
      await killDuring(resumed, src, (p) => p['phase'] === 'listing'),
      await killDuring(resumed, src, (p) => p['phase'] === 'reading' && Number(p['filesDone']) > 0),
      await killDuring(resumed, src, (p) => p['phase'] === 'reading' && Number(p['filesDone']) > Number(p['filesTotal']) / 3),
    ];
    // Each kill must have landed before the intake finished, or this test proves nothing.
    expect(kills).toEqual([true, true, true]);
    const partial = queryCase<{ pending: number }>(resumed, "SELECT count(*) AS pending FROM file_instance WHERE read_state = 'pending'")[0]!;
    expect(partial.pending).toBeGreaterThan(0);

    const finish = kestrel(['intake', resumed, src, '--exhibit', 'EX']);
    expect(finish.status, finish.stderr).toBe(0);
    const actual = catalogueOf(resumed, 'EX');
    expect(actual.length).toBe(expected.length);
    // Folder access times included: the intake lists folders with O_NOATIME, so neither the
    // reference run nor the killed ones moved them.
    expect(actual).toEqual(expected);
    const runs = queryCase<{ status: string }>(resumed, 'SELECT status FROM intake_run ORDER BY id');
    expect(runs.map((r) => r.status)).toEqual(['interrupted', 'interrupted', 'interrupted', 'complete']);
    expect(kestrel(['audit', 'verify', resumed]).status).toBe(0);
    // Five intakes of 4,000 files: the global two-minute guard is too short on a loaded machine,
    // and this test checks what the catalogue holds, never how fast it got there.
  }, 600_000);
});
