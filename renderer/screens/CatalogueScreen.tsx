import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type MouseEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Facets, ItemFilter, ItemRow, ItemSort } from '../../electron/api/index.js';
import { formatBytes, formatCount, useSession, valueOr } from '../session.js';
import { categoryKeys, categoryLabel, decisionText, isAlert } from '../categories.js';
import { Thumb } from '../components/Thumb.js';
import { PlaceMarks } from '../components/PlaceMarks.js';
import { ItemDetailPane } from './ItemDetailPane.js';
import { EvidenceTree } from '../components/EvidenceTree.js';
import { Viewer } from '../components/Viewer.js';
import { Compare, type CompareTarget } from '../components/Compare.js';
import { GridControls, LIST_ROW_HEIGHT, parseSort, SORT_OPTIONS, TILE_SIZES, type GridView, type TileSize } from '../components/GridControls.js';
import { recalled, remember, useRemembered } from '../remember.js';
import { useActionQueue } from '../actionQueue.js';
import { useDecisionOverlay } from '../decisionOverlay.js';

const PAGE = 240;

/**
 * Keyset paging: a page beside one already loaded for this catalogue state starts from that page's
 * edge row, so the engine seeks in its sort index instead of counting rows up to the offset.
 */
function cursorFor(pages: ReadonlyMap<number, ItemRow[]>, stale: ReadonlySet<number>, page: number): { after?: number; before?: number } {
  const fresh = (p: number) => (stale.has(p) ? undefined : pages.get(p));
  const previous = fresh(page - 1);
  if (previous?.length === PAGE) return { after: previous[PAGE - 1]!.id };
  const next = fresh(page + 1);
  if (next && next.length > 0) return { before: next[0]!.id };
  return {};
}

/** The page numbers covering these index ranges [from, to), each once, in order. */
function pagesOf(ranges: readonly [number, number][]): number[] {
  const pages = new Set<number>();
  for (const [from, to] of ranges) {
    for (let p = Math.floor(from / PAGE); p <= Math.floor(Math.max(from, to - 1) / PAGE); p++) pages.add(p);
  }
  return [...pages].sort((a, b) => a - b);
}

/**
 * Pages of the current query, fetched as the examiner scrolls; a new query starts a new
 * generation. The count is asked for once the first page has been answered: the engine answers
 * one request at a time, and sent together the count (up to a second over a million rows) could
 * be served first and hold up the tiles. Until it arrives the grid is as long as what has been loaded.
 */
