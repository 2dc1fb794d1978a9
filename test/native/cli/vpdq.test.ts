import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kestrel, tempDir } from '../../helpers/cli.js';
import { makeClip, PHOTOS } from '../../helpers/videos.js';
import { parseVpdqJson, parseVpdqText } from '../../../native/video/vpdqFiles.js';

describe('kestrel vpdq', () => {
  it('prints every frame of a video as vpdq-hash-video lines, 1 s samples of the same frames as a JSON signal, and refuses a non-video in one line', () => {
    const dir = tempDir('vpdq-cli');
    const video = makeClip(join(dir, 'clip.mp4'), { photos: PHOTOS.slice(0, 2), secondsEach: 1, fps: '25', width: 160, height: 128 });
    const text = kestrel(['vpdq', video]);
    expect(text.status, text.stderr).toBe(0);
    const every = parseVpdqText(text.stdout, 'stdout');
    expect(every.map((f) => f.frame)).toEqual(Array.from({ length: every.length }, (_, i) => i));
    expect(every.length).toBeGreaterThanOrEqual(49);
    expect(every[1]!.timestamp).toBe(0.04);
    const json = kestrel(['vpdq', '--seconds-per-hash', '1', '--json', video]);
    expect(json.status, json.stderr).toBe(0);
    const sampled = parseVpdqJson(json.stdout, 'stdout');
    expect(sampled.map((f) => [f.hash, f.quality, f.timestamp])).toEqual(
      every.filter((f) => f.frame % 25 === 0).map((f) => [f.hash, f.quality, Number(f.timestamp.toPrecision(3))]));
    writeFileSync(join(dir, 'notes.txt'), 'not a video\n');
    const bad = kestrel(['vpdq', join(dir, 'notes.txt')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(`${join(dir, 'notes.txt')}: probe: `);
  }, 60_000);
});
