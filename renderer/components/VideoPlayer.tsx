import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { useSession, useWellbeing } from '../session.js';

export interface VideoPlayerHandle {
  /** Moves the player to a time (seconds) without starting it. */
  seek(seconds: number): void;
}

function clock(t: number): string {
  const m = Math.floor(t / 60);
  return `${m}:${(t - m * 60).toFixed(2).padStart(5, '0')}`;
}

/**
 * The video original as the engine streams it from the evidence (read-only, checked against its
 * SHA-256, range requests). It never starts by itself unless the working examiner's profile asks for
 * autoplay (off by default), and then muted; sound is off until switched on. It is veiled (blur and
 * greyscale as the profile sets them) until revealed, with its own controls so that the browser's
 * controls are not blurred with the picture. The frame strip and the match ranges seek it.
 */
export const VideoPlayer = forwardRef<VideoPlayerHandle, { contentId: number }>(function VideoPlayer({ contentId }, ref) {
  const { bridge } = useSession();
  const wellbeing = useWellbeing();
  const video = useRef<HTMLVideoElement>(null);
  const [revealed, setRevealed] = useState(false);
  const [blur, setBlur] = useState(wellbeing.blur);
  const [grey, setGrey] = useState(wellbeing.greyscale);
  const [muted, setMuted] = useState(true);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useImperativeHandle(ref, () => ({
    seek(seconds: number) {
      const v = video.current;
      if (v) v.currentTime = seconds;
      setTime(seconds);
    },
  }), []);

  useEffect(() => {
    setRevealed(false);
    setPlaying(false);
    setError(null);
    setTime(0);
  }, [contentId]);

  const veilBlur = !revealed && blur;
  const veilGrey = !revealed && grey;
  const filter = [veilBlur ? `blur(${wellbeing.blurRadius}px)` : '', veilGrey ? 'grayscale(1)' : ''].filter(Boolean).join(' ') || 'none';
  const toggle = () => {
    const v = video.current;
    if (!v) return;
    if (v.paused) void v.play().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    else v.pause();
  };

  return (
    <div className="video-player" data-testid="video-player" data-veiled={veilBlur || veilGrey ? 'yes' : 'no'} data-blur={veilBlur ? 'on' : 'off'}
      data-grey={veilGrey ? 'on' : 'off'} data-playing={playing ? 'yes' : 'no'} data-muted={muted ? 'yes' : 'no'} data-time={time.toFixed(3)}>
      <div className="video-stage">
        <video ref={video} src={bridge.media.videoUrl(contentId)} preload="metadata" muted={muted} autoPlay={false} playsInline
          style={{ filter }} data-testid="video-element"
          onLoadedMetadata={(e) => {
            setDuration(Number.isFinite(e.currentTarget.duration) ? e.currentTarget.duration : null);
            // Only the examiner's own profile may start a video by itself, and then without sound.
            if (wellbeing.autoplayVideo) void e.currentTarget.play().catch(() => undefined);
          }}
          onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
          onSeeked={(e) => setTime(e.currentTarget.currentTime)}
          onPlay={() => setPlaying(true)} onPause={() => setPlaying(false)} onEnded={() => setPlaying(false)}
          onError={() => setError('This video cannot be played here: the original is not reachable on the evidence (or no longer has its catalogued SHA-256), '
            + 'or this engine does not decode its codec (WebM VP8/VP9/AV1 and Ogg Theora play everywhere; H.264 MP4 only where the build carries it). '
            + 'The contact sheet and the frame hashes stand.')} />
      </div>
      {error && <p className="warn small" data-testid="video-error">{error}</p>}
      <div className="video-controls">
        <button type="button" onClick={toggle} disabled={error !== null} data-testid="video-play">{playing ? 'Pause' : 'Play'}</button>
        <span className="mono small" data-testid="video-clock">{clock(time)}{duration !== null ? ` / ${clock(duration)}` : ''}</span>
        <label className="check"><input type="checkbox" checked={!muted} onChange={(e) => setMuted(!e.target.checked)} /> Sound</label>
        <label className="check"><input type="checkbox" checked={blur} onChange={(e) => setBlur(e.target.checked)} /> Blur</label>
        <label className="check"><input type="checkbox" checked={grey} onChange={(e) => setGrey(e.target.checked)} /> Greyscale</label>
        <button type="button" onClick={() => setRevealed((r) => !r)} data-testid="video-reveal">{revealed ? 'Veil' : 'Reveal'}</button>
      </div>
    </div>
  );
});
