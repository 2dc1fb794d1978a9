import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../../helpers/cli.js';
import { makeClip, PHOTOS } from '../../helpers/videos.js';
import { hammingHex } from '../../../native/hashing/hamming.js';
import { matchVideos, usableFeatures, VPDQ_MATCH_RULE, type VideoFeatures } from '../../../native/video/vpdqMatch.js';
import { hashVideo, type VpdqFeature } from '../../../native/video/vpdq.js';
import { openEvidence } from '../../../native/intake/openEvidence.js';
import { VideoHelper } from '../../../native/video/videoHelper.js';

/** python-threatexchange's match_VPDQ_hash_brute, written out plainly, as the oracle. */
function brute(q: readonly VpdqFeature[], c: readonly VpdqFeature[]): [number, number] {
  const fq = usableFeatures(q, 50);
  const fc = usableFeatures(c, 50);
  const count = (a: VpdqFeature[], b: VpdqFeature[]) => a.filter((x) => b.some((y) => hammingHex(x.hash, y.hash) <= 31)).length;
  return [(count(fq, fc) * 100) / fq.length, (count(fc, fq) * 100) / fc.length];
}

function randomHash(rng: () => number): string {
  return Array.from({ length: 64 }, () => Math.floor(rng() * 16).toString(16)).join('');
}

