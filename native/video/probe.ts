import { VideoHelperError, type EvidenceFile, type VideoHelper } from './videoHelper.js';

/** What the video helper's probe (ffprobe's fields, from the same libavformat) tells about a video, as the catalogue keeps it. */
export interface VideoProbe {
  /** ffprobe's demuxer name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  container: string;
  videoCodec: string | null;
  audioCodec: string | null;
  durationSec: number | null;
  /** avg_frame_rate, else r_frame_rate, as vPDQ takes it; null when neither is known. */
  frameRate: number | null;
  frameRateText: string | null;
  /** Frame size as decoded (before any rotation is applied: vPDQ hashes it so). */
  width: number | null;
  height: number | null;
  /** Display rotation in degrees clockwise from the display matrix or the rotate tag; 0 when none. */
  rotation: number;
  frameCount: number | null;
  bitRate: number | null;
  creationTime: string | null;
  /** Device and authoring tags (QuickTime/MP4 make, model, software, encoder, location). */
  device: Record<string, string>;
  /** ISO 6709 location as the file carries it, and its decimal degrees when it parses. */
  gps: { iso6709: string; latitude: number; longitude: number; altitude: number | null } | null;
}

export class ProbeError extends Error {
  override name = 'ProbeError';
}

/** Tags worth showing an examiner: who or what made the recording. Compared lower-case. */
const DEVICE_TAGS = [
  'com.apple.quicktime.make', 'com.apple.quicktime.model', 'com.apple.quicktime.software',
  'com.android.manufacturer', 'com.android.model', 'com.android.version',
  'make', 'model', 'software', 'encoder', 'major_brand', 'compatible_brands', 'handler_name', 'title', 'comment',
];
const LOCATION_TAGS = ['com.apple.quicktime.location.iso6709', 'location', 'location-eng'];

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number }>;
  disposition?: { attached_pic?: number };
}

export interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string; tags?: Record<string, string> };
}

/** Probes one open video file; throws ProbeError with the reason when it is not a video libavformat can read. */
export async function probeVideo(helper: VideoHelper, file: EvidenceFile, signal?: AbortSignal): Promise<VideoProbe> {
  let out: unknown;
  try {
    out = await helper.probe(file, signal);
  } catch (err) {
    if (err instanceof VideoHelperError) throw new ProbeError(`probe: ${err.message}`);
    throw err;
  }
  return parseProbe(out as FfprobeOutput);
}

export function parseProbe(out: FfprobeOutput): VideoProbe {
  const streams = out.streams ?? [];
  // vPDQ hashes the first video stream, whatever it is; so does Kestrel, and it describes that one.
  const video = streams.find((s) => s.codec_type === 'video');
  if (!video) throw new ProbeError('no video stream');
  const audio = streams.find((s) => s.codec_type === 'audio');
  const tags = lowerKeys({ ...(out.format?.tags ?? {}), ...(video.tags ?? {}) });
  const rate = parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate);
  const device: Record<string, string> = {};
  for (const k of DEVICE_TAGS) if (tags[k]) device[k] = tags[k]!;
  const location = LOCATION_TAGS.map((k) => tags[k]).find((v) => v);
  return {
    container: out.format?.format_name ?? 'unknown',
    videoCodec: video.codec_name ?? null,
    audioCodec: audio?.codec_name ?? null,
    durationSec: num(out.format?.duration) ?? num(video.duration),
    frameRate: rate?.value ?? null,
    frameRateText: rate?.text ?? null,
    width: video.width || null,
    height: video.height || null,
    rotation: rotationOf(video),
    frameCount: num(video.nb_frames),
    bitRate: num(out.format?.bit_rate),
    creationTime: tags['com.apple.quicktime.creationdate'] ?? tags['creation_time'] ?? null,
    device,
    gps: location ? parseIso6709(location) : null,
  };
}

function lowerKeys(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v]));
}

function num(s: string | undefined): number | null {
  if (s === undefined || s === 'N/A') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** "30000/1001" → 29.97…; "0/0" (unknown) → null. */
export function parseRate(s: string | undefined): { value: number; text: string } | null {
  if (!s) return null;
  const [n, d] = s.split('/').map(Number);
  if (!n || !d || !Number.isFinite(n) || !Number.isFinite(d)) return null;
  return { value: n / d, text: s };
}

/** Clockwise degrees in 0..359: display matrix rotation is counter-clockwise, the old rotate tag clockwise. */
function rotationOf(s: FfprobeStream): number {
  const matrix = s.side_data_list?.find((d) => d.side_data_type === 'Display Matrix' && typeof d.rotation === 'number');
  const degrees = matrix ? -matrix.rotation! : Number(s.tags?.rotate ?? 0);
  return ((Math.round(degrees) % 360) + 360) % 360;
}

/** ISO 6709 "+48.8577+002.2950+035.000/" as decimal degrees. */
export function parseIso6709(s: string): VideoProbe['gps'] {
  const m = /^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?/.exec(s.trim());
  if (!m) return null;
  const latitude = Number(m[1]);
  const longitude = Number(m[2]);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { iso6709: s.trim(), latitude, longitude, altitude: m[3] ? Number(m[3]) : null };
}
