import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kestrel, tempDir } from '../../helpers/cli.js';
import { DISK } from './helpers.js';

describe('findings from a disk image in the case package', () => {
  it('carry the full path, the deletion and stream flags and the MFT address in findings.csv', () => {
    const dir = tempDir('dftt7-export');
    execFileSync('unzip', ['-q', join(DISK, 'dftt', '7-undel-ntfs.zip'), '-d', dir]);
    const caseDir = join(dir, 'case');
    expect(kestrel(['init', caseDir, '--case-number', 'X-11', '--examiner', 'E']).status).toBe(0);
    const intake = kestrel(['intake', caseDir, join(dir, '7-undel-ntfs', '7-ntfs-undel.dd'), '--exhibit', 'D7']);
    expect(intake.status, intake.stderr).toBe(0);
    // frag1.dat (deleted), mult1.dat:ADS (deleted stream), sing2.dat (orphan), from the image's index.html
    writeFileSync(join(dir, 'list.md5'), '7a3bc5b763bef201202108f4ba128149  frag1.dat\nba1b9eedb1c091ddca253d35dde8f616  ads\nc229626f6a71b167ad7e50c4f2fccdb1  sing2.dat\n');
    const lib = ['--library', join(dir, 'lib')];
    expect(kestrel(['hashset', 'import', join(dir, 'list.md5'), '--name', 'dftt', ...lib]).status).toBe(0);
    const match = kestrel(['match', caseDir, ...lib]);
    expect(match.status, match.stderr).toBe(0);
    const out = join(dir, 'pkg');
    const exp = kestrel(['export', caseDir, out]);
    expect(exp.status, exp.stderr).toBe(0);
    const csv = readFileSync(join(out, 'findings.csv'), 'utf8').trim().split('\r\n').map(cells);
    const header = csv[0]!;
    const col = (row: string[], name: string) => row[header.indexOf(name)];
    const line = (suffix: string) => csv.find((r) => col(r, 'path')!.endsWith(suffix))!;
    expect(col(line('/frag1.dat'), 'flags')).toBe('deleted');
    expect(col(line('/frag1.dat'), 'fs_address')).toBe('29-1');
    expect(col(line('/mult1.dat:ADS'), 'flags')).toBe('deleted; alternate data stream');
    expect(col(line('/mult1.dat:ADS'), 'fs_address')).toBe('32-1-128-6');
    expect(col(line('/sing2.dat'), 'path')).toBe('volume (ntfs, offset 0)/$OrphanFiles/sing2.dat');
    expect(col(line('/sing2.dat'), 'flags')).toBe('deleted; orphan');
  });
});

/** One CSV line (RFC 4180 quoting; no line breaks inside these cells). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}