function usePagedItems(filter: ItemFilter, sort: ItemSort) {
  const { bridge, report } = useSession();
  const pages = useRef(new Map<number, ItemRow[]>());
  const pending = useRef(new Set<number>());
  // Pages shown until their reload arrives: the grid never goes blank under the examiner's keys.
  const stale = useRef(new Set<number>());
  const lastRanges = useRef<[number, number][]>([[0, PAGE]]);
  const pagesKey = useRef('');
  const generation = useRef(0);
  // Each answer is kept with the query it answers, so a new query never shows the old one's
  // count or tiles in the frames before its own arrive.
  const key = JSON.stringify([filter, sort]);
  const [totalFor, setTotalFor] = useState<{ key: string; total: number } | null>(null);
  const [loadedFor, setLoadedFor] = useState<{ key: string; n: number }>({ key: '', n: 0 });
  const [version, setVersion] = useState(0);

  const fetchPage = useCallback(async (page: number, gen: number) => {
    if (pending.current.has(page)) return;
    pending.current.add(page);
    const r = await bridge.api.queryItems({ filter, sort, offset: page * PAGE, limit: PAGE, ...cursorFor(pages.current, stale.current, page) });
    if (gen !== generation.current) return;
    pending.current.delete(page);
    const value = valueOr(r, report);
    if (!value) return;
    pages.current.set(page, value.rows);
    stale.current.delete(page);
    // While the count is on its way: what is loaded, plus one page more when this one was full.
    const n = page * PAGE + value.rows.length + (value.rows.length === PAGE ? PAGE : 0);
    setLoadedFor((l) => ({ key, n: l.key === key ? Math.max(l.n, n) : n }));
    setVersion((v) => v + 1);
  }, [bridge, report, filter, sort, key]);

  /** Resolves true once the pages in view and the count are those of the catalogue now, false when a newer query overtook it. */
  const reset = useCallback(async (keepPages: boolean): Promise<boolean> => {
    generation.current += 1;
    const gen = generation.current;
    pending.current = new Set();
    let first: number[] = [0];
    if (keepPages && pagesKey.current === key) {
      stale.current = new Set(pages.current.keys());
      first = pagesOf(lastRanges.current);
    } else {
      pages.current = new Map();
      stale.current = new Set();
      pagesKey.current = key;
    }
    await Promise.all(first.map((p) => fetchPage(p, gen)));
    if (gen !== generation.current) return false;
    const r = await bridge.api.countItems({ filter });
    if (gen !== generation.current) return false;
    const value = valueOr(r, report);
    if (value) setTotalFor({ key, total: value.total });
    return true;
  }, [fetchPage, bridge, report, filter, key]);

  // Before the browser paints the screen (a layout effect), so the first page is being fetched
  // while the toolbar and the empty grid are drawn rather than after.
  useLayoutEffect(() => { void reset(false); }, [reset]);

  /** Loads the pages of these index ranges [from, to) that are missing or stale, and only those. */
  const ensure = useCallback((...ranges: [number, number][]) => {
    lastRanges.current = ranges;
    for (const p of pagesOf(ranges)) {
      if (!pages.current.has(p) || stale.current.has(p)) void fetchPage(p, generation.current);
    }
  }, [fetchPage]);

  const item = useCallback(
    (index: number): ItemRow | undefined => (pagesKey.current === key ? pages.current.get(Math.floor(index / PAGE))?.[index % PAGE] : undefined),
    [key],
  );

  /** Where this content is among the loaded rows (fresh pages first), or -1. */
  const indexOf = useCallback((contentId: number): number => {
    if (pagesKey.current !== key) return -1;
    const ordered = [...pages.current.entries()].sort(([a], [b]) => Number(stale.current.has(a)) - Number(stale.current.has(b)));
    for (const [p, rows] of ordered) {
      const i = rows.findIndex((r) => r.id === contentId);
      if (i >= 0) return p * PAGE + i;
    }
    return -1;
  }, [key]);

  /** After a change: refetch what is on screen, keeping the scroll position and the old rows until the new ones arrive. */
  const reload = useCallback(() => reset(true), [reset]);

  const total = totalFor?.key === key ? totalFor.total : null;
  const loaded = loadedFor.key === key ? loadedFor.n : 0;
  return { total, loaded, firstPageReady: loaded > 0 || total === 0, item, indexOf, ensure, reload, version };
}

