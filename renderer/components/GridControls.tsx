import { useEffect, useState } from 'react';
import type { ItemSort } from '../../electron/api/index.js';

/** Tile sizes of the catalogue grid (box incl. margins); small fits 60 tiles on a 1920x1080 screen. */
export const TILE_SIZES = {
  small: { width: 100, height: 120, thumb: 72 },
  medium: { width: 168, height: 204, thumb: 130 },
  large: { width: 248, height: 292, thumb: 214 },
} as const;
export type TileSize = keyof typeof TILE_SIZES;
export type GridView = 'tiles' | 'list';
/** A row of the details list. */
export const LIST_ROW_HEIGHT = 44;

export const SORT_OPTIONS: [string, string][] = [
  ['id:asc', 'Intake order'], ['size:desc', 'Largest first'], ['size:asc', 'Smallest first'], ['type:asc', 'File type'],
  ['category:asc', 'Category'], ['name:asc', 'Name, A to Z'], ['name:desc', 'Name, Z to A'], ['path:asc', 'Path, A to Z'], ['path:desc', 'Path, Z to A'], ['mtime:desc', 'Modified, newest first'],
  ['mtime:asc', 'Modified, oldest first'], ['taken:desc', 'Taken (EXIF), newest first'], ['taken:asc', 'Taken (EXIF), oldest first'],
  ['distance:asc', 'Match distance, nearest first'],
];

export function parseSort(v: string): ItemSort {
  const [key, dir] = v.split(':') as [ItemSort['key'], ItemSort['dir']];
  return { key, dir };
}

/**
 * Search (name, path or a hash prefix: MD5, SHA-1, SHA-256, PDQ), tile size and view. The search
 * is sent 300 ms after the last key, not on every key.
 */
export function GridControls({ search, onSearch, tileSize, onTileSize, view, onView }: {
  search: string; onSearch(text: string | undefined): void;
  tileSize: TileSize; onTileSize(size: TileSize): void;
  view: GridView; onView(view: GridView): void;
}) {
  const [text, setText] = useState(search);
  useEffect(() => { setText(search); }, [search]);
  useEffect(() => {
    if (text.trim() === search.trim()) return;
    const t = setTimeout(() => onSearch(text.trim() || undefined), 300);
    return () => clearTimeout(t);
  }, [text, search, onSearch]);
  return (
    <>
      <label className="select search">
        <span>Search</span>
        <input type="search" name="search" value={text} onChange={(e) => setText(e.target.value)} maxLength={500}
          placeholder="name, path or hash prefix" aria-label="Search by name, path or hash" />
      </label>
      <label className="select">
        <span>Tiles</span>
        <select name="tileSize" value={tileSize} onChange={(e) => onTileSize(e.target.value as TileSize)} disabled={view === 'list'}>
          <option value="small">Small</option>
          <option value="medium">Medium</option>
          <option value="large">Large</option>
        </select>
      </label>
      <div className="view-switch" role="group" aria-label="View">
        <button type="button" className={view === 'tiles' ? 'active' : ''} aria-pressed={view === 'tiles'} onClick={() => onView('tiles')} data-view="tiles">Tiles</button>
        <button type="button" className={view === 'list' ? 'active' : ''} aria-pressed={view === 'list'} onClick={() => onView('list')} data-view="list">Details</button>
      </div>
    </>
  );
}
