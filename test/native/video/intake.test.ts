import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';
import { makeClip, PHOTOS } from '../../helpers/videos.js';
import { ageAccessTimes, listAll, snapshot } from '../../helpers/sources.js';
import { decodeImage } from '../../../native/image/decode.js';
import { pdqFromPixels } from '../../../native/hashing/pdq/reading.js';
import { hammingHex } from '../../../native/hashing/hamming.js';

interface VideoRow {
  path_text: string; detected_type: string; container: string | null; video_codec: string | null; audio_codec: string | null;
  duration_sec: number | null; frame_rate: number | null; frame_rate_text: string | null; width: number | null; height: number | null;
  rotation: number; creation_time: string | null; device: string | null; gps: string | null; seconds_per_hash: number;
  crop: string | null; frames_hashed: number; contact_sheet: string | null; decode_error: string | null; content_id: number;
}
interface FrameRow { frame: number; quality: number; pdq: string; timestamp: number; variant: number }

let src: string;
let caseDir: string;
let rows: Map<string, VideoRow>;
let summary: Record<string, unknown>;
/** How many frames ffmpeg decodes from a file. */
const decodedFrames = (file: string) => Number(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0',
  '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim());
const framesOf = (name: string, variant = 0) => queryCase<FrameRow>(caseDir,
  'SELECT frame, quality, pdq, timestamp, variant FROM video_frame WHERE content_id = ? AND variant = ? ORDER BY frame',
  rows.get(name)!.content_id, variant);

beforeAll(() => {
  src = tempDir('videos');
  // 29.97 fps: vPDQ keeps every 29th frame (int(1 x 29.97)), where a time-based 1 fps filter would not.
  makeClip(join(src, 'ntsc.mp4'), {
    photos: PHOTOS.slice(0, 3), secondsEach: 1, fps: '30000/1001', width: 320, height: 240,
    output: ['-metadata', 'creation_time=2024-05-01T10:20:30Z', '-metadata', 'location=+48.8577+002.2950/'],
  });
  // A phone's portrait recording: the frames stay as coded, the container says how to turn them.
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', join(src, 'ntsc.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', join(src, 'ntsc.mov')]);
  makeClip(join(src, 'pal.mkv'), { photos: PHOTOS.slice(3, 5), secondsEach: 1.5, fps: '25', width: 320, height: 240 });
  // The first clip again with black bars above and below (letterbox).
  makeClip(join(src, 'letterboxed.mp4'), {
    photos: PHOTOS.slice(0, 3), secondsEach: 1, fps: '30000/1001', width: 320, height: 240, post: 'scale=320:180,pad=320:240:0:30:black',
  });
  writeFileSync(join(src, 'broken.mp4'), Buffer.concat([readFileSync(join(src, 'ntsc.mp4')).subarray(0, 40), Buffer.alloc(5000, 7)]));
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', join(src, 'pal.mkv'), '-t', '1', '-vf', 'scale=64:48', join(src, 'anim.gif')]);
  writeFileSync(join(src, 'notes.txt'), 'not a video\n');
  caseDir = join(tempDir('video-case'), 'case');
  expect(kestrel(['init', caseDir, '--case-number', 'V-1', '--examiner', 'E']).status).toBe(0);
  const r = kestrel(['intake', caseDir, src, '--exhibit', 'EX-V', '--json']);
  expect(r.status, r.stderr).toBe(0);
  summary = jsonLines(r.stdout).at(-1)!['summary'] as Record<string, unknown>;
  rows = new Map(queryCase<VideoRow>(caseDir, `
    SELECT f.path_text, c.detected_type, v.* FROM file_instance f JOIN content c ON c.id = f.content_id
    JOIN video_data v ON v.content_id = c.id`).map((r) => [r.path_text, r]));
}, 120_000);

describe('video intake', () => {
  it('probes videos found by their bytes: container, codecs, duration, frame rate, size, rotation, time and place', () => {
    expect([...rows.keys()].sort()).toEqual(['anim.gif', 'broken.mp4', 'letterboxed.mp4', 'ntsc.mov', 'ntsc.mp4', 'pal.mkv']);
    const ntsc = rows.get('ntsc.mp4')!;
    expect(ntsc).toMatchObject({
      detected_type: 'video/mp4', video_codec: 'h264', audio_codec: null, frame_rate_text: '30000/1001', width: 320, height: 240,
      rotation: 0, creation_time: '2024-05-01T10:20:30.000000Z', decode_error: null,
    });
    expect(ntsc.container).toMatch(/mp4/);
    expect(ntsc.duration_sec).toBeCloseTo(3.003, 2);
    expect(JSON.parse(ntsc.gps!)).toMatchObject({ latitude: 48.8577, longitude: 2.295 });
    // ffmpeg writes rotate=90 as a display matrix turning 90 degrees counter-clockwise: 270 clockwise.
    expect(rows.get('ntsc.mov')).toMatchObject({ rotation: 270, width: 320, height: 240 });
    expect(rows.get('pal.mkv')).toMatchObject({ detected_type: 'video/matroska', frame_rate: 25, rotation: 0, gps: null });
    expect(rows.get('anim.gif')).toMatchObject({ video_codec: 'gif', width: 64, height: 48, decode_error: null });
    expect(summary).toMatchObject({ videosAnalysed: 6, videoDecodeErrors: 1, errors: 0 });
  });

  it('records a video that cannot be decoded with the reason, and goes on', () => {
    const broken = rows.get('broken.mp4')!;
    expect(broken.decode_error).toMatch(/^probe: .+/);
    expect(broken.frames_hashed).toBe(0);
    const audit = queryCase<{ details: string }>(caseDir, "SELECT details FROM audit_log WHERE action = 'intake.video-error'");
    expect(audit.map((a) => JSON.parse(a.details).path)).toEqual(['broken.mp4']);
  });

  it('chooses frames by count as vPDQ does (n mod int(seconds x fps)), timestamps n / fps, rotation not applied', () => {
    const ntsc = framesOf('ntsc.mp4');
    expect(decodedFrames(join(src, 'ntsc.mp4'))).toBe(90);
    // 90 frames at 29.97 fps: 0, 29, 58, 87. A time-based fps=1 filter would give 0, 30, 60 (and no 87).
    expect(ntsc.map((f) => f.frame)).toEqual([0, 29, 58, 87]);
    ntsc.forEach((f) => expect(f.timestamp).toBeCloseTo((f.frame * 1001) / 30000, 5));
    const palFrames = decodedFrames(join(src, 'pal.mkv'));
    expect(framesOf('pal.mkv').map((f) => f.frame)).toEqual(Array.from({ length: palFrames }, (_, n) => n).filter((n) => n % 25 === 0));
    // The rotated copy hashes as the unrotated one: same coded frames.
    expect(framesOf('ntsc.mov').map((f) => f.pdq)).toEqual(ntsc.map((f) => f.pdq));
    expect(rows.get('ntsc.mp4')!.seconds_per_hash).toBe(1);
  });

  it('gives each chosen frame the PDQ hash Kestrel computes for that frame extracted on its own', async () => {
    for (const f of framesOf('ntsc.mp4')) {
      // The frame as a PNG: decoded with no autorotation, converted by swscale's C code (320 px wide).
      const png = execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-cpuflags', '0', '-noautorotate', '-i', join(src, 'ntsc.mp4'),
        '-vf', `select='eq(n\\,${f.frame})',scale=flags=area,format=rgb24`, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-']);
      const decoded = await decodeImage(png);
      expect(decoded.width).toBe(320);
      const pdq = pdqFromPixels(decoded.pixels, decoded.width, decoded.height);
      expect({ frame: f.frame, pdq: f.pdq, quality: f.quality }).toEqual({ frame: f.frame, pdq: pdq.hash, quality: pdq.quality });
    }
    // Different photos give far-apart hashes: the frames are not all the same picture.
    const [a, b] = framesOf('ntsc.mp4');
    expect(hammingHex(a!.pdq, b!.pdq)).toBeGreaterThan(31);
  });

  it('finds black bars and hashes the cropped frames too, which then match the video without bars', () => {
    const boxed = rows.get('letterboxed.mp4')!;
    const crop = JSON.parse(boxed.crop!) as { width: number; height: number; x: number; y: number };
    expect(crop.width).toBeGreaterThanOrEqual(316);
    expect(crop.height).toBeLessThanOrEqual(184);
    expect(crop.y).toBeGreaterThanOrEqual(28);
    expect(rows.get('ntsc.mp4')!.crop).toBeNull();
    const original = framesOf('ntsc.mp4');
    const whole = framesOf('letterboxed.mp4', 0);
    const cut = framesOf('letterboxed.mp4', 1);
    expect(cut.map((f) => f.frame)).toEqual(whole.map((f) => f.frame));
    const distances = (xs: FrameRow[]) => xs.map((f, i) => hammingHex(f.pdq, original[i]!.pdq));
    expect(Math.max(...distances(cut))).toBeLessThanOrEqual(31);
    expect(Math.min(...distances(whole))).toBeGreaterThan(Math.max(...distances(cut)));
  });

  it('makes a contact sheet of keyframes in the derived folder', () => {
    const sheet = rows.get('pal.mkv')!.contact_sheet!;
    expect(sheet).toMatch(/^derived\/contact-sheets\/[0-9a-f]{2}\/[0-9a-f]{64}\.jpg$/);
    expect(existsSync(join(caseDir, sheet))).toBe(true);
    expect(rows.get('broken.mp4')!.contact_sheet).toBeNull();
  });

  it('does not analyse a video twice when the intake runs again', () => {
    const before = queryCase(caseDir, 'SELECT * FROM video_frame ORDER BY content_id, variant, frame');
    const r = kestrel(['intake', caseDir, src, '--exhibit', 'EX-V', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(queryCase(caseDir, 'SELECT * FROM video_frame ORDER BY content_id, variant, frame')).toEqual(before);
    expect(queryCase(caseDir, "SELECT count(*) AS n FROM audit_log WHERE action = 'intake.video'")).toEqual([{ n: 5 }]);
    const decoder = JSON.parse(queryCase<{ details: string }>(caseDir, "SELECT details FROM audit_log WHERE action = 'intake.video' LIMIT 1")[0]!.details).decoder;
    expect(Object.keys(decoder).sort()).toEqual(['libavcodec', 'libavfilter', 'libavformat', 'libavutil', 'libswscale']);
    expect(decoder.libavcodec).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('video intake through one helper process', () => {
  it('goes on when a video crashes the helper mid-video or is truncated, records them, and leaves access times as they were', () => {
    const dir = tempDir('video-faults');
    makeClip(join(dir, 'first.mp4'), { photos: PHOTOS.slice(0, 2), secondsEach: 1, fps: '25', width: 320, height: 240 });
    makeClip(join(dir, 'killer.mkv'), { photos: PHOTOS.slice(2, 4), secondsEach: 1, fps: '25', width: 320, height: 240 });
    makeClip(join(dir, 'last.mp4'), { photos: PHOTOS.slice(4, 6), secondsEach: 1, fps: '25', width: 320, height: 240 });
    // Cut short with its index at the front (faststart): the frames before the cut still decode.
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', join(dir, 'last.mp4'), '-c', 'copy', '-movflags', '+faststart', join(dir, 'fast.mp4')]);
    const fast = readFileSync(join(dir, 'fast.mp4'));
    writeFileSync(join(dir, 'truncated.mp4'), fast.subarray(0, Math.floor(fast.length * 0.5)));
    execFileSync('rm', [join(dir, 'fast.mp4')]);
    const files = listAll(dir);
    ageAccessTimes(dir, files);
    const before = snapshot(dir, files);
    const faultCase = join(tempDir('video-faults-case'), 'case');
    expect(kestrel(['init', faultCase, '--case-number', 'V-2', '--examiner', 'E']).status).toBe(0);
    // The helper kills itself after the first frame of killer.mkv, as a decoder crashing on it would.
    const r = kestrel(['intake', faultCase, dir, '--exhibit', 'EX-F', '--json'], { env: { KESTREL_VIDEO_FAULT: 'crash:killer.mkv' } });
    expect(r.status, r.stderr).toBe(0);
    const got = new Map(queryCase<VideoRow>(faultCase, `
      SELECT f.path_text, v.* FROM file_instance f JOIN video_data v ON v.content_id = f.content_id`).map((x) => [x.path_text, x]));
    expect([...got.keys()].sort()).toEqual(['first.mp4', 'killer.mkv', 'last.mp4', 'truncated.mp4']);
    expect(got.get('killer.mkv')).toMatchObject({ frames_hashed: 0, contact_sheet: null });
    expect(got.get('killer.mkv')!.decode_error).toMatch(/^video helper crashed on hash of .*killer\.mkv: killed by SIGKILL$/);
    // Videos after the crash are served by a fresh helper.
    for (const name of ['first.mp4', 'last.mp4']) expect(got.get(name), name).toMatchObject({ decode_error: null, frames_hashed: 2 });
    expect(got.get('truncated.mp4')!.frames_hashed).toBeGreaterThanOrEqual(1);
    expect(got.get('truncated.mp4')!.frames_hashed).toBeLessThan(2);
    const errors = queryCase<{ details: string }>(faultCase, "SELECT details FROM audit_log WHERE action = 'intake.video-error'");
    expect(errors.map((a) => JSON.parse(a.details).path)).toEqual(['killer.mkv']);
    expect(snapshot(dir, files)).toEqual(before);
  }, 120_000);
});
