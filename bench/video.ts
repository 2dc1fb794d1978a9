/**
 * Issue 12 benchmark: video intake through the long-lived video helper against a bare ffmpeg
 * decode of the same frames, in the same run.
 *   npx tsx bench/video.ts [--seconds S]
 * Makes a corpus of 720p and 1080p H.264 clips from the public reference photos (each photo slowly
 * zoomed, S seconds of video per resolution, default 12), re-encoded at GOP lengths 12, 50 and 250
 * (x264 veryfast), then measures on every clip, one clip at a time as intake does:
 *   baseline  ffmpeg -threads 0 decoding the first video stream, keeping vPDQ's frames at 1 s per
 *             hash (select by count) and writing them as raw RGB24 to a pipe Kestrel does not read
 *             (one process per clip: the decode limit, not a way to run);
 *   hash      the video helper's vPDQ pass alone (decode, frame choice, RGB24 to Node, PDQ);
 *   analysis  everything intake does for a video: probe, black-bar detection over the keyframes,
 *             the vPDQ pass and the contact sheet, through one helper process for the whole corpus.
 * Reported per measure: wall seconds, CPU seconds (the ffmpeg child's, or the helper's plus this
 * process's), videos/s, hours of video per hour of wall clock; the ratios hash/baseline and
 * analysis/baseline of throughput; peak RSS of ffmpeg and of the helper (VmHWM) and of this process;
 * the load average before and after (the machine is shared). Prints JSON.
 */
import { closeSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeClip, PHOTOS } from '../test/helpers/videos.js';
import { openEvidence } from '../native/intake/openEvidence.js';
import { analyseVideo } from '../native/video/analyse.js';
import { makeContactSheet } from '../native/video/contactSheet.js';
import { probeVideo } from '../native/video/probe.js';
import { VideoHelper, type EvidenceFile } from '../native/video/videoHelper.js';
import { frameModulus, hashVideo, SECONDS_PER_HASH_SEIZED } from '../native/video/vpdq.js';

const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 12;
const GOPS = [12, 50, 250];
const FPS = 25;

interface Clip { file: string; label: string; durationSec: number; frameRate: number; width: number }

function makeCorpus(dir: string): Clip[] {
  const clips: Clip[] = [];
  for (const [w, h] of [[1280, 720], [1920, 1080]] as const) {
    const each = SECONDS / PHOTOS.length;
    const master = makeClip(join(dir, `master-${h}.mp4`), { photos: PHOTOS, secondsEach: each, fps: String(FPS), width: w, height: h, output: ['-crf', '12'] });
    for (const gop of GOPS) {
      const file = join(dir, `clip-${h}p-gop${gop}.mp4`);
      execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', master, '-c:v', 'libx264', '-preset', 'veryfast', '-g', String(gop), '-keyint_min', String(Math.min(gop, 25)), file]);
      clips.push({ file, label: `${h}p gop ${gop}`, durationSec: SECONDS, frameRate: FPS, width: w });
    }
    rmSync(master);
  }
  return clips;
}

interface Measure { wallSeconds: number; cpuSeconds: number; videosPerSecond: number; videoHoursPerWallHour: number; peakRssMb: number }

function measure(wallSeconds: number, cpuSeconds: number, clips: readonly Clip[], peakRssMb: number): Measure {
  const videoSeconds = clips.reduce((s, c) => s + c.durationSec, 0);
  return {
    wallSeconds: round(wallSeconds), cpuSeconds: round(cpuSeconds), videosPerSecond: round(clips.length / wallSeconds),
    videoHoursPerWallHour: round(videoSeconds / wallSeconds), peakRssMb: round(peakRssMb),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function baseline(clips: readonly Clip[]): Measure {
  let wall = 0;
  let cpu = 0;
  let rss = 0;
  for (const c of clips) {
    const modulus = frameModulus(SECONDS_PER_HASH_SEIZED, c.frameRate);
    const run = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'ffmpeg', '-nostdin', '-v', 'error', '-threads', '0', '-noautorotate', '-i', c.file,
      '-map', '0:v:0', '-vf', `select='not(mod(n\\,${modulus}))'`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
    if (run.status !== 0) throw new Error(`ffmpeg baseline failed on ${c.file}: ${run.stderr.toString()}`);
    const [e, u, s, m] = run.stderr.toString().trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number, number];
    wall += e;
    cpu += u + s;
    rss = Math.max(rss, m / 1024);
  }
  return measure(wall, cpu, clips, rss);
}

/** CPU seconds and peak RSS of a live process, from /proc (Linux). */
function procUsage(pid: number): { cpuSeconds: number; peakRssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds: ticks / 100, peakRssMb: hwm ? Number(hwm[1]) / 1024 : 0 };
}

