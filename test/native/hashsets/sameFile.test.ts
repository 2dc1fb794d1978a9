import { describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { jsonLines, kestrel, tempDir } from '../../helpers/cli.js';

/**
 * An import killed after its commit, before it printed anything, looks to the examiner as if it
 * never ran; run again, it used to add a second version of the same bytes. The library now knows
 * the file by its SHA-256.
 */
describe('kestrel hashset import recognises a file it already holds', () => {
  it('refuses the same bytes again (under any name or path), imports them with --again, and a same-size other file as usual', () => {
    const dir = tempDir('same-file');
    const library = join(dir, 'library');
    const list = join(dir, 'known.md5');
    writeFileSync(list, '0cc175b9c0f1b6a831c399e269772661  a.txt\n92eb5ffee6ae2fec3ad71c777531578f  b.txt\n');
    const first = kestrel(['hashset', 'import', list, '--library', library, '--json']);
    expect(first.status, first.stderr).toBe(0);
    const imported = jsonLines(first.stdout)[0]!;

    const copy = join(dir, 'renamed-copy.txt');
    copyFileSync(list, copy);
    for (const [file, name] of [[list, 'known'], [copy, 'other-name']] as const) {
      const again = kestrel(['hashset', 'import', file, '--name', name, '--library', library]);
      expect(again.status).not.toBe(0);
      expect(again.stderr.trim()).toBe(`kestrel: ${file}: already imported as known version 1 on ${String(imported['importedAt'])} ` +
        `(same SHA-256 ${String(imported['fileSha256'])}); nothing was imported (use --again to import it as a further version)`);
    }
    expect(jsonLines(kestrel(['hashset', 'list', '--library', library, '--json']).stdout)).toHaveLength(1);

    expect(kestrel(['library', 'audit', 'show', '--library', library]).stdout.trim()).toBe('');
    const forced = kestrel(['hashset', 'import', list, '--again', '--library', library, '--json']);
    expect(forced.status, forced.stderr).toBe(0);
    const second = jsonLines(forced.stdout)[0]!;
    expect(second).toMatchObject({ name: 'known', version: 2, fileSha256: imported['fileSha256'] });
    // Imported again on purpose: the library's audit log says who did it and which import it repeats.
    expect(jsonLines(kestrel(['library', 'audit', 'show', '--library', library]).stdout)).toMatchObject([{
      seq: 1, action: 'hashset.import.again', actor: userInfo().username,
      details: {
        file: list, sha256: imported['fileSha256'], list: { name: 'known', version: 2, uid: second['uid'] },
        earlier: { name: 'known', version: 1, uid: imported['uid'], importedAt: imported['importedAt'], sha256: imported['fileSha256'] },
      },
    }]);
    const thrice = kestrel(['hashset', 'import', copy, '--again', '--name', 'other-name', '--library', library]);
    expect(thrice.status, thrice.stderr).toBe(0);
    expect(thrice.stdout).toMatch(new RegExp(`^same bytes as known version 1 imported on ${String(imported['importedAt'])}: imported again as asked \\(--again\\), recorded in the library audit log\nimported other-name version 1 `));
    expect(kestrel(['library', 'audit', 'verify', '--library', library]).stdout).toMatch(/^OK: 2 entries/);

    const sameSize = join(dir, 'other.md5');
    writeFileSync(sameSize, '0cc175b9c0f1b6a831c399e269772661  c.txt\n92eb5ffee6ae2fec3ad71c777531578f  d.txt\n');
    const other = kestrel(['hashset', 'import', sameSize, '--library', library, '--json']);
    expect(other.status, other.stderr).toBe(0);
    expect(jsonLines(kestrel(['hashset', 'list', '--library', library, '--json']).stdout)).toHaveLength(4);
    // A new list is not an import again: nothing more in the audit log.
    expect(jsonLines(kestrel(['library', 'audit', 'show', '--library', library]).stdout)).toHaveLength(2);
  });
});
