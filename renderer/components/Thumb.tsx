import type { CSSProperties } from 'react';
import { useSession, useWellbeing } from '../session.js';

/**
 * A preview under the examiner-wellbeing veil: blurred and greyscale unless revealed on demand or
 * the examiner turned the veil off in their profile's settings. Items without a thumbnail show their type only.
 */
export function Thumb({ contentId, hasThumbnail, revealed, type, large }: {
  contentId: number; hasThumbnail: boolean; revealed: boolean; type: string; large?: boolean;
}) {
  const { bridge } = useSession();
  const w = useWellbeing();
  const classes = ['thumb', large ? 'thumb-large' : '', !revealed && w.blur ? 'veil-blur' : '', !revealed && w.greyscale ? 'veil-grey' : '']
    .filter(Boolean).join(' ');
  const style = { '--blur': `${large ? w.blurRadius : Math.max(4, Math.round(w.blurRadius / 2))}px` } as CSSProperties;
  return (
    <div className={classes} style={style} data-veiled={!revealed && (w.blur || w.greyscale) ? 'yes' : 'no'}>
      {hasThumbnail
        ? <img src={bridge.media.thumbnailUrl(contentId)} alt="" loading="lazy" decoding="async" draggable={false} />
        : <div className="thumb-none">{type}</div>}
    </div>
  );
}