async function throughHelper(clips: readonly Clip[], work: (helper: VideoHelper, file: EvidenceFile, clip: Clip) => Promise<void>): Promise<Measure> {
  const helper = new VideoHelper();
  await helper.version();
  const pid = helper.pid!;
  const before = procUsage(pid).cpuSeconds;
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  for (const c of clips) {
    const path = Buffer.from(c.file);
    const fd = openEvidence(path);
    try {
      await work(helper, { fd, path }, c);
    } finally {
      closeSync(fd);
    }
  }
  const wall = (performance.now() - started) / 1000;
  const own = process.cpuUsage(ownBefore);
  if (helper.pid !== pid) throw new Error('the helper restarted during the bench');
  const usage = procUsage(pid);
  await helper.close();
  return measure(wall, usage.cpuSeconds - before + (own.user + own.system) / 1e6, clips, usage.peakRssMb);
}

const dir = join(tmpdir(), `kestrel-bench-video-${process.pid}`);
mkdirSync(dir, { recursive: true });
try {
  const loadBefore = loadavg();
  const clips = makeCorpus(dir);
  const base = baseline(clips);
  let frames = 0;
  const hash = await throughHelper(clips, async (helper, file, c) => {
    frames += (await hashVideo(helper, file, { frameRate: c.frameRate, secondsPerHash: SECONDS_PER_HASH_SEIZED })).features.length;
  });
  const caseDir = join(dir, 'case');
  let sheets = 0;
  const analysis = await throughHelper(clips, async (helper, file) => {
    const a = await analyseVideo(helper, file, SECONDS_PER_HASH_SEIZED);
    if (a.decodeError) throw new Error(`${file.path.toString()}: ${a.decodeError}`);
    if (await makeContactSheet(helper, caseDir, String(sheets).padStart(64, '0'), file)) sheets += 1;
  });
  const probe = await throughHelper(clips, async (helper, file) => { await probeVideo(helper, file); });
  console.log(JSON.stringify({
    bench: 'video',
    corpus: { clips: clips.map((c) => c.label), videoSeconds: SECONDS * clips.length, fps: FPS, secondsPerHash: SECONDS_PER_HASH_SEIZED, framesHashed: frames, contactSheets: sheets },
    baseline: { what: 'ffmpeg -threads 0 decode, select vPDQ frames, rawvideo rgb24 to a pipe; one process per clip', ...base },
    hash: { what: 'video helper vPDQ pass (decode, choose, RGB24 to Node, PDQ)', ...hash },
    analysis: { what: 'video helper probe + cropdetect + vPDQ + contact sheet, one process for the corpus', ...analysis },
    probeOnly: { videosPerSecond: probe.videosPerSecond },
    ratios: {
      hashOverBaselineThroughput: round(base.wallSeconds / hash.wallSeconds),
      analysisOverBaselineThroughput: round(base.wallSeconds / analysis.wallSeconds),
      hashCpuOverBaselineCpu: round(hash.cpuSeconds / base.cpuSeconds),
    },
    nodeMaxRssMb: round(process.resourceUsage().maxRSS / 1024),
    loadAverage: { before: loadBefore.map(round), after: loadavg().map(round) },
  }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
