import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kestrel, kestrelAsync, tempDir } from '../../helpers/cli.js';
import { makeSource } from '../../helpers/sources.js';
import { catalogueOf, queryCase } from '../../helpers/catalogue.js';

function newCase(name: string): string {
  const dir = join(tempDir(name), 'case');
  expect(kestrel(['init', dir, '--case-number', 'R-11', '--examiner', 'Test']).status).toBe(0);
  return dir;
}

/** An ext4 image holding a generated folder tree, made with mke2fs -d (nothing mounted). */
function ext4Image(files: number): string {
  const dir = tempDir('ext4img');
  const src = join(dir, 'src');
  makeSource(src, { files, folders: 12, maxSize: 9000, bigEvery: 97, bigSize: 600_000 });
  const image = join(dir, 'disk.img');
  execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-E', 'root_owner=0:0', '-d', src, image, '64M'], { env: { ...process.env, E2FSPROGS_FAKE_TIME: '1700000000' } });
  return image;
}

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

describe('a disk-image intake killed with SIGKILL', () => {
  it('resumes to the same catalogue as an uninterrupted run', async () => {
    const image = ext4Image(1500);
    const whole = newCase('img-whole');
    expect(kestrel(['intake', whole, image, '--exhibit', 'EX']).status).toBe(0);
    const expected = catalogueOf(whole, 'EX');
    expect(expected.filter((r) => r.entry_type === 'file')).toHaveLength(1500);

    const resumed = newCase('img-resumed');
    const kills = [
      await killDuring(resumed, image, (p) => p['phase'] === 'reading' && Number(p['filesDone']) > 0),
      await killDuring(resumed, image, (p) => p['phase'] === 'reading' && Number(p['filesDone']) > Number(p['filesTotal']) / 3),
    ];
    expect(kills).toEqual([true, true]);
    const pending = queryCase<{ n: number }>(resumed, "SELECT count(*) AS n FROM file_instance WHERE read_state = 'pending'")[0]!.n;
    expect(pending).toBeGreaterThan(0);
    const finish = kestrel(['intake', resumed, image, '--exhibit', 'EX']);
    expect(finish.status, finish.stderr).toBe(0);
    expect(finish.stdout).toContain('(resumed)');
    expect(catalogueOf(resumed, 'EX')).toEqual(expected);
    // The image was hashed once, on the first run; each run is in the audit log.
    expect(queryCase(resumed, "SELECT 1 FROM audit_log WHERE action = 'exhibit.image'")).toHaveLength(1);
    expect(queryCase(resumed, "SELECT 1 FROM audit_log WHERE action = 'intake.start'")).toHaveLength(3);
  });
});