function flip(hash: string, bits: number, rng: () => number): string {
  const b = Buffer.from(hash, 'hex');
  const chosen = new Set<number>();
  while (chosen.size < bits) chosen.add(Math.floor(rng() * 256));
  for (const bit of chosen) b[bit >> 3]! ^= 1 << (bit & 7);
  return b.toString('hex');
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

describe('vPDQ matching', () => {
  it('gives the brute-force matcher\'s percentages on synthetic videos with planted whole and partial copies', async () => {
    const rng = seeded(7);
    const listed: VideoFeatures[] = Array.from({ length: 30 }, (_, k) => ({
      key: 1000 + k,
      features: Array.from({ length: 40 }, (_, i) => ({ frame: i, quality: rng() < 0.1 ? 30 : 90, hash: randomHash(rng), timestamp: i })),
    }));
    const seized: VideoFeatures[] = [
      // a re-encode: every frame a few bits off
      { key: 1, features: listed[3]!.features.map((f) => ({ ...f, hash: flip(f.hash, 12, rng) })) },
      // a clip of the middle of listed video 8 (frames 10..19)
      { key: 2, features: listed[8]!.features.slice(10, 20).map((f, i) => ({ ...f, frame: i, timestamp: i, hash: flip(f.hash, 8, rng) })) },
      // listed video 12 inside a longer recording, after 30 unrelated frames
      { key: 3, features: [
        ...Array.from({ length: 30 }, (_, i) => ({ frame: i, quality: 90, hash: randomHash(rng), timestamp: i })),
        ...listed[12]!.features.map((f, i) => ({ ...f, frame: 30 + i, timestamp: 30 + i })),
      ] },
      // unrelated
      { key: 4, features: Array.from({ length: 20 }, (_, i) => ({ frame: i, quality: 90, hash: randomHash(rng), timestamp: i })) },
    ];
    const matches = await matchVideos(seized, listed);
    expect(matches.map((m) => [m.query, m.compared, m.kind])).toEqual([
      [1, 1003, 'whole'], [2, 1008, 'query-inside-compared'], [3, 1012, 'compared-inside-query'],
    ]);
    for (const m of matches) {
      const [qp, cp] = brute(seized.find((s) => s.key === m.query)!.features, listed.find((l) => l.key === m.compared)!.features);
      expect([m.queryMatchPercent, m.comparedMatchPercent]).toEqual([qp, cp]);
    }
    const clip = matches[1]!;
    expect(clip.queryRanges).toEqual([[0, 9]]);
    // The listed video's frames 10..19, less any of low quality, as one or more runs inside 10..19.
    expect(clip.comparedRanges[0]![0]).toBeGreaterThanOrEqual(10);
    expect(clip.comparedRanges.at(-1)![1]).toBeLessThanOrEqual(19);
    expect(matches[2]!.queryRanges[0]![0]).toBeGreaterThanOrEqual(30);
    // No pair the brute force would report is missing.
    for (const s of seized) for (const l of listed) {
      const [qp, cp] = brute(s.features, l.features);
      const found = matches.some((m) => m.query === s.key && m.compared === l.key);
      expect(found).toBe(qp >= VPDQ_MATCH_RULE.matchPercent || cp >= VPDQ_MATCH_RULE.matchPercent);
    }
  });

  it('calls a copy hashed at 1 s whole against a list hashed at every frame, by coverage, and a clip of it partial', async () => {
    const rng = seeded(11);
    // A listed video of 100 frames at 25 fps, each 5 bits on from the one before (a moving scene).
    let hash = randomHash(rng);
    const listed = Array.from({ length: 100 }, (_, i) => ({ frame: i, quality: 90, hash: (hash = flip(hash, 5, rng)), timestamp: i / 25 }));
    const sampled = (from: number, to: number) => listed.filter((f) => f.frame % 25 === 0 && f.frame >= from && f.frame < to)
      .map((f, i) => ({ ...f, frame: i * 25, timestamp: i, hash: flip(f.hash, 6, rng) }));
    const [copy] = await matchVideos([{ key: 1, features: sampled(0, 100) }], [{ key: 9, features: listed }]);
    // Only the listed frames near each sample match, under vPDQ's rule: 25 of 100 at most.
    expect(copy!.comparedMatchPercent).toBeLessThan(80);
    expect(copy!.comparedCoveragePercent).toBe(100);
    expect(copy!.kind).toBe('whole');
    const [clip] = await matchVideos([{ key: 2, features: sampled(25, 75) }], [{ key: 9, features: listed }]);
    expect(clip!.kind).toBe('query-inside-compared');
    // Frames 25..74 are half the listed video; neighbours of the first sample match too.
    expect(clip!.comparedCoveragePercent).toBeGreaterThanOrEqual(50);
    expect(clip!.comparedCoveragePercent).toBeLessThan(65);
    expect(clip!.comparedRanges[0]![0]).toBeGreaterThanOrEqual(0.75);
    expect(clip!.comparedRanges[0]![0]).toBeLessThanOrEqual(1);
  });

  describe('on videos ffmpeg makes', () => {
    let dir: string;
    let helper: VideoHelper;
    const hash = async (file: string, secondsPerHash: number) => {
      const path = Buffer.from(file);
      const fd = openEvidence(path);
      try {
        const s = (JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=avg_frame_rate',
          '-of', 'json', file], { encoding: 'utf8' })) as { streams: Array<{ avg_frame_rate: string }> }).streams[0]!;
        const [n, d] = s.avg_frame_rate.split('/').map(Number);
        return (await hashVideo(helper, { fd, path }, { frameRate: n! / d!, secondsPerHash })).features;
      } finally {
        closeSync(fd);
      }
    };
    beforeAll(() => {
      dir = tempDir('vpdq-match');
      helper = new VideoHelper();
      makeClip(join(dir, 'known.mp4'), { photos: PHOTOS.slice(0, 5), secondsEach: 1, fps: '25', width: 320, height: 240 });
      makeClip(join(dir, 'other.mp4'), { photos: PHOTOS.slice(5, 8), secondsEach: 1, fps: '25', width: 320, height: 240 });
      // The middle of the known video, re-encoded at a low bitrate from a non-whole-second offset.
      execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-ss', '1.36', '-t', '2.2', '-i', join(dir, 'known.mp4'),
        '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '150k', join(dir, 'clip.mp4')]);
    }, 60_000);
    afterAll(() => helper.close());

    it('finds a trimmed, re-encoded clip inside the known video (hashed at every frame) with the matched time ranges', async () => {
      const known = await hash(join(dir, 'known.mp4'), 0);
      const other = await hash(join(dir, 'other.mp4'), 0);
      const clip = await hash(join(dir, 'clip.mp4'), 1);
      expect(known.length).toBeGreaterThanOrEqual(125);
      const matches = await matchVideos([{ key: 1, features: clip }], [{ key: 10, features: known }, { key: 11, features: other }]);
      expect(matches.map((m) => [m.compared, m.kind])).toEqual([[10, 'query-inside-compared']]);
      const m = matches[0]!;
      expect(m.queryMatchPercent).toBe(100);
      expect(m.comparedMatchPercent).toBeLessThan(50);
      const [start, end] = [m.comparedRanges[0]![0], m.comparedRanges.at(-1)![1]];
      // The clip is 1.36 s to 3.56 s of the known video; neighbouring frames of a slow zoom look alike.
      expect(start).toBeGreaterThanOrEqual(1);
      expect(start).toBeLessThanOrEqual(1.5);
      expect(end).toBeGreaterThanOrEqual(3.4);
      expect(end).toBeLessThanOrEqual(3.9);
    }, 60_000);
  });
});
