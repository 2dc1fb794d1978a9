import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { buildSyntheticCase } from './syntheticCase.js';

/**
 * Scrolling deep into a large case: a jump fetches the pages in view (not every page between the
 * focused item and the view), and a page next to one the grid holds is asked for after (or before)
 * that page's edge row, so the engine seeks in its sort index. Tiles are checked against the order
 * the sort means on the synthetic case (content i is IMG_i, every file modified at the same second).
 */
const ITEMS = 6000;
const PAGE = 240;

interface Asked { offset: number; after?: number; before?: number; sort: { key: string; dir: string } }

describe('deep scroll and keyset pages (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let asked: Asked[] = [];

  /** The tiles drawn in view, top to bottom, as [row, column, content id]. */
  const tilesInView = () => page.evaluate(() => {
    const grid = document.querySelector('[data-testid="grid"]')!.getBoundingClientRect();
    return Array.from(document.querySelectorAll('.grid-row'))
      .filter((r) => { const b = r.getBoundingClientRect(); return b.bottom > grid.top && b.top < grid.bottom; })
      .sort((a, b) => Number(a.getAttribute('data-row')) - Number(b.getAttribute('data-row')))
      .flatMap((r) => Array.from(r.querySelectorAll('.tile')).map((t, col) => [Number(r.getAttribute('data-row')), col, Number(t.getAttribute('data-content-id') ?? NaN)] as [number, number, number]));
  });
  /** Scrolls and waits until every tile in view is drawn with its item. */
  const scrollAndSettle = async (to: { fraction: number } | { byRows: number }) => {
    await page.evaluate((t) => {
      const grid = document.querySelector('[data-testid="grid"]') as HTMLElement;
      const rowHeight = (document.querySelector('.grid-row') as HTMLElement).offsetHeight;
      grid.scrollTop = 'fraction' in t ? (grid.scrollHeight - grid.clientHeight) * t.fraction : grid.scrollTop + t.byRows * rowHeight;
    }, to);
    await page.waitForFunction(() => {
      const grid = document.querySelector('[data-testid="grid"]')!.getBoundingClientRect();
      const rows = Array.from(document.querySelectorAll('.grid-row')).filter((r) => { const b = r.getBoundingClientRect(); return b.bottom > grid.top && b.top < grid.bottom; });
      return rows.length > 0 && rows.every((r) => Array.from(r.querySelectorAll('.tile')).every((t) => t.hasAttribute('data-content-id')));
    });
    return tilesInView();
  };
  const columns = () => page.evaluate(() => document.querySelector('.grid-row')!.querySelectorAll('.tile').length);
  const chooseSort = async (value: string) => {
    const before = await page.getAttribute('[data-testid="grid"]', 'data-query');
    await page.selectOption('select[name="sort"]', value);
    await page.waitForFunction((q) => {
      const g = document.querySelector('[data-testid="grid"]') as HTMLElement;
      return g.dataset['query'] !== q && g.dataset['firstPage'] === 'ready' && document.querySelector('.tile[data-content-id]') !== null;
    }, before);
    // The grid keeps the focused item in view after a new sort, scrolling to it over a few frames:
    // a jump made before that ends would be undone by it.
    await page.evaluate(async () => {
      const grid = document.querySelector('[data-testid="grid"]') as HTMLElement;
      let last = -1;
      while (grid.scrollTop !== last) {
        last = grid.scrollTop;
        await new Promise((r) => setTimeout(r, 150));
      }
    });
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kestrel-e2e-deep-'));
    const caseDir = join(work, 'case');
    buildSyntheticCase(caseDir, ITEMS);
    served = await serve(caseDir, join(work, 'library'));
    browser = await launchChromium();
    page = await openPage(browser, errors);
    page.on('request', (r) => {
      if (r.url().endsWith('/api/queryItems')) asked.push(JSON.parse(r.postData() ?? '{}') as Asked);
    });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(served.url);
    await page.waitForSelector('[data-testid="grid"][data-first-page="ready"] .tile[data-content-id]');
    await page.waitForFunction((n) => document.querySelector('[data-testid="item-count"]')?.textContent === n, `${ITEMS.toLocaleString('en')} items`);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a jump to the end with the first item focused fetches the pages in view, not the pages between', async () => {
    await page.locator('.tile[data-content-id="1"]').click();
    await page.waitForSelector('.tile.focused[data-content-id="1"]');
    asked = [];
    const tiles = await scrollAndSettle({ fraction: 1 });
    await page.screenshot({ path: join(SCREENSHOTS, 'deep-scroll-01-end.png') });
    const cols = await columns();
    for (const [row, col, id] of tiles) expect(id).toBe(row * cols + col + 1);
    expect(tiles.at(-1)![2]).toBe(ITEMS);
    const pages = asked.map((a) => a.offset / PAGE);
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.length).toBeLessThanOrEqual(3);
    expect(Math.min(...pages)).toBeGreaterThanOrEqual(Math.floor((ITEMS - 100) / PAGE) - 1);
  });

  it('sorted by name, newest name first: a deep jump reads at an offset, the next page after the last row held, in order', async () => {
    await chooseSort('name:desc');
    await scrollAndSettle({ fraction: 0.5 });
    asked = [];
    const cols = await columns();
    // Far enough down to need the page after the ones loaded around the jump.
    const tiles = await scrollAndSettle({ byRows: Math.ceil(PAGE / cols) + 2 });
    await page.screenshot({ path: join(SCREENSHOTS, 'deep-scroll-02-name-desc-page-down.png') });
    for (const [row, col, id] of tiles) expect(id).toBe(ITEMS - (row * cols + col));
    const keyset = asked.filter((a) => a.after !== undefined);
    expect(keyset.length).toBeGreaterThan(0);
    for (const a of keyset) {
      expect(a.sort).toEqual({ key: 'name', dir: 'desc' });
      // The page before it ends at the item at offset - 1: content ITEMS - (offset - 1) in this order.
      expect(a.after).toBe(ITEMS - (a.offset - 1));
    }
  });

  it('sorted by modified time (every file the same second): pages after a deep jump continue in id order, in both directions', async () => {
    await chooseSort('mtime:asc');
    await scrollAndSettle({ fraction: 0.6 });
    const cols = await columns();
    asked = [];
    const down = await scrollAndSettle({ byRows: Math.ceil(PAGE / cols) + 2 });
    for (const [row, col, id] of down) expect(id).toBe(row * cols + col + 1);
    // Back up half a page at a time, as a wheel does, to two pages above the jump.
    for (let step = 0; step < 7; step++) {
      const up = await scrollAndSettle({ byRows: -Math.ceil(PAGE / cols / 2) });
      for (const [row, col, id] of up) expect(id).toBe(row * cols + col + 1);
    }
    expect(asked.some((a) => a.after !== undefined)).toBe(true);
    expect(asked.some((a) => a.before !== undefined), JSON.stringify(asked)).toBe(true);
    for (const a of asked.filter((x) => x.before !== undefined)) expect(a.before).toBe(a.offset + PAGE + 1);
    expect(errors).toEqual([]);
  });
});
