import { useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent, type PointerEvent, type WheelEvent } from 'react';
import type { ItemDetail, ViewSource } from '../../electron/api/index.js';
import { useSession, useWellbeing, valueOr } from '../session.js';

const STEP = 1.25;
const MIN_SCALE = 0.02;
const MAX_SCALE = 32;

type Zoom = { mode: 'fit' } | { mode: 'manual'; scale: number; x: number; y: number };

/**
 * The focused item at full resolution: the original as the engine reads it from the evidence, or
 * the preview stored at intake (labelled so) when the original is not reachable. Veiled like every
 * preview (blur and greyscale switch separately) until the examiner reveals it. Zoom is stated in
 * pixels of the original: 1:1 shows one original pixel per screen pixel, also on a stored preview.
 * Keys: + and - zoom, 0 fits, 1 is 1:1, R reveals, B and G switch blur and greyscale, arrows pan,
 * Escape closes.
 */
export function Viewer({ contentId, onClose }: { contentId: number; onClose(): void }) {
  const { bridge, report } = useSession();
  const wellbeing = useWellbeing();
  const [source, setSource] = useState<ViewSource | null>(null);
  const [item, setItem] = useState<ItemDetail | null>(null);
  const [revealed, setRevealed] = useState(false);
  const [blur, setBlur] = useState(wellbeing.blur);
  const [grey, setGrey] = useState(wellbeing.greyscale);
  const [natural, setNatural] = useState<{ w: number; h: number } | null>(null);
  const [stageSize, setStageSize] = useState<{ w: number; h: number }>({ w: 0, h: 0 });
  const [zoom, setZoom] = useState<Zoom>({ mode: 'fit' });
  const root = useRef<HTMLDivElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const drag = useRef<{ px: number; py: number; x: number; y: number } | null>(null);

  useEffect(() => {
    let live = true;
    setSource(null);
    setNatural(null);
    setZoom({ mode: 'fit' });
    setRevealed(false);
    void Promise.all([bridge.api.viewSource({ contentId }), bridge.api.getItem({ contentId })]).then(([s, i]) => {
      if (!live) return;
      setSource(valueOr(s, report));
      setItem(valueOr(i, report));
    });
    return () => { live = false; };
  }, [bridge, report, contentId]);

  useLayoutEffect(() => {
    root.current?.focus();
    const el = stage.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setStageSize({ w: el.clientWidth, h: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Original pixels per displayed-image pixel: 1 for the original, more for a reduced preview.
  const originalWidth = item?.image?.width ?? null;
  const perPixel = natural && originalWidth ? originalWidth / natural.w : 1;
  const fitScale = natural ? Math.min(stageSize.w / natural.w, stageSize.h / natural.h, perPixel) : 1;
  const view = zoom.mode === 'fit' || !natural
    ? { scale: fitScale, x: natural ? (stageSize.w - natural.w * fitScale) / 2 : 0, y: natural ? (stageSize.h - natural.h * fitScale) / 2 : 0 }
    : zoom;

  /** Sets the scale keeping the point (cx, cy) of the stage where it is. */
  const zoomTo = useCallback((scale: number, cx = stageSize.w / 2, cy = stageSize.h / 2) => {
    const s = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
    setZoom({ mode: 'manual', scale: s, x: cx - ((cx - view.x) / view.scale) * s, y: cy - ((cy - view.y) / view.scale) * s });
  }, [stageSize, view.x, view.y, view.scale]);
  const oneToOne = () => {
    if (!natural) return;
    const s = perPixel;
    setZoom({ mode: 'manual', scale: s, x: (stageSize.w - natural.w * s) / 2, y: (stageSize.h - natural.h * s) / 2 });
  };
  const pan = (dx: number, dy: number) => setZoom({ mode: 'manual', scale: view.scale, x: view.x + dx, y: view.y + dy });

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    switch (e.key) {
      case 'Escape': onClose(); break;
      case '+': case '=': zoomTo(view.scale * STEP); break;
      case '-': case '_': zoomTo(view.scale / STEP); break;
      case '0': setZoom({ mode: 'fit' }); break;
      case '1': oneToOne(); break;
      case 'r': case 'R': setRevealed((r) => !r); break;
      case 'b': case 'B': setBlur((b) => !b); break;
      case 'g': case 'G': setGrey((g) => !g); break;
      case 'ArrowLeft': pan(80, 0); break;
      case 'ArrowRight': pan(-80, 0); break;
      case 'ArrowUp': pan(0, 80); break;
      case 'ArrowDown': pan(0, -80); break;
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  const onWheel = (e: WheelEvent) => {
    const box = stage.current!.getBoundingClientRect();
    zoomTo(view.scale * (e.deltaY < 0 ? STEP : 1 / STEP), e.clientX - box.left, e.clientY - box.top);
  };
  const onPointerDown = (e: PointerEvent) => {
    (e.target as Element).setPointerCapture?.(e.pointerId);
    drag.current = { px: e.clientX, py: e.clientY, x: view.x, y: view.y };
  };
  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current;
    if (d) setZoom({ mode: 'manual', scale: view.scale, x: d.x + e.clientX - d.px, y: d.y + e.clientY - d.py });
  };

  const veilBlur = !revealed && blur;
  const veilGrey = !revealed && grey;
  const filter = [veilBlur ? `blur(${wellbeing.blurRadius}px)` : '', veilGrey ? 'grayscale(1)' : ''].filter(Boolean).join(' ') || 'none';
  const src = source?.source === 'original' ? bridge.media.originalUrl(contentId) : source?.source === 'preview' ? bridge.media.previewUrl(contentId) : null;
  const zoomPercent = Math.round((view.scale / perPixel) * 100);
  const name = item?.instances[0]?.path.split('/').pop() ?? '';

  return (
    <div className="viewer" role="dialog" aria-modal="true" aria-label="Viewer" tabIndex={-1} ref={root} onKeyDown={onKeyDown}
      data-testid="viewer" data-source={source?.source ?? 'loading'} data-veiled={veilBlur || veilGrey ? 'yes' : 'no'}
      data-blur={veilBlur ? 'on' : 'off'} data-grey={veilGrey ? 'on' : 'off'} data-zoom={zoomPercent} data-zoom-mode={zoom.mode}>
      <div className="viewer-bar">
        <strong className="viewer-name" title={item?.instances[0]?.path}>{name}</strong>
        {source?.source === 'original' && <span className="badge" data-testid="viewer-source" title={`${source.exhibitLabel}: ${source.path}`}>original, read from {source.exhibitLabel}</span>}
        {source?.source === 'preview' && <span className="badge badge-warn" data-testid="viewer-source" title={source.reason}>stored preview, original not reachable</span>}
        {source?.source === 'none' && <span className="badge badge-error" data-testid="viewer-source" title={source.reason}>no picture to show: {source.reason}</span>}
        {item?.image?.width && <span className="muted small">{item.image.width}×{item.image.height}</span>}
        <span className="viewer-zoom mono" data-testid="viewer-zoom">{zoom.mode === 'fit' ? `fit (${zoomPercent}%)` : `${zoomPercent}%`}</span>
        <button type="button" onClick={() => zoomTo(view.scale / STEP)} title="Zoom out (-)">−</button>
        <button type="button" onClick={() => zoomTo(view.scale * STEP)} title="Zoom in (+)">+</button>
        <button type="button" onClick={() => setZoom({ mode: 'fit' })} title="Fit (0)">Fit</button>
        <button type="button" onClick={oneToOne} title="One original pixel per screen pixel (1)">1:1</button>
        <label className="check"><input type="checkbox" checked={blur} onChange={(e) => setBlur(e.target.checked)} /> Blur (B)</label>
        <label className="check"><input type="checkbox" checked={grey} onChange={(e) => setGrey(e.target.checked)} /> Greyscale (G)</label>
        <button type="button" onClick={() => setRevealed((r) => !r)}>{revealed ? 'Veil' : 'Reveal'} (R)</button>
        <button type="button" className="viewer-close" onClick={onClose} title="Close (Escape)">Close</button>
      </div>
      <div className="viewer-stage" ref={stage} onWheel={onWheel} onPointerDown={onPointerDown} onPointerMove={onPointerMove}
        onPointerUp={() => { drag.current = null; }} onPointerCancel={() => { drag.current = null; }}>
        {/* The veil sits on an unscaled layer, so the blur is as strong on screen at every zoom. */}
        <div className="viewer-veil" style={{ filter }}>
          {src && (
            <img src={src} alt="" draggable={false} data-testid="viewer-image"
              onLoad={(e) => setNatural({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
              style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})`, visibility: natural ? 'visible' : 'hidden' } as CSSProperties} />
          )}
        </div>
      </div>
    </div>
  );
}