export function CatalogueScreen() {
  const { bridge, info, report, refresh } = useSession();
  const categories = useMemo(() => info.case?.categories ?? [], [info.case]);
  const keys = useMemo(() => categoryKeys(categories), [categories]);
  // Filters, sort, layout, focus, selection and scroll position are there again when the examiner comes back.
  const memo = `catalogue.${info.case?.caseUuid ?? ''}`;
  const [filter, setFilter] = useRemembered<ItemFilter>(`${memo}.filter`, {});
  const [sort, setSort] = useRemembered<ItemSort>(`${memo}.sort`, { key: 'id', dir: 'asc' });
  const [tileSize, setTileSize] = useRemembered<TileSize>(`${memo}.tileSize`, 'medium');
  const [view, setView] = useRemembered<GridView>(`${memo}.view`, 'tiles');
  const tile = view === 'list' ? { width: 0, height: LIST_ROW_HEIGHT, thumb: 36 } : TILE_SIZES[tileSize];
  const [facets, setFacets] = useState<Facets | null>(null);
  const [focus, setFocusIndex] = useRemembered(`${memo}.focus`, 0);
  // The focused item by content id, beside the index it is drawn at: keys act on the item, and the
  // index follows it when rows move (reload, decided items leaving the queue, a re-sort).
  const focusRef = useRef<{ index: number; id: number | null }>({ index: focus, id: null });
  // Selected contents by id, with the SHA-256 the examiner saw on each.
  const [selected, setSelected] = useRemembered<Map<number, string>>(`${memo}.selected`, () => new Map());
  const [revealed, setRevealed] = useState<number | null>(null);
  const [viewing, setViewing] = useState<number | null>(null);
  const [comparing, setComparing] = useState<CompareTarget | null>(null);
  const [layout, setLayout] = useState<{ columns: number; tileWidth: number }>({ columns: 4, tileWidth: TILE_SIZES.medium.width });
  const columns = layout.columns;
  const [detailVersion, setDetailVersion] = useState(0);
  const [showTree, setShowTree] = useRemembered(`${memo}.showTree`, true);
  const [tagText, setTagText] = useState('');
  const { total, loaded, firstPageReady, item, indexOf, ensure, reload, version } = usePagedItems(filter, sort);
  const overlay = useDecisionOverlay();
  const scroller = useRef<HTMLDivElement>(null);

  // The filter choices are counted after the first page is on screen, not before it: one engine
  // thread serves both, and the examiner wants to see items first. They are asked again for
  // another case or after a tag change, not after every decision (the case summary is a new object
  // after each refresh): the file-type counts read every item, 70-380 ms over a million that the
  // engine would owe the next keypress.
  const firstPageShown = loaded > 0 || total !== null;
  const caseUuid = info.case?.caseUuid;
  const [facetsVersion, setFacetsVersion] = useState(0);
  useEffect(() => {
    if (!firstPageShown) return;
    void bridge.api.facets({}).then((r) => { const v = valueOr(r, report); if (v) setFacets(v); });
  }, [bridge, report, firstPageShown, caseUuid, facetsVersion]);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // Tiles stretch to share the row evenly, so no ragged gap is left at the right edge.
    const fit = () => {
      const usable = el.clientWidth - 8;
      const cols = view === 'list' ? 1 : Math.max(1, Math.floor(usable / tile.width));
      setLayout({ columns: cols, tileWidth: Math.floor(usable / cols) });
    };
    const ro = new ResizeObserver(fit);
    ro.observe(el);
    fit();
    return () => ro.disconnect();
  }, [view, tile.width]);
  // The scroll position is kept when leaving the screen and given back on return, once the first
  // page has made the grid tall enough to hold it.
  // (Noted as it scrolls: once the screen has gone, its element no longer has a scroll position.)
  const scrollRestored = useRef(false);

  const count = total ?? loaded;
  const rowCount = Math.ceil(count / columns);
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroller.current,
    estimateSize: () => tile.height,
    overscan: 2,
  });
  useEffect(() => { virtualizer.measure(); }, [virtualizer, tile.height, columns]);
  useEffect(() => {
    if (scrollRestored.current || !firstPageReady || !scroller.current) return;
    scrollRestored.current = true;
    const top = recalled<number>(`${memo}.scroll`);
    if (top) scroller.current.scrollTop = top;
  }, [firstPageReady, memo]);
  const virtualRows = virtualizer.getVirtualItems();
  const firstRow = virtualRows[0]?.index ?? 0;
  const lastRow = virtualRows[virtualRows.length - 1]?.index ?? 0;
  // The rows in view, and those after the focused item so the next key always finds its item: two
  // ranges, never the span between them (a jump deep into the case from a focus near the top
  // loaded every page in between, thousands of them in a million items).
  useEffect(() => {
    ensure([firstRow * columns, (lastRow + 1) * columns], [focus, focus + columns * 8]);
  }, [firstRow, lastRow, columns, ensure, version, focus]);

  const setFocus = (index: number, id: number | null) => {
    focusRef.current = { index, id };
    setFocusIndex(index);
  };
  /**
   * The focused item as the grid shows it now. When the focused content has moved (rows reloaded,
   * decided items gone from the queue) focus follows it; when it has left the rows, focus stays at
   * its place and the item now drawn there is the focused one: a key acts on the highlighted tile.
   */
  const resolveFocus = (): { index: number; row: ItemRow | undefined } => {
    const f = focusRef.current;
    const at = item(f.index);
    if (f.id !== null && at?.id !== f.id) {
      const found = indexOf(f.id);
      if (found >= 0) {
        if (found !== f.index) setFocus(found, f.id);
        return { index: found, row: item(found) };
      }
    }
    if (at && at.id !== f.id) focusRef.current = { index: f.index, id: at.id };
    return { index: f.index, row: at };
  };
  useLayoutEffect(() => {
    const before = focusRef.current.index;
    const { index } = resolveFocus();
    if (index !== before) virtualizer.scrollToIndex(Math.floor(index / columns));
  });

  const searchFor = (text: string | undefined) => changeFilter({ search: text });
  const changeFilter = (patch: Partial<ItemFilter>) => {
    const next: ItemFilter = { ...filter, ...patch };
    for (const k of Object.keys(next) as (keyof ItemFilter)[]) if (next[k] === undefined) delete next[k];
    setFilter(next);
    setFocus(0, null);
    setSelected(new Map());
    virtualizer.scrollToIndex(0);
  };

  const focused = item(focus);
  const targets = (): number[] => (selected.size > 0 ? [...selected.keys()] : focused ? [focused.id] : []);

  const afterChange = async (tagsChanged = false) => {
    void reload();
    setDetailVersion((v) => v + 1);
    if (tagsChanged) setFacetsVersion((v) => v + 1);
    await refresh();
  };

  // The grid is reloaded once the examiner's queued actions have all reached the engine.
  const actions = useActionQueue(async () => {
    const shown = overlay.mark();
    const [current] = await Promise.all([reload(), refresh()]);
    setDetailVersion((v) => v + 1);
    if (current) overlay.clearUpTo(shown);
  }, (err) => report(err instanceof Error ? err.message : String(err), 'error'));

  /** Queues a decision on these contents, named now; the tiles show it at once, marked pending until the engine has it. */
  const queueDecision = (rows: Pick<ItemRow, 'id' | 'sha256'>[], code: string, via: 'keyboard' | 'selection') => {
    const contentIds = rows.map((r) => r.id);
    const expectSha256 = rows.map((r) => r.sha256);
    const inView = filter;
    overlay.show(contentIds, code);
    actions.enqueue(async () => {
      const r = valueOr(await bridge.api.categorise({ contentIds, expectSha256, inView, category: code, via }), report);
      if (!r) { overlay.forget(contentIds); return; }
      overlay.applied(contentIds);
      report(`${formatCount(contentIds.length)} item${contentIds.length === 1 ? '' : 's'} → ${categoryLabel(categories, code)}`);
    });
  };

  const categoriseFocused = (code: string) => {
    const { index, row } = resolveFocus();
    if (!row) return report('The focused item is still loading: the key was not applied', 'error');
    queueDecision([row], code, 'keyboard');
    moveFocus(index + 1);
  };

  const categoriseSelection = (code: string) => {
    const rows = [...selected].map(([id, sha256]) => ({ id, sha256 }));
    if (rows.length === 0) return;
    queueDecision(rows, code, 'selection');
    // One key, one action: the next key goes to the focused item again, not to these.
    setSelected(new Map());
  };

  // Undo and redo are the engine's, per examiner and case: they reach actions taken on other
  // screens (a whole group) and before a reload. Queued behind the keys pressed before them.
  const undoLast = () => actions.enqueue(async () => {
    const r = valueOr(await bridge.api.undoLast({}), report);
    if (!r) return;
    overlay.forget(r.contentIds);
    report(`Undone (${r.via}, ${formatCount(r.contentIds.length)} item${r.contentIds.length === 1 ? '' : 's'}): ${r.restored} restored, ${r.withdrawn} back to uncategorised`);
  });
  const redoLast = () => actions.enqueue(async () => {
    const r = valueOr(await bridge.api.redoLast({}), report);
    if (!r) return;
    overlay.forget(r.contentIds);
    report(`Redone (${r.via}, ${formatCount(r.redone)} item${r.redone === 1 ? '' : 's'})`);
  });

  const moveFocus = (to: number) => {
    const next = Math.max(0, Math.min(count - 1, to));
    setFocus(next, item(next)?.id ?? null);
    setRevealed(null);
    virtualizer.scrollToIndex(Math.floor(next / columns));
  };

  const toggleSelected = (row: ItemRow) => {
    setSelected((s) => { const n = new Map(s); if (n.has(row.id)) n.delete(row.id); else n.set(row.id, row.sha256); return n; });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).closest('input, textarea, select')) return;
    const mapped = keys.find((k) => k.key === e.key);
    if (mapped && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      if (selected.size > 0) categoriseSelection(mapped.category.code);
      else categoriseFocused(mapped.category.code);
      return;
    }
    const ctrl = e.ctrlKey || e.metaKey;
    if ((ctrl && e.key.toLowerCase() === 'z' && e.shiftKey) || (ctrl && e.key === 'y') || e.key === 'U') { e.preventDefault(); redoLast(); return; }
    if ((ctrl && e.key === 'z') || e.key === 'u') { e.preventDefault(); undoLast(); return; }
    switch (e.key) {
      case 'ArrowRight': e.preventDefault(); moveFocus(focus + 1); break;
      case 'ArrowLeft': e.preventDefault(); moveFocus(focus - 1); break;
      case 'ArrowDown': e.preventDefault(); moveFocus(focus + columns); break;
      case 'ArrowUp': e.preventDefault(); moveFocus(focus - columns); break;
      case 'PageDown': e.preventDefault(); moveFocus(focus + columns * 4); break;
      case 'PageUp': e.preventDefault(); moveFocus(focus - columns * 4); break;
      case 'Home': e.preventDefault(); moveFocus(0); break;
      case 'End': e.preventDefault(); moveFocus(count - 1); break;
      case 'Enter': {
        e.preventDefault();
        const { row } = resolveFocus();
        if (row) setViewing(row.id);
        break;
      }
      case 'r': {
        e.preventDefault();
        const { row } = resolveFocus();
        setRevealed((r) => (r === row?.id ? null : row?.id ?? null));
        break;
      }
      case ' ': {
        e.preventDefault();
        const { row } = resolveFocus();
        if (row) toggleSelected(row);
        break;
      }
      case 'c': case 'C': {
        e.preventDefault();
        compare();
        break;
      }
      case 'Escape': setSelected(new Map()); break;
      default:
    }
  };

  /** Two selected items side by side, or with nothing selected the focused item beside what it matched. */
  const compare = () => {
    if (selected.size === 2) {
      const [a, b] = [...selected.keys()] as [number, number];
      setComparing({ kind: 'items', a, b });
    } else if (selected.size > 0) {
      report(`Select exactly two items to compare them (${formatCount(selected.size)} selected)`, 'error');
    } else {
      const { row } = resolveFocus();
      if (row) setComparing({ kind: 'match', contentId: row.id });
    }
  };

  const onTileClick = (index: number, row: ItemRow, e: MouseEvent) => {
    if (e.shiftKey) {
      const [a, b] = index < focus ? [index, focus] : [focus, index];
      setSelected((s) => { const n = new Map(s); for (let i = a; i <= b; i++) { const it = item(i); if (it) n.set(it.id, it.sha256); } return n; });
    } else if (e.ctrlKey || e.metaKey) {
      toggleSelected(row);
    }
    setFocus(index, row.id);
    setRevealed(null);
  };

  const bulkTag = async (how: 'add' | 'remove') => {
    const tag = tagText.trim();
    const ids = targets();
    if (!tag || ids.length === 0) return;
    const r = how === 'add' ? await bridge.api.addTag({ contentIds: ids, tag }) : await bridge.api.removeTag({ contentIds: ids, tag });
    const v = valueOr(r, report);
    if (v) { report(`Tag "${tag}" ${how === 'add' ? 'added to' : 'removed from'} ${v.changed} item(s)`); setSelected(new Map()); await afterChange(true); }
  };

  return (
    <div className="screen screen-full catalogue">
      <div className="toolbar" role="toolbar" aria-label="Filters">
        <Select label="Matched" name="matched" value={filter.matched ?? ''} onChange={(v) => changeFilter({ matched: (v || undefined) as ItemFilter['matched'] })}
          options={[['', 'All'], ['any', 'Any hit'], ['alert', 'Alert lists'], ['known', 'Known only'], ['none', 'No hit']]} />
        <Select label="Category" name="category" value={filter.category ?? ''} onChange={(v) => changeFilter({ category: v || undefined })}
          options={[['', 'All'], ['none', 'Uncategorised'], ['other-scheme', 'Decided in another scheme'], ...categories.map((c): [string, string] => [c.code, `${c.code} · ${c.label}`])]} />
        <Select label="File type" name="fileType" value={filter.fileType ?? ''} onChange={(v) => changeFilter({ fileType: v || undefined })}
          options={[['', 'All'], ...(facets?.fileTypes ?? []).map((t): [string, string] => [t.type, `${t.type} (${formatCount(t.count)})`])]} />
        <Select label="Exhibit" name="exhibit" value={String(filter.exhibitId ?? '')} onChange={(v) => changeFilter({ exhibitId: v ? Number(v) : undefined, under: undefined })}
          options={[['', 'All'], ...(facets?.exhibits ?? []).map((x): [string, string] => [String(x.id), x.label])]} />
        <Select label="Hash list" name="hashList" value={String(filter.hashListId ?? '')} onChange={(v) => changeFilter({ hashListId: v ? Number(v) : undefined })}
          options={[['', 'All'], ...(facets?.hashLists ?? []).map((x): [string, string] => [String(x.id), `${x.name} v${x.version}${x.known ? ' (known)' : ''}`])]} />
        <Select label="Other cases" name="seenElsewhere" value={filter.seenElsewhere === undefined ? '' : String(filter.seenElsewhere)}
          onChange={(v) => changeFilter({ seenElsewhere: v === '' ? undefined : v === 'true' })}
          options={[['', 'Any'], ['true', 'Seen in another case'], ['false', 'Not seen elsewhere']]} />
        <Select label="GPS" name="hasGps" value={filter.hasGps === undefined ? '' : String(filter.hasGps)} onChange={(v) => changeFilter({ hasGps: v === '' ? undefined : v === 'true' })}
          options={[['', 'Any'], ['true', 'Has GPS'], ['false', 'No GPS']]} />
        <Select label="Where" name="place" value={filter.place ?? ''} onChange={(v) => changeFilter({ place: (v || undefined) as ItemFilter['place'] })}
          options={PLACE_OPTIONS} />
        <Select label="Errors" name="errors" value={filter.errors === undefined ? '' : String(filter.errors)} onChange={(v) => changeFilter({ errors: v === '' ? undefined : v === 'true' })}
          options={[['', 'Any'], ['true', 'With errors'], ['false', 'Without']]} />
        {facets && facets.tags.length > 0 && (
          <Select label="Tag" name="tag" value={filter.tag ?? ''} onChange={(v) => changeFilter({ tag: v || undefined })}
            options={[['', 'Any'], ...facets.tags.map((t): [string, string] => [t, t])]} />
        )}
        <Select label="Sort" name="sort" value={`${sort.key}:${sort.dir}`} onChange={(v) => { setSort(parseSort(v)); setFocus(0, null); }}
          options={SORT_OPTIONS} />
        <GridControls search={filter.search ?? ''} onSearch={searchFor} tileSize={tileSize} onTileSize={setTileSize} view={view} onView={setView} />
        <button type="button" className="small" aria-pressed={showTree} onClick={() => setShowTree(!showTree)}>Evidence tree</button>
        <div className="toolbar-count" aria-live="polite" data-testid="item-count">{total === null ? (loaded > 0 ? 'Counting…' : 'Loading…') : `${formatCount(total)} items`}</div>
      </div>
      <div className="keybar small" aria-label="Keyboard">
        {keys.map((k) => (
          <span key={k.key} className={`key-hint${k.category.alert ? ' alert' : ''}`}><kbd>{k.key}</kbd> {k.category.label}</span>
        ))}
        <span className="key-hint"><kbd>U</kbd>/<kbd>Ctrl Z</kbd> undo</span>
        <span className="key-hint"><kbd>Shift U</kbd>/<kbd>Ctrl Y</kbd> redo</span>
        <span className="key-hint"><kbd>R</kbd> reveal</span>
        <span className="key-hint"><kbd>Space</kbd> select</span>
        <span className="key-hint"><kbd>C</kbd> compare (two selected, or the focused item with its matches)</span>
      </div>
      {selected.size > 0 && (
        <div className="bulkbar" aria-label="Bulk actions">
          <strong data-testid="selection-count">{formatCount(selected.size)} selected</strong>
          <span className="muted small" data-testid="selection-effect">
            a category key changes these {formatCount(selected.size)} item{selected.size === 1 ? '' : 's'}, not the focused one
          </span>
          {keys.map((k) => (
            <button key={k.key} type="button" onClick={() => categoriseSelection(k.category.code)} title={k.category.label}>{k.category.code}</button>
          ))}
          <input placeholder="tag" value={tagText} onChange={(e) => setTagText(e.target.value)} maxLength={100} aria-label="Tag" />
          <button type="button" onClick={() => void bulkTag('add')}>Add tag</button>
          <button type="button" onClick={() => void bulkTag('remove')}>Remove tag</button>
          <button type="button" className="link" onClick={() => setSelected(new Map())}>Clear selection</button>
        </div>
      )}
      <div className="catalogue-body">
        {showTree && (
          <EvidenceTree exhibits={facets?.exhibits ?? []} memo={memo}
            selected={filter.under ? { exhibitId: filter.under.exhibitId, path: filter.under.path } : filter.exhibitId !== undefined ? { exhibitId: filter.exhibitId, path: null } : null}
            onSelect={(p) => changeFilter(p === null ? { exhibitId: undefined, under: undefined }
              : { exhibitId: p.exhibitId, under: p.path === null ? undefined : { exhibitId: p.exhibitId, path: p.path } })} />
        )}
        <div className={`grid-scroll view-${view} tiles-${tileSize}`} ref={scroller}
          onScroll={(e) => { if (scrollRestored.current) remember(`${memo}.scroll`, e.currentTarget.scrollTop); }} tabIndex={0} onKeyDown={onKeyDown} aria-label="Catalogue grid" data-testid="grid"
          data-query={JSON.stringify([filter, sort])} data-first-page={firstPageReady ? 'ready' : 'loading'}>
          {total === 0 && <p className="muted empty">No items match these filters.</p>}
          <div className="grid-space" style={{ height: virtualizer.getTotalSize(), '--tile-w': `${layout.tileWidth - 8}px`, '--tile-h': `${tile.height - 8}px`, '--thumb-h': `${tile.thumb}px` } as CSSProperties}>
            {virtualRows.map((vr) => (
              <div key={vr.key} className="grid-row" data-row={vr.index} style={{ transform: `translateY(${vr.start}px)`, height: tile.height }}>
                {Array.from({ length: columns }, (_, col) => {
                  const index = vr.index * columns + col;
                  if (index >= count) return null;
                  const row = item(index);
                  if (!row) return <div key={col} className="tile tile-loading" />;
                  const shown = overlay.category(row.id, row.category);
                  const alert = isAlert(categories, shown.category);
                  const old = shown.category === null ? row.otherScheme : null;
                  return (
                    <div
                      key={col}
                      className={`tile${index === focus ? ' focused' : ''}${selected.has(row.id) ? ' selected' : ''}`}
                      data-content-id={row.id}
                      onClick={(e) => onTileClick(index, row, e)}
                      onDoubleClick={() => setViewing(row.id)}
                      role="gridcell"
                      aria-selected={selected.has(row.id)}
                    >
                      <Thumb contentId={row.id} hasThumbnail={row.hasThumbnail} revealed={revealed === row.id} type={row.type} />
                      <PlaceMarks row={row} />
                      <div className="tile-name" title={row.path}>{row.name || row.sha256.slice(0, 16)}</div>
                      {view === 'list' && <ListColumns row={row} />}
                      <div className="tile-meta">
                        <span>{formatBytes(row.size)}</span>
                        {row.matched && <span className={`badge badge-${row.matched}`}>{row.matched === 'alert' ? 'HIT' : 'known'}</span>}
                        {row.listCategory !== null && <span className="badge badge-list" data-testid="list-category" title="the list's category (a precategorisation, not a decision)">list {row.listCategory}</span>}
                        {row.otherCases > 0 && (
                          <span className="badge badge-case" data-testid="case-hit" title={`seen in ${row.otherCases} other case${row.otherCases === 1 ? '' : 's'} of the lab library (not a decision)`}>
                            {row.otherCases === 1 ? 'case' : `${row.otherCases} cases`}
                          </span>
                        )}
                        {row.hasGps && <span className="badge">GPS</span>}
                        {row.error && <span className="badge badge-error">error</span>}
                        <span className={`badge badge-cat${alert ? ' alert' : ''}${shown.category === null && !old ? ' none' : ''}${old ? ' old-scheme' : ''}${shown.pending ? ' pending' : ''}`}
                          data-category={shown.category ?? ''} data-pending={shown.pending ? 'yes' : undefined}
                          data-other-scheme={old ? old.scheme : undefined} title={old ? `decided in ${old.scheme}, a scheme the case no longer uses: decide it again in the case's scheme` : undefined}>
                          {decisionText(shown.category, old) ?? '—'}
                        </span>
                      </div>
                    </div>
                  );
                })}
              </div>
            ))}
          </div>
        </div>
        <aside className="detail" aria-label="Item detail">
          {focused
            ? <ItemDetailPane contentId={focused.id} version={detailVersion} revealed={revealed === focused.id}
                onReveal={() => setRevealed((r) => (r === focused.id ? null : focused.id))} onChanged={() => afterChange(true)} />
            : <p className="muted">Select an item.</p>}
        </aside>
      </div>
      {viewing !== null && <Viewer contentId={viewing} onClose={() => { setViewing(null); scroller.current?.focus(); }} />}
      {comparing !== null && <Compare target={comparing} onClose={() => { setComparing(null); scroller.current?.focus(); }} />}
    </div>
  );
}

/** Where a disk image or an archive put the file (native/catalog/entryFlags.ts PLACE_FILTERS). */
const PLACE_OPTIONS: [string, string][] = [
  ['', 'Anywhere'], ['allocated', 'Allocated'], ['deleted', 'Deleted'], ['orphan', 'Orphan'], ['inArchive', 'In archive'], ['contentUnverified', 'Content not verified'],
];

function Select({ label, name, value, options, onChange }: {
  label: string; name: string; value: string; options: [string, string][]; onChange(value: string): void;
}) {
  return (
    <label className="select">
      <span>{label}</span>
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
    </label>
  );
}

/** The details list's extra columns: where the file is, its type and its times. */
function ListColumns({ row }: { row: ItemRow }) {
  return (
    <>
      <div className="list-path mono" title={row.path}>{row.path}</div>
      <div className="list-type">{row.type}</div>
      <div className="list-time" title="modified">{row.mtime?.slice(0, 19).replace('T', ' ') ?? '—'}</div>
      <div className="list-time" title="taken (EXIF)">{row.taken ?? '—'}</div>
    </>
  );
}
