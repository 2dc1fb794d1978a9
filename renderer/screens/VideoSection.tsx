import { useRef } from 'react';
import type { VideoDetail, VideoMatchEvidence } from '../../electron/api/index.js';
import { VideoPlayer, type VideoPlayerHandle } from '../components/VideoPlayer.js';

const KIND_LABEL: Record<VideoMatchEvidence['kind'], string> = {
  whole: 'whole video',
  'query-inside-compared': 'partial: this video is a clip of the listed video',
  'compared-inside-query': 'partial: the listed video is inside this recording',
};

function seconds(t: number): string {
  const m = Math.floor(t / 60);
  const s = t - m * 60;
  return `${m}:${s.toFixed(2).padStart(5, '0')}`;
}

const ranges = (rs: readonly [number, number][]) => rs.map(([a, b]) => `${seconds(a)}–${seconds(b)}`).join(', ') || '—';

/**
 * A video's facts, its hashed frames as a strip along its length (each a tick with its time; the
 * frames a vPDQ match counted marked), and its matches with both sides' shares and time ranges.
 * The strip shows times, never pictures: the contact sheet above stays veiled until revealed.
 * The player (veiled, never started by itself unless the profile says so) seeks to a frame clicked
 * on the strip or to the start of a matched time range.
 */
export function VideoSection({ contentId, video }: { contentId: number; video: VideoDetail }) {
  const player = useRef<VideoPlayerHandle>(null);
  const seek = (t: number) => player.current?.seek(t);
  const length = Math.max(video.durationSec ?? 0, video.frames.at(-1)?.timestamp ?? 0, 0.001);
  const matchedCount = video.frames.filter((f) => f.matched).length;
  // About ten time labels along the strip, whatever the video's length; every tick keeps its time in its title.
  const labelEvery = Math.max(1, Math.ceil(video.frames.length / 10));
  return (
    <section className="video-section" data-testid="video-section">
      <h3>Video</h3>
      <dl className="facts small">
        <dt>Duration</dt><dd>{video.durationSec === null ? '—' : seconds(video.durationSec)}</dd>
        <dt>Codec</dt><dd>{video.videoCodec ?? '—'}{video.audioCodec ? ` · audio ${video.audioCodec}` : ' · no audio'} · {video.container ?? '—'}</dd>
        <dt>Picture</dt><dd>{video.width}×{video.height} at {video.frameRate?.toFixed(3) ?? '—'} fps{video.rotation ? ` · rotated ${video.rotation}°` : ''}</dd>
        {video.creationTime && <><dt>Created</dt><dd>{video.creationTime}</dd></>}
        <dt>vPDQ</dt><dd>{video.frames.length} frames hashed, one every {video.secondsPerHash || 'frame'}{video.secondsPerHash ? ' s' : ''}</dd>
        {video.decodeError && <><dt>Decode</dt><dd className="warn">{video.decodeError}</dd></>}
      </dl>
      <VideoPlayer ref={player} contentId={contentId} />
      {video.frames.length > 0 && (
        <div className="frame-strip" data-testid="frame-strip" aria-label={`${video.frames.length} hashed frames, ${matchedCount} matched`}>
          {video.frames.map((f, i) => (
            <span key={f.frame} className={`frame-tick${f.matched ? ' matched' : ''}${f.quality < 50 ? ' low' : ''}`}
              style={{ left: `${(f.timestamp / length) * 100}%` }} data-frame={f.frame} data-matched={f.matched ? 'yes' : 'no'}
              title={`frame ${f.frame} at ${seconds(f.timestamp)}, quality ${f.quality}${f.matched ? ', matched' : ''} (click: show in the player)`}
              onClick={() => seek(f.timestamp)}>
              {i % labelEvery === 0 && <span className="frame-time">{seconds(f.timestamp)}</span>}
            </span>
          ))}
        </div>
      )}
      {video.matches.length > 0 && (
        <ul className="evidence" data-testid="video-match-evidence">
          {video.matches.map((m, i) => (
            <li key={i} className={m.known ? 'known' : 'alert'}>
              <div className="evidence-head">
                <strong>{m.list}</strong> <span className="muted">v{m.listVersion}</span>
                <span className={`badge ${m.known ? 'badge-known' : 'badge-alert'}`}>vPDQ {m.kind === 'whole' ? 'whole' : 'partial'}</span>
              </div>
              <dl className="facts compact small">
                <dt>Match</dt><dd data-testid="video-match-kind">{KIND_LABEL[m.kind]}</dd>
                <dt>Listed video</dt><dd>{m.entryLabel ?? '—'} (record {m.entryRecord})</dd>
                <dt>This video</dt><dd>{m.queryMatchPercent.toFixed(1)}% of frames match ({m.queryCoveragePercent.toFixed(0)}% of its length) ·{' '}
                  {m.queryRanges.map(([a, b], j) => (
                    <button key={j} type="button" className="link-button" data-testid="video-range-seek" title="Show the start of this range in the player"
                      onClick={() => seek(a)}>{seconds(a)}–{seconds(b)}</button>
                  ))}</dd>
                <dt>Listed</dt><dd>{m.comparedMatchPercent.toFixed(1)}% of frames match ({m.comparedCoveragePercent.toFixed(0)}% of its length) · <span data-testid="video-listed-ranges">{ranges(m.comparedRanges)}</span></dd>
                <dt>Rule</dt><dd>distance ≤ {m.distanceThreshold} (closest {m.minDistance}), quality ≥ {m.qualityThreshold}, {m.matchPercentThreshold}%{m.variant === 1 ? ' · black bars cut away' : ''}</dd>
                {m.category && <><dt>List category</dt><dd>{m.category} ({m.scheme})</dd></>}
                <dt>List file</dt><dd className="mono muted">sha256 {m.listSha256}</dd>
              </dl>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
