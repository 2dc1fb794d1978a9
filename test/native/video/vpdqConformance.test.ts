import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kestrel } from '../../helpers/cli.js';

/**
 * vPDQ conformance on Meta's ThreatExchange sample videos: `kestrel vpdq VIDEO` (every frame, as
 * known material is hashed) must give exactly the lines `vpdq-hash-video` published in
 * vpdq/sample-hashes (frame, quality, PDQ hex, timestamp). The samples are not part of this
 * repository: set KESTREL_VPDQ_SAMPLES to a ThreatExchange checkout (it reads tmk/sample-videos and
 * vpdq/sample-hashes there); a sample whose video or hash file is absent is not counted.
 */
const ROOT = process.env['KESTREL_VPDQ_SAMPLES'];

function samplePairs(root: string): { name: string; video: string; expected: string }[] {
  const hashes = join(root, 'vpdq', 'sample-hashes');
  return readdirSync(hashes).filter((f) => f.endsWith('.txt') && !f.endsWith('-128x128.txt')).sort()
    .map((f) => ({ name: f.slice(0, -4), video: join(root, 'tmk', 'sample-videos', `${f.slice(0, -4)}.mp4`), expected: join(hashes, f) }))
    .filter((p) => existsSync(p.video));
}

describe.skipIf(!ROOT)('vPDQ against vpdq-hash-video on the ThreatExchange sample videos (KESTREL_VPDQ_SAMPLES)', () => {
  it('gives the published features, bit for bit, for every sample present', () => {
    const pairs = samplePairs(ROOT!);
    expect(pairs.length, 'no sample video with its hash file under KESTREL_VPDQ_SAMPLES').toBeGreaterThan(0);
    const differing: string[] = [];
    let frames = 0;
    for (const p of pairs) {
      const r = kestrel(['vpdq', p.video]);
      expect(r.status, `${p.name}: ${r.stderr}`).toBe(0);
      const got = r.stdout.trim().split('\n');
      const want = readFileSync(p.expected, 'utf8').trim().split('\n');
      frames += want.length;
      const firstDiff = want.findIndex((line, i) => got[i] !== line);
      if (firstDiff >= 0 || got.length !== want.length) {
        differing.push(`${p.name}: ${got.length}/${want.length} lines, first difference at line ${firstDiff + 1}: got ${got[firstDiff]} want ${want[firstDiff]}`);
      }
    }
    process.stdout.write(`vPDQ conformance: ${pairs.length - differing.length}/${pairs.length} sample videos identical (${frames} frames)\n`);
    expect(differing).toEqual([]);
  }, 900_000);
});
