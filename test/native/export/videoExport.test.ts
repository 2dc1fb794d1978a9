import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kestrel, tempDir } from '../../helpers/cli.js';
import { makeClip, PHOTOS } from '../../helpers/videos.js';
import { useTestSigningKey } from '../../helpers/signing.js';
import { exportPackage } from './fixture.js';
import { openCase } from '../../../native/catalog/case.js';
import { categorise } from '../../../native/review/decisions.js';

useTestSigningKey();

const ffmpeg = (args: readonly string[]) => execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);
const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** RFC 4180 as findings.csv writes it: CRLF rows, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += ch;
  }
  return rows;
}

let dir: string;
let out: string;
let clipSha: string;
let copySha: string;
let fractalSha: string;

/**
 * A real case: a listed video (benign photos zoomed slowly, hashed at every frame by kestrel vpdq,
 * imported as a vPDQ list); seized, its re-encoded copy (whole match), a 2.2 s clip trimmed from
 * 1.36 s and re-encoded (partial match) and an unrelated mandelbrot fractal; matched and exported.
 * The clip is categorised by an examiner, the copy is not.
 */
beforeAll(() => {
  dir = tempDir('video-export');
  const lib = ['--library', join(dir, 'library')];
  const made = join(dir, 'made');
  mkdirSync(made);
  makeClip(join(made, 'known.mp4'), { photos: PHOTOS.slice(0, 5), secondsEach: 1, fps: '25', width: 320, height: 240 });
  mkdirSync(join(dir, 'list'));
  const text = kestrel(['vpdq', join(made, 'known.mp4')]);
  expect(text.status, text.stderr).toBe(0);
  writeFileSync(join(dir, 'list', 'known.txt'), text.stdout);

  const seized = join(dir, 'seized');
  mkdirSync(seized);
  ffmpeg(['-i', join(made, 'known.mp4'), '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '300k', join(seized, 'copy.mp4')]);
  ffmpeg(['-ss', '1.36', '-t', '2.2', '-i', join(made, 'known.mp4'), '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '150k', join(seized, 'clip.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', 'mandelbrot=size=320x240:rate=25', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', join(seized, 'fractal.mp4')]);
  [clipSha, copySha, fractalSha] = ['clip.mp4', 'copy.mp4', 'fractal.mp4'].map((f) => sha256(join(seized, f))) as [string, string, string];

  const caseDir = join(dir, 'case');
  expect(kestrel(['init', caseDir, '--case-number', 'V-EXP', '--examiner', 'DC Jane Roe']).status).toBe(0);
  const intake = kestrel(['intake', caseDir, seized, '--exhibit', 'EX-V']);
  expect(intake.status, intake.stderr).toBe(0);
  const imp = kestrel(['hashset', 'import', join(dir, 'list'), '--format', 'vpdq', '--name', 'known-videos', ...lib]);
  expect(imp.status, imp.stderr).toBe(0);
  const m = kestrel(['match', caseDir, ...lib]);
  expect(m.status, m.stderr).toBe(0);
  const c = openCase(caseDir);
  try {
    categorise(c.db, [c.db.prepare('SELECT id FROM content WHERE sha256 = ?').pluck().get(clipSha) as number], '1', 'DC Jane Roe', 'test');
  } finally {
    c.close();
  }
  out = exportPackage(caseDir).out;
}, 240_000);

describe('video matches in the case package', () => {
  it('findings.csv: the copy whole and the clip partial, with shares of frames, time ranges, thresholds and version; the fractal is no finding', () => {
    const [header, ...rows] = parseCsv(readFileSync(join(out, 'findings.csv'), 'utf8'));
    const col = (row: string[], name: string) => row[header!.indexOf(name)]!;
    expect(header).toEqual(expect.arrayContaining(['vpdq_match', 'vpdq_containment', 'query_match_percent', 'compared_match_percent',
      'query_ranges', 'compared_ranges', 'vpdq_min_distance', 'vpdq_thresholds', 'vpdq_version', 'video_duration_sec', 'video_codec']));
    expect(rows.map((r) => col(r, 'sha256')).sort()).toEqual([clipSha, copySha].sort());
    expect(rows.some((r) => col(r, 'sha256') === fractalSha)).toBe(false);
    const byPath = new Map(rows.map((r) => [col(r, 'path'), r]));
    const clip = byPath.get('clip.mp4')!;
    const copy = byPath.get('copy.mp4')!;
    expect(col(clip, 'vpdq_matches')).toBe('known-videos 1: known.txt');
    expect(col(clip, 'matched_lists')).toBe('known-videos 1');
    expect(col(clip, 'match_algorithms')).toBe('vpdq');
    expect([col(clip, 'vpdq_match'), col(clip, 'vpdq_containment')]).toEqual(['partial', 'query-inside-compared']);
    expect([col(copy, 'vpdq_match'), col(copy, 'vpdq_containment')]).toEqual(['whole', '']);
    expect(Number(col(clip, 'query_match_percent'))).toBe(100);
    expect(Number(col(clip, 'compared_match_percent'))).toBeLessThan(80);
    expect(col(clip, 'query_ranges')).toBe('0-2');
    // 1.36 s to 3.56 s of the listed video (neighbouring frames of a slow zoom look alike).
    const [from, to] = col(clip, 'compared_ranges').split(', ').map((r) => r.split('-').map(Number)).flat().filter((_, i, a) => i === 0 || i === a.length - 1);
    expect(from).toBeGreaterThanOrEqual(1);
    expect(from).toBeLessThanOrEqual(1.5);
    expect(to).toBeGreaterThanOrEqual(3.4);
    expect(to).toBeLessThanOrEqual(3.9);
    expect(Number(col(copy, 'vpdq_min_distance'))).toBeLessThanOrEqual(31);
    expect(col(copy, 'vpdq_thresholds')).toBe('distance <= 31, quality >= 50, whole >= 80%');
    expect(col(copy, 'vpdq_version')).toBe('vpdq 1.0');
    expect([col(copy, 'video_codec'), col(copy, 'video_width'), col(copy, 'video_height'), col(copy, 'video_frame_rate')]).toEqual(['h264', '320', '240', '25']);
    expect(Number(col(copy, 'video_duration_sec'))).toBeCloseTo(5, 0);
    expect([col(clip, 'category'), col(clip, 'category_source')]).toEqual(['1', 'examiner']);
    expect(col(copy, 'category')).toBe('');
  });

  it('findings.vics.json: video Media carry their probe and vPDQ matches as Kestrel annotations', () => {
    const vics = JSON.parse(readFileSync(join(out, 'findings.vics.json'), 'utf8')) as { value: { Media: Record<string, unknown>[] }[] };
    const media = vics.value[0]!.Media;
    const bySha = new Map(media.map((m) => [(m['AlternativeHashes'] as { HashName: string; HashValue: string }[])[0]!.HashValue, m]));
    const clip = bySha.get(clipSha)!;
    const copy = bySha.get(copySha)!;
    expect(bySha.has(fractalSha)).toBe(false);
    expect(clip).toMatchObject({ MimeType: 'video/mp4', Category: 1, Width: 320, Height: 240 });
    expect(clip['@kestrel.video']).toMatchObject({ VideoCodec: 'h264', FrameRate: 25, SecondsPerHash: 1 });
    const [cm] = clip['@kestrel.videoMatches'] as Record<string, unknown>[];
    expect(cm).toMatchObject({
      Algorithm: 'vpdq', AlgorithmVersion: '1.0', List: 'known-videos', ListVersion: '1', ListedVideo: 'known.txt', Match: 'partial',
      Containment: 'query-inside-compared', QueryMatchPercent: 100, QueryRanges: [[0, 2]], DistanceThreshold: 31, QualityThreshold: 50, MatchPercentThreshold: 80,
    });
    expect(cm!['ComparedMatchPercent']).toBeLessThan(80);
    const [wm] = copy['@kestrel.videoMatches'] as Record<string, unknown>[];
    expect(wm).toMatchObject({ Match: 'whole', Containment: null, QueryMatchPercent: 100 });
    expect(copy['Category']).toBeNull();
  });

  it('findings.case-uco.jsonld: a video matching action per vPDQ list with its thresholds, and one annotation per video match', () => {
    const uco = JSON.parse(readFileSync(join(out, 'findings.case-uco.jsonld'), 'utf8')) as { '@graph': Record<string, unknown>[] };
    const graph = uco['@graph'];
    const actions = graph.filter((n) => n['uco-core:name'] === 'video matching');
    expect(actions).toHaveLength(1);
    const args = Object.fromEntries((actions[0]!['uco-core:hasFacet'] as { 'uco-action:argumentName': string; 'uco-action:value': string }[])
      .map((f) => [f['uco-action:argumentName'], f['uco-action:value']]));
    expect(args).toMatchObject({ list: 'known-videos', algorithm: 'vpdq', algorithmVersion: '1.0', frameDistanceThreshold: '31', frameQualityThreshold: '50', wholeMatchPercentThreshold: '80' });
    const notes = graph.filter((n) => (n['uco-core:tag'] as string[] | undefined)?.includes('algorithm:vpdq'));
    expect(notes.map((n) => (n['uco-core:tag'] as string[]).at(-1)).sort()).toEqual(['video match:partial', 'video match:whole']);
    const partial = notes.find((n) => (n['uco-core:tag'] as string[]).includes('video match:partial'))!;
    expect(partial['uco-core:statement']).toMatch(/^Matched listed video known\.txt of known-videos version 1 by vPDQ 1\.0 \(partial: this video is a part of the listed video\): 100% of this video's hashed frames .* this video 0-2 s matched the listed video 1\.\d+-.*3\.\d+ s; .*frame distance <= 31, frame quality >= 50, whole match >= 80% of frames$/);
    expect((actions[0]!['uco-action:result'] as { '@id': string }[]).map((r) => r['@id']).sort()).toEqual(notes.map((n) => n['@id']).sort());
  });

  it('report.html and report.pdf: the video matches section, the basis of each finding, the list thresholds and the method', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const pdf = execFileSync('pdftotext', [join(out, 'report.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    const htmlText = html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
    // The vPDQ list's own thresholds, and both videos counted as its matched contents.
    expect(htmlText).toMatch(/known-videos 1 vpdq vpdq-hash-video text known material [0-9a-f]{64} vPDQ: frame distance <= 31, frame quality >= 50, whole match >= 80% of frames \S+, Kestrel \S+ 2 /);
    expect(pdf).toMatch(/Thresholds: vPDQ: frame distance <= 31, frame quality >= 50, whole match >= 80% of frames .*Contents matched: 2 /);
    for (const text of [html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' '), pdf]) {
      expect(text).toContain('Video matches (vPDQ)');
      expect(text).toContain('2 video(s) matched listed videos by vPDQ: 1 whole and 1 partial match(es)');
      expect(text).toContain('partial: this video is a part of the listed video');
      expect(text).toContain('whole video');
      expect(text).toContain('this video 0-2 s');
      expect(text).toMatch(/listed video 1\.\d+-[^s]*3\.\d+ s/);
      expect(text).toContain('this video 100% of its hashed frames');
      expect(text).toContain('frame distance <= 31, frame quality >= 50, whole match >= 80% of frames');
      expect(text).toContain('vPDQ 1.0, python-threatexchange vpdq_brute_matcher');
      expect(text).toContain('known.txt (known-videos version 1)');
      expect(text).toMatch(/h264 320x240 at 25 fps/);
      expect(text).toContain('known-videos 1: vpdq 1.0 partial match of known.txt, 100% /');
      expect(text).toContain('vPDQ: frame distance <= 31, frame quality >= 50, whole match >= 80% of frames');
      expect(text).toContain('vpdq (videos: shares of matching frames on both sides)');
      expect(text).toMatch(/video analysis (Algorithm: )?vpdq (Version: )?1\.0 (Parameters: )?frameSelection: frame n/);
      expect(text).not.toContain('[object Object]');
      expect(text).not.toMatch(/\d\.\d{3,}%/);
    }
  });
});
