import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REFERENCE, SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { kestrel, tempDir } from '../helpers/cli.js';
import { openSqlite } from '../../native/catalog/sqlite.js';

/**
 * The catalogue grid at 1920x1080: tile sizes, the details list, search by name, path and hash
 * prefixes, the sorts, a list's category on a hit, and everything kept across leaving the screen.
 * Evidence: the 12 reference photos of exif-rotn and dih, and 70 small text files made here.
 */
describe('catalogue grid controls (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let caseDir: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const md5 = (f: string) => createHash('md5').update(readFileSync(f)).digest('hex');
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  const waitCount = (n: number) => page.waitForFunction((want) => document.querySelector('[data-testid="item-count"]')?.textContent === want, `${n} items`);
  let bridgeMd5 = '';

  beforeAll(async () => {
    work = tempDir('grid');
    const evidence = join(work, 'evidence');
    cpSync(join(REFERENCE, 'pdq', 'reg-test-input', 'exif-rotn'), join(evidence, 'phone'), { recursive: true });
    cpSync(join(REFERENCE, 'pdq', 'reg-test-input', 'dih'), join(evidence, 'dih'), { recursive: true });
    mkdirSync(join(evidence, 'notes'));
    for (let i = 0; i < 70; i++) writeFileSync(join(evidence, 'notes', `note-${String(i).padStart(2, '0')}.txt`), `note number ${i}\n`);
    bridgeMd5 = md5(join(evidence, 'dih', 'bridge-3-rotate-180.jpg'));
    const list = join(work, 'list.vics.json');
    writeFileSync(list, JSON.stringify({
      'odata.metadata': 'http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media',
      value: [{ MediaID: 7, Category: 2, MD5: bridgeMd5.toUpperCase(), SHA1: null, MediaSize: 1 }],
    }));
    caseDir = join(work, 'case');
    const library = join(work, 'library');
    for (const args of [
      ['init', caseDir, '--case-number', 'OP-GRID', '--examiner', 'Grid Test'],
      ['intake', caseDir, evidence, '--exhibit', 'EX-G'],
      ['hashset', 'import', list, '--format', 'vics', '--name', 'Grid list', '--scheme', 'vic-us', '--library', library],
      ['match', caseDir, '--library', library],
    ]) {
      const r = kestrel(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    served = await serve(caseDir, library);
    browser = await launchChromium();
    page = await openPage(browser, errors);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(served.url);
    await page.waitForSelector('.tile[data-content-id]');
    await waitCount(82);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Tiles wholly inside the grid's visible box. */
  const visibleTiles = () => page.evaluate(() => {
    const box = document.querySelector('[data-testid="grid"]')!.getBoundingClientRect();
    return Array.from(document.querySelectorAll('[data-testid="grid"] .tile[data-content-id]')).filter((t) => {
      const r = t.getBoundingClientRect();
      return r.top >= box.top && r.bottom <= box.bottom && r.left >= box.left && r.right <= box.right;
    }).length;
  });

  it('shows at least 60 whole tiles at 1920x1080 on the smallest size, fewer on larger ones', async () => {
    await page.selectOption('select[name="tileSize"]', 'small');
    await page.waitForFunction(() => document.querySelector('[data-testid="grid"]')?.classList.contains('tiles-small'));
    const small = await visibleTiles();
    expect(small).toBeGreaterThanOrEqual(60);
    await shot('grid-01-small-tiles-1920');
    await page.selectOption('select[name="tileSize"]', 'large');
    await page.waitForFunction(() => document.querySelector('[data-testid="grid"]')?.classList.contains('tiles-large'));
    const large = await visibleTiles();
    expect(large).toBeLessThan(small);
    expect(large).toBeGreaterThan(0);
    await page.selectOption('select[name="tileSize"]', 'medium');
  });

  it('searches by name, path fragment and MD5, SHA-256 and PDQ prefixes', async () => {
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    const phone = db.prepare("SELECT c.sha256, i.pdq FROM content c JOIN file_instance f ON f.content_id = c.id JOIN image_data i ON i.content_id = c.id WHERE f.path_text = 'phone/exif-rotn-3.jpg'")
      .get() as { sha256: string; pdq: string };
    db.close();
    const search = async (text: string, n: number) => {
      await page.fill('input[name="search"]', text);
      await page.waitForFunction((t) => document.querySelector('[data-testid="grid"]')?.getAttribute('data-query')?.includes(`"search":"${t}"`), text);
      await waitCount(n);
    };
    await search('bridge-3', 1);
    expect(await page.textContent('.tile[data-content-id] .tile-name')).toBe('bridge-3-rotate-180.jpg');
    await search('PHONE/', 4);
    await search(bridgeMd5.slice(0, 10), 1);
    await search(phone.sha256.slice(0, 12), 1);
    await search(phone.pdq.slice(0, 16), 1);
    expect(await page.textContent('.tile[data-content-id] .tile-name')).toBe('exif-rotn-3.jpg');
    await search('no-such-thing', 0);
    await page.fill('input[name="search"]', '');
    await waitCount(82);
  });

  it('shows the list\'s category on the tile that hit, sorts by name, path and match distance, and has a details list', async () => {
    await page.selectOption('select[name="sort"]', 'distance:asc');
    await page.waitForSelector('[data-testid="grid"][data-query*="distance"][data-first-page="ready"]');
    await page.waitForFunction(() => document.querySelector('.tile[data-content-id] .tile-name')?.textContent === 'bridge-3-rotate-180.jpg');
    expect(await page.textContent('.tile[data-content-id] >> nth=0 >> [data-testid="list-category"]')).toBe('list 2');
    expect(await page.locator('[data-testid="list-category"]').count()).toBe(1);
    await page.selectOption('select[name="sort"]', 'name:asc');
    await page.waitForFunction(() => document.querySelector('.tile[data-content-id] .tile-name')?.textContent === 'bridge-1-original.jpg');
    await page.selectOption('select[name="sort"]', 'path:asc');
    await page.waitForFunction(() => document.querySelector('.tile[data-content-id] .tile-name')?.textContent === 'bridge-1-original.jpg');
    const names = await page.locator('.tile[data-content-id] .tile-name').allTextContents();
    expect(names.slice(8, 10)).toEqual(['note-00.txt', 'note-01.txt']);
    await page.click('[data-view="list"]');
    await page.waitForSelector('.view-list .list-path');
    expect(await page.textContent('.tile[data-content-id] >> nth=0 >> .list-path')).toBe('dih/bridge-1-original.jpg');
    await shot('grid-02-details-list');
    await page.click('[data-view="tiles"]');
    await page.waitForSelector('[data-testid="grid"].view-tiles');
  });

  it('keeps filters, search, sort, view, selection and scroll position when leaving the screen and coming back', async () => {
    await page.selectOption('select[name="sort"]', 'name:desc');
    await page.fill('input[name="search"]', 'note-');
    await waitCount(70);
    await page.selectOption('select[name="tileSize"]', 'large');
    await page.click('.tile[data-content-id] >> nth=2');
    await page.keyboard.press(' ');
    await page.waitForSelector('[data-testid="selection-count"]');
    await page.$eval('[data-testid="grid"]', (el) => { el.scrollTop = 200; });
    await page.waitForTimeout(200);
    const scrolled = await page.$eval('[data-testid="grid"]', (el) => el.scrollTop);
    expect(scrolled).toBeGreaterThan(100);

    await page.click('nav [data-screen="exhibits"]');
    await page.waitForSelector('[aria-label="Exhibits"]');
    await page.click('nav [data-screen="catalogue"]');
    await waitCount(70);
    expect(await page.inputValue('input[name="search"]')).toBe('note-');
    expect(await page.inputValue('select[name="sort"]')).toBe('name:desc');
    expect(await page.inputValue('select[name="tileSize"]')).toBe('large');
    expect(await page.textContent('[data-testid="selection-count"]')).toBe('1 selected');
    await page.waitForTimeout(500);
    expect(await page.$eval('[data-testid="grid"]', (el) => el.scrollTop)).toBeCloseTo(scrolled, 0);
    await shot('grid-03-state-kept');
    expect(errors).toEqual([]);
  });
});
