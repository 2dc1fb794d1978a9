import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';
import { makeClip, PHOTOS } from '../../helpers/videos.js';

const ffmpeg = (args: readonly string[]) => execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);

let dir: string;
let lib: string[];
let caseDir: string;
let lines: Array<Record<string, unknown>>;
let summary: Record<string, unknown>;

beforeAll(() => {
  dir = tempDir('video-match');
  lib = ['--library', join(dir, 'library')];
  const made = join(dir, 'made');
  mkdirSync(made);
  makeClip(join(made, 'known.mp4'), { photos: PHOTOS.slice(0, 5), secondsEach: 1, fps: '25', width: 320, height: 240 });
  makeClip(join(made, 'other.mp4'), { photos: PHOTOS.slice(5, 8), secondsEach: 1, fps: '25', width: 320, height: 240 });

  // The lab's list: every frame of the known videos, as known material is hashed; one as text, one as a JSON signal.
  mkdirSync(join(dir, 'list', 'sub'), { recursive: true });
  const text = kestrel(['vpdq', join(made, 'known.mp4')]);
  expect(text.status, text.stderr).toBe(0);
  writeFileSync(join(dir, 'list', 'known.txt'), text.stdout);
  const json = kestrel(['vpdq', '--json', join(made, 'other.mp4')]);
  expect(json.status, json.stderr).toBe(0);
  writeFileSync(join(dir, 'list', 'sub', 'other.json'), json.stdout);

  // Seized: the known video re-encoded at a lower bitrate; its middle trimmed from a non-whole-second
  // offset and re-encoded; an unrelated fractal; and a fractal whose MD5 a ThreatExchange list carries.
  const seized = join(dir, 'seized');
  mkdirSync(seized);
  ffmpeg(['-i', join(made, 'known.mp4'), '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '300k', join(seized, 'copy.mp4')]);
  ffmpeg(['-ss', '1.36', '-t', '2.2', '-i', join(made, 'known.mp4'), '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '150k', join(seized, 'clip.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', 'mandelbrot=size=320x240:rate=25', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', join(seized, 'fractal.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', join(seized, 'pattern.mp4')]);
  const md5 = createHash('md5').update(readFileSync(join(seized, 'pattern.mp4'))).digest('hex');
  writeFileSync(join(dir, 'te.txt'), `video_md5 ${md5} pattern\n`);

  caseDir = join(dir, 'case');
  expect(kestrel(['init', caseDir, '--case-number', 'V-2', '--examiner', 'E']).status).toBe(0);
  const intake = kestrel(['intake', caseDir, seized, '--exhibit', 'EX-1', '--json']);
  expect(intake.status, intake.stderr).toBe(0);
}, 180_000);

describe('videos against vPDQ lists', () => {
  it('imports a folder of vPDQ files as one list, a video per file named by its file, every frame kept', () => {
    const imp = kestrel(['hashset', 'import', join(dir, 'list'), '--format', 'vpdq', '--name', 'known-videos', '--json', ...lib]);
    expect(imp.status, imp.stderr).toBe(0);
    const l = JSON.parse(imp.stdout) as Record<string, unknown>;
    const frames = [join(dir, 'list', 'known.txt'), join(dir, 'list', 'sub', 'other.json')].map((f) => {
      const body = readFileSync(f, 'utf8');
      return body.startsWith('[') ? (JSON.parse(body) as unknown[]).length : body.trim().split('\n').length;
    });
    expect(frames[0]).toBeGreaterThanOrEqual(125);
    expect(l).toMatchObject({
      name: 'known-videos', format: 'vpdq', formatVersion: 'python-threatexchange JSON + vpdq-hash-video text',
      recordsRead: 2, recordsImported: 2, entryCount: 2, hashes: { vpdq: frames[0]! + frames[1]! },
    });
    // The folder's digest is that of its sha256sum manifest, so the same folder always gives the same one.
    const manifest = ['known.txt', 'sub/other.json'].map((r) => `${createHash('sha256').update(readFileSync(join(dir, 'list', r))).digest('hex')}  ${r}\n`).join('');
    expect(l['fileSha256']).toBe(createHash('sha256').update(manifest).digest('hex'));
    const te = kestrel(['hashset', 'import', join(dir, 'te.txt'), '--name', 'te', '--json', ...lib]);
    expect(te.status, te.stderr).toBe(0);
    expect(JSON.parse(te.stdout)).toMatchObject({ format: 'text', hashes: { md5: 1 } });
  });

  it('matches the re-encoded copy whole and the trimmed clip partially with its time range, in --json lines with the audit trail', () => {
    const m = kestrel(['match', caseDir, '--json', ...lib]);
    expect(m.status, m.stderr).toBe(0);
    lines = jsonLines(m.stdout);
    summary = lines.at(-1)!['summary'] as Record<string, unknown>;
    const video = lines.filter((l) => l['algorithm'] === 'vpdq');
    expect(video.map((l) => [l['path'], l['label'], l['match'], l['containment']])).toEqual([
      ['clip.mp4', 'known.txt', 'partial', 'query-inside-compared'],
      ['copy.mp4', 'known.txt', 'whole', null],
    ]);
    const [clip, copy] = video as [Record<string, unknown>, Record<string, unknown>];
    expect(Object.keys(clip)).toEqual(['kind', 'path', 'sha256', 'list', 'algorithm', 'match', 'containment', 'label', 'queryMatchPercent',
      'comparedMatchPercent', 'queryCoveragePercent', 'comparedCoveragePercent', 'queryRanges', 'comparedRanges', 'variant', 'distance', 'threshold', 'qualityThreshold', 'matchPercentThreshold',
      'category', 'scheme', 'known']);
    expect(clip).toMatchObject({ kind: 'list', list: 'known-videos', queryMatchPercent: 100, threshold: 31, qualityThreshold: 50, matchPercentThreshold: 80 });
    expect(clip['comparedMatchPercent']).toBeLessThan(80);
    expect(clip['comparedCoveragePercent']).toBeLessThan(80);
    // The clip is 1.36 s to 3.56 s of the known video (neighbouring frames of a slow zoom look alike).
    const ranges = clip['comparedRanges'] as [number, number][];
    expect(ranges[0]![0]).toBeGreaterThanOrEqual(1);
    expect(ranges[0]![0]).toBeLessThanOrEqual(1.5);
    expect(ranges.at(-1)![1]).toBeGreaterThanOrEqual(3.4);
    expect(ranges.at(-1)![1]).toBeLessThanOrEqual(3.9);
    expect(clip['queryRanges']).toEqual([[0, 2]]);
    expect(copy['queryMatchPercent']).toBe(100);
    // Hashed at 1 s, the copy matches the listed frames near its samples only, but spans the listed video.
    expect(copy['comparedMatchPercent']).toBeLessThan(80);
    expect(copy['comparedCoveragePercent']).toBeGreaterThanOrEqual(80);
    expect(copy['distance']).toBeLessThanOrEqual(31);
    // The fractal matches nothing; the pattern matches the ThreatExchange video_md5 exactly.
    expect(lines.filter((l) => l['path'] === 'fractal.mp4')).toEqual([]);
    expect(lines.filter((l) => l['path'] === 'pattern.mp4').map((l) => [l['list'], l['algorithm'], l['distance']])).toEqual([['te', 'md5', 0]]);
    expect(summary).toMatchObject({ videoMatches: 2, videoWholeMatches: 1, videoPartialMatches: 1, exactMatches: 1 });

    const audit = queryCase<{ details: string }>(caseDir, "SELECT details FROM audit_log WHERE action = 'match.video'");
    expect(audit).toHaveLength(1);
    const d = JSON.parse(audit[0]!.details) as Record<string, unknown>;
    expect(d).toMatchObject({ algorithm: 'vpdq', version: '1.0', thresholds: { distance: 31, quality: 50, matchPercent: 80 }, list: { name: 'known-videos' } });
    expect((d['matches'] as Array<Record<string, unknown>>).map((x) => x['kind']).sort()).toEqual(['query-inside-compared', 'whole']);
    const listAudit = queryCase<{ details: string }>(caseDir, "SELECT details FROM audit_log WHERE action = 'match.list'")
      .map((r) => JSON.parse(r.details) as { list: { name: string }; thresholds: Record<string, unknown>; newMatches: Record<string, number> });
    expect(listAudit.find((a) => a.list.name === 'known-videos')).toMatchObject({ thresholds: { vpdq: { distance: 31 } }, newMatches: { vpdq: 2 } });
  });

  it('matches again without new work, and the text summary names the video matches', () => {
    const again = kestrel(['match', caseDir, ...lib]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 new match(es)');
    expect(again.stdout).toContain('2 video match(es) by vPDQ (1 whole, 1 partial)');
    expect(queryCase<{ n: number }>(caseDir, 'SELECT count(*) AS n FROM video_match')[0]!.n).toBe(2);
    expect(queryCase<{ n: number }>(caseDir, "SELECT count(*) AS n FROM audit_log WHERE action = 'match.video'")[0]!.n).toBe(1);
  });
});
