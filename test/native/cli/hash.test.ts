import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE, jsonLines, kestrel, tempDir } from '../../helpers/cli.js';

const WEE = join(REFERENCE, 'pdq', 'misc-images', 'wee.jpg');
const FIELDS = ['path', 'md5', 'sha1', 'sha256', 'pdq', 'pdqQuality', 'pdqDihedral', 'blockhash', 'width', 'height', 'error'];

describe('kestrel hash', () => {
  it('prints one JSON object per file with exactly the contract names', () => {
    const dir = tempDir('hash');
    const corrupt = join(dir, 'corrupt.jpg');
    writeFileSync(corrupt, readFileSync(WEE).subarray(0, 600));
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello\n');
    const missing = join(dir, 'missing.jpg');

    const r = kestrel(['hash', '--json', WEE, corrupt, text, missing]);
    expect(r.status, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(Object.keys(l)).toEqual(FIELDS);

    const bytes = readFileSync(WEE);
    expect(lines[0]).toEqual({
      path: WEE,
      md5: createHash('md5').update(bytes).digest('hex'),
      sha1: createHash('sha1').update(bytes).digest('hex'),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      pdq: '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d',
      pdqQuality: 100,
      pdqDihedral: expect.arrayContaining(['6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d']),
      blockhash: expect.stringMatching(/^[0-9a-f]{64}$/),
      width: 34,
      height: 42,
      error: null,
    });
    expect(lines[0]!['pdqDihedral']).toHaveLength(8);

    // Read but not decodable: the digests are there, the picture fields null, and why.
    expect(lines[1]).toMatchObject({ path: corrupt, pdq: null, pdqQuality: null, pdqDihedral: null, blockhash: null, width: null, height: null });
    expect(lines[1]!['md5']).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[1]!['error']).toMatch(/cannot decode image\/jpeg: .*(premature end|damaged)/i);
    expect(lines[2]).toMatchObject({ path: text, pdq: null, error: 'not a picture this tool analyses (content is text/plain)' });
    expect(lines[3]).toMatchObject({ path: missing, md5: null, sha256: null, pdq: null });
    expect(lines[3]!['error']).toMatch(/^cannot read: ENOENT/);
  });

  it('exits non-zero only when no file could be read', () => {
    const dir = tempDir('hash');
    const r = kestrel(['hash', '--json', join(dir, 'a'), join(dir, 'b')]);
    expect(r.status).toBe(1);
    expect(jsonLines(r.stdout).map((l) => l['error'])).toEqual([expect.stringMatching(/ENOENT/), expect.stringMatching(/ENOENT/)]);
    expect(kestrel(['hash', join(dir, 'a'), WEE]).status).toBe(0);
  });

  it('prints a readable summary without --json, flagging a hash too weak to match on', () => {
    const r = kestrel(['hash', join(REFERENCE, 'pdq', 'misc-images', 'small.jpg')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pdq\s+[0-9a-f]{64} \(quality 0, below 50: not used for matching\)/);
    expect(r.stdout).toMatch(/size\s+224x399/);
  });
});
