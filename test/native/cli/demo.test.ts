import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';

interface VicsMedia { Category: number; MD5: string; MediaFiles: Array<{ FilePath: string }> }

describe('kestrel demo', () => {
  it('runs the whole job on drawn sample data: every known picture found, edited copies by PDQ, known files ignored', () => {
    const dir = join(tempDir('demo'), 'demo');
    const r = kestrel(['demo', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('OK: 6 files match the manifest');
    const c = join(dir, 'case');

    const vics = JSON.parse(readFileSync(join(dir, 'package', 'findings.vics.json'), 'utf8')) as { value: Array<{ Media: VicsMedia[] }> };
    const found = vics.value[0]!.Media.flatMap((m) => m.MediaFiles.map((f) => f.FilePath)).sort();
    expect(found).toEqual([
      'DCIM/100KSTRL/IMG_0001.jpg', 'DCIM/100KSTRL/IMG_0002.jpg', 'DCIM/100KSTRL/IMG_0003.jpg', 'DCIM/100KSTRL/IMG_0004.jpg',
      'DCIM/100KSTRL/IMG_0005.jpg', 'DCIM/100KSTRL/IMG_0006.jpg', 'DCIM/100KSTRL/IMG_0007.jpg', 'DCIM/100KSTRL/IMG_0008.jpg',
      'Documents/budget_2026.dat', 'Downloads/IMG_0007 (1).jpg', 'Downloads/forum_repost.jpg', 'Downloads/holiday_small.jpg',
      'Downloads/mirror.jpg', 'Pictures/cropped.jpg', 'Pictures/old_print.jpg', 'Pictures/rotated.jpg',
    ]);

    const matches = jsonLines(kestrel(['match', c, '--library', join(dir, 'library'), '--json']).stdout);
    const byPath = (p: string) => matches.filter((m) => m['path'] === p);
    for (const edited of ['Downloads/forum_repost.jpg', 'Downloads/holiday_small.jpg', 'Downloads/mirror.jpg', 'Pictures/rotated.jpg', 'Pictures/cropped.jpg', 'Pictures/old_print.jpg']) {
      expect(byPath(edited).map((m) => m['algorithm']), edited).toEqual(['pdq']);
      expect(byPath(edited)[0]!['distance'] as number).toBeLessThanOrEqual(31);
    }
    expect(byPath('Program Files/DemoTool/demotool.dll').every((m) => m['known'] === true)).toBe(true);
    expect(found).not.toContain('Program Files/DemoTool/demotool.dll');
    expect(byPath('DCIM/100KSTRL/IMG_0009.jpg')).toEqual([]);

    const mismatch = queryCase<{ path_text: string }>(c, 'SELECT path_text FROM file_instance WHERE type_mismatch = 1');
    expect(mismatch.map((m) => m.path_text)).toEqual(['Documents/budget_2026.dat']);
    expect(kestrel(['audit', 'verify', c]).status).toBe(0);
  });

  it('will not empty a folder that is not an earlier demo', () => {
    const dir = tempDir('not-demo');
    kestrel(['init', join(dir, 'case'), '--case-number', '1', '--examiner', 'x']);
    const r = kestrel(['demo', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/exists and is not a Kestrel demo folder/);
    expect(queryCase(join(dir, 'case'), 'SELECT * FROM case_info')).toHaveLength(1);
  });
});
