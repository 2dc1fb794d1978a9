import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/cli.js';
import { ffmpegCropdetect, ffmpegVpdqPixels, ffprobeJson } from '../../helpers/ffmpegVpdq.js';
import { openEvidence } from '../../../native/intake/openEvidence.js';
import { parseProbe, probeVideo, type FfprobeOutput } from '../../../native/video/probe.js';
import { VideoHelper, VideoHelperError, videoHelperPath, type EvidenceFile } from '../../../native/video/videoHelper.js';
import { hashVideo, VideoDecodeError } from '../../../native/video/vpdq.js';

interface Made { name: string; modulus: number; width: number; crop?: [number, number, number, number] }

let dir: string;
let helper: VideoHelper;
const made: Made[] = [];
const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);

function open(name: string): EvidenceFile {
  const path = Buffer.from(join(dir, name));
  return { fd: openEvidence(path), path };
}

async function withFile<T>(name: string, use: (f: EvidenceFile) => Promise<T>): Promise<T> {
  const f = open(name);
  try {
    return await use(f);
  } finally {
    closeSync(f.fd);
  }
}

/** The helper's frames of a video, as one buffer per variant. */
async function helperPixels(m: Made, h = helper): Promise<{ full: Buffer; cut: Buffer; sizes: string[] }> {
  const full: Buffer[] = [];
  const cut: Buffer[] = [];
  const sizes: string[] = [];
  await withFile(m.name, (f) => h.hashFrames(f, { modulus: m.modulus, crop: m.crop ?? null }, (frame) => {
    (frame.variant === 1 ? cut : full).push(Buffer.from(frame.rgb));
    if (frame.variant === 0) sizes.push(`${frame.n}:${frame.width}x${frame.height}`);
  }));
  return { full: Buffer.concat(full), cut: Buffer.concat(cut), sizes };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(() => {
  expect(videoHelperPath(), 'npm run build must have built native/video/build/kestrel-video').not.toBeNull();
  dir = tempDir('video-helper');
  const make = (m: Made, args: string[]) => { ffmpeg([...args, join(dir, m.name)]); made.push(m); };
  // Widths that are a multiple of 16 take swscale's C conversion, the others its SIMD one.
  make({ name: 'testsrc-320.mp4', modulus: 1, width: 320 }, ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
  make({ name: 'mandelbrot-322.mkv', modulus: 3, width: 322 }, ['-f', 'lavfi', '-i', 'mandelbrot=size=322x182:rate=30', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
  // Odd width and height (4:4:4 allows them).
  make({ name: 'odd-321x239.mp4', modulus: 2, width: 321 }, ['-f', 'lavfi', '-i', 'testsrc2=size=321x239:rate=24:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p']);
  make({ name: 'wide-1080.mp4', modulus: 5, width: 1080 }, ['-f', 'lavfi', '-i', 'testsrc2=size=1080x608:rate=25:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
  // A phone's portrait recording: rotation in the container's display matrix, frames as coded.
  make({ name: 'rotated.mov', modulus: 1, width: 320 }, ['-i', join(dir, 'testsrc-320.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', '-metadata', 'creation_time=2024-05-01T10:20:30Z', '-metadata', 'location=+48.8577+002.2950/', '-metadata', 'title=Zoë über straße']);
  // Variable frame rate: frames at irregular times, kept as they are.
  make({ name: 'vfr.mkv', modulus: 2, width: 256 }, ['-f', 'lavfi', '-i', 'mandelbrot=size=256x144:rate=25', '-t', '2', '-vf', "setpts='(N+0.6*mod(N\\,3))/25/TB'", '-fps_mode', 'passthrough',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
  // Full range, BT.709 tagged: what survives of those tags on the way matters to the pixels.
  make({ name: 'full-range-709.mp4', modulus: 1, width: 320 }, ['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuvj420p',
    '-color_range', 'pc', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709']);
  make({ name: 'limited-709.mp4', modulus: 1, width: 336 }, ['-f', 'lavfi', '-i', 'testsrc2=size=336x180:rate=25:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709']);
  make({ name: 'mpeg2.ts', modulus: 4, width: 352 }, ['-f', 'lavfi', '-i', 'testsrc=size=352x288:rate=25:duration=2', '-c:v', 'mpeg2video', '-q:v', '4']);
  make({ name: 'anim.gif', modulus: 1, width: 96 }, ['-f', 'lavfi', '-i', 'mandelbrot=size=96x64:rate=10', '-t', '1']);
  // Letterboxed: the cropped variant too.
  make({ name: 'letterbox.mp4', modulus: 5, width: 320, crop: [320, 180, 0, 30] }, ['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=2', '-vf', 'pad=320:240:0:30:black',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
  helper = new VideoHelper();
}, 120_000);

afterAll(async () => {
  await helper?.close();
});

describe('video helper: one process for every video, the pixels of the ffmpeg pipeline', () => {
  it('gives every chosen frame bit for bit as the two-stage ffmpeg pipeline does', async () => {
    for (const m of made) {
      const ours = await helperPixels(m);
      const theirs = ffmpegVpdqPixels(join(dir, m.name), m);
      expect(ours.full.length, `${m.name}: bytes of frames`).toBe(theirs.full.length);
      expect(ours.full.length, m.name).toBeGreaterThan(0);
      expect(sha(ours.full), `${m.name}: pixels`).toBe(sha(theirs.full));
      if (m.crop) expect(sha(ours.cut), `${m.name}: cropped pixels`).toBe(sha(theirs.cut!));
    }
    // One process served all of them.
    expect(helper.incidents).toEqual([]);
  }, 300_000);

  it('keeps frames by their count and at their coded size', async () => {
    const vfr = await helperPixels(made.find((m) => m.name === 'vfr.mkv')!);
    expect(vfr.sizes.slice(0, 4)).toEqual(['0:256x144', '2:256x144', '4:256x144', '6:256x144']);
    const rotated = await helperPixels(made.find((m) => m.name === 'rotated.mov')!);
    expect(rotated.sizes[0]).toBe('0:320x240');
  });

  it('probes as ffprobe does: container, codecs, duration, frame rate, size, rotation, tags, place', async () => {
    for (const m of made) {
      const ours = await withFile(m.name, (f) => probeVideo(helper, f));
      expect(ours, m.name).toEqual(parseProbe(ffprobeJson(join(dir, m.name)) as FfprobeOutput));
    }
    const rotated = await withFile('rotated.mov', (f) => probeVideo(helper, f));
    expect(rotated).toMatchObject({ rotation: 270, width: 320, height: 240, creationTime: '2024-05-01T10:20:30.000000Z' });
    expect(rotated.gps).toMatchObject({ latitude: 48.8577, longitude: 2.295 });
    expect(rotated.device['title']).toBe('Zoë über straße');
  });

  it('finds black bars as ffmpeg cropdetect does', async () => {
    for (const name of ['letterbox.mp4', 'testsrc-320.mp4']) {
      const ours = await withFile(name, (f) => helper.cropdetect(f));
      expect(ours, name).toEqual(ffmpegCropdetect(join(dir, name)));
    }
    expect(await withFile('letterbox.mp4', (f) => helper.cropdetect(f))).toEqual([320, 180, 0, 30]);
  });

  it('refuses a file that is not a video, or not the file Kestrel opened, and stays up', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'not a video\n');
    const pid = helper.pid;
    await expect(withFile('notes.txt', (f) => helper.probe(f))).rejects.toThrow(VideoHelperError);
    const f = open('testsrc-320.mp4');
    try {
      const other = open('mandelbrot-322.mkv');
      closeSync(other.fd);
      await expect(helper.probe({ fd: f.fd, path: other.path })).rejects.toThrow(/not the file Kestrel opened/);
    } finally {
      closeSync(f.fd);
    }
    expect(helper.pid).toBe(pid);
  });

  it('reads the evidence without changing its access time (O_NOATIME)', async () => {
    const file = join(dir, 'testsrc-320.mp4');
    const old = new Date('2020-01-01T00:00:00Z');
    execFileSync('touch', ['-a', '-d', old.toISOString(), file]);
    await helperPixels(made[0]!);
    await withFile('testsrc-320.mp4', (f) => helper.probe(f));
    expect(execFileSync('stat', ['-c', '%X', file], { encoding: 'utf8' }).trim()).toBe(String(old.getTime() / 1000));
  });

  it('a truncated or corrupt video costs that video, and a helper killed or hung mid-video is restarted for the next', async () => {
    const whole = readFileSync(join(dir, 'testsrc-320.mp4'));
    writeFileSync(join(dir, 'truncated.mp4'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    writeFileSync(join(dir, 'garbage.mp4'), Buffer.concat([whole.subarray(0, 40), Buffer.alloc(5000, 7)]));
    const faulty = new VideoHelper({ env: { KESTREL_VIDEO_FAULT: 'crash:testsrc-320.mp4' } });
    const hanging = new VideoHelper({ env: { KESTREL_VIDEO_FAULT: 'hang:testsrc-320.mp4' }, requestTimeoutMs: 1500 });
    try {
      await expect(withFile('garbage.mp4', (f) => probeVideo(faulty, f))).rejects.toThrow(/^probe: .+/);
      const options = { frameRate: 25, secondsPerHash: 0 };
      const truncated = await withFile('truncated.mp4', (f) => hashVideo(faulty, f, options).catch((e: Error) => e));
      // A truncated mp4 loses its index (moov at the end): refused with libavformat's reason.
      expect(truncated).toBeInstanceOf(VideoDecodeError);
      const crashed = await withFile('testsrc-320.mp4', (f) => hashVideo(faulty, f, options).catch((e: Error) => e));
      expect(crashed).toBeInstanceOf(VideoDecodeError);
      expect((crashed as Error).message).toMatch(/video helper crashed on hash of .*testsrc-320\.mp4: killed by SIGKILL/);
      const next = await withFile('mandelbrot-322.mkv', (f) => hashVideo(faulty, f, { frameRate: 30, secondsPerHash: 0.1 }));
      expect(next.features.length).toBe(20);
      expect(faulty.incidents.map((i) => i.kind)).toEqual(['crash']);
      const hung = await withFile('testsrc-320.mp4', (f) => hashVideo(hanging, f, options).catch((e: Error) => e));
      expect((hung as Error).message).toMatch(/video helper timed out on hash of .*testsrc-320\.mp4/);
      expect((await withFile('anim.gif', (f) => hashVideo(hanging, f, { frameRate: 10, secondsPerHash: 0 }))).features.length).toBe(10);
      expect(hanging.incidents.map((i) => i.kind)).toEqual(['timeout']);
    } finally {
      await faulty.close();
      await hanging.close();
    }
  });
});
