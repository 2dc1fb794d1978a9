import { CROPDETECT, detectBars } from './cropdetect.js';
import { probeVideo, ProbeError, type VideoProbe } from './probe.js';
import type { EvidenceFile, VideoHelper } from './videoHelper.js';
import { hashVideo, VideoDecodeError, VPDQ_ALGORITHM, type Crop, type VpdqFeature } from './vpdq.js';

/** What produced a video's analysis, stored with it. */
export const VIDEO_ALGORITHMS = { vpdq: VPDQ_ALGORITHM, cropdetect: CROPDETECT, decoder: 'kestrel-video helper (libavformat, libavcodec, libavfilter, libswscale)' } as const;

export interface VideoAnalysis {
  probe: VideoProbe | null;
  secondsPerHash: number;
  features: VpdqFeature[];
  /** Black bars found, and the features of the frames with them cut away. */
  crop: Crop | null;
  croppedFeatures: VpdqFeature[] | null;
  /** Why the video could not be probed or decoded; the intake records it and goes on. */
  decodeError: string | null;
}

/**
 * Probes and hashes one open video file through the video helper. Never throws for a bad video: a
 * file it cannot read, or that crashes or hangs it, comes back with decodeError (and whatever the
 * probe found).
 */
export async function analyseVideo(helper: VideoHelper, file: EvidenceFile, secondsPerHash: number, signal?: AbortSignal): Promise<VideoAnalysis> {
  const none = { secondsPerHash, features: [], crop: null, croppedFeatures: null };
  let probe: VideoProbe;
  try {
    probe = await probeVideo(helper, file, signal);
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    return { ...none, probe: null, decodeError: err.message };
  }
  if (!probe.frameRate || !probe.width || !probe.height) {
    return { ...none, probe, decodeError: 'no frame rate or frame size in the video stream' };
  }
  try {
    const crop = await detectBars(helper, file, probe.width, probe.height, signal);
    const hashed = await hashVideo(helper, file, { frameRate: probe.frameRate, secondsPerHash, crop, signal });
    if (hashed.features.length === 0) return { ...none, probe, decodeError: 'no frame could be decoded' };
    return { probe, secondsPerHash, features: hashed.features, crop, croppedFeatures: hashed.cropped, decodeError: null };
  } catch (err) {
    if (!(err instanceof VideoDecodeError)) throw err;
    return { ...none, probe, decodeError: err.message };
  }
}
