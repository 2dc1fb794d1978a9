import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { buildSyntheticCase } from './syntheticCase.js';
import { openSqlite } from '../../native/catalog/sqlite.js';
import { readAudit, verifyChain } from '../../native/audit/log.js';

/**
 * Fast keyboard review, as examiners do it: keys 30 ms apart (a held key repeats about that fast).
 * Every key must categorise the item that had focus when it was pressed, in order, none dropped,
 * whatever the grid is doing meanwhile (reloading after each decision, dropping decided items
 * from the Uncategorised queue). Decisions are read back from the catalogue database itself.
 */
const ITEMS = 400;
const PATTERN = '0010020010'.repeat(2).split('');
const KEY_SPACING_MS = 30;

interface Decision { content_id: number; category: string; sha256: string }

describe('keyboard decisions land on the item that had focus (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let caseDir: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });

  const decisions = (): Decision[] => {
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      return db.prepare(
        `SELECT d.content_id, d.category, c.sha256 FROM category_decision d JOIN content c ON c.id = d.content_id
         WHERE d.restores IS NULL AND d.superseded_by IS NOT d.id ORDER BY d.id`,
      ).all() as Decision[];
    } finally {
      db.close();
    }
  };
  const sha256Of = (id: number): string => {
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT sha256 FROM content WHERE id = ?').get(id) as { sha256: string }).sha256;
    } finally {
      db.close();
    }
  };
  /** Waits until the catalogue holds `n` decisions and then a further second, so a late extra one would be seen too. */
  const settle = async (n: number): Promise<Decision[]> => {
    const until = Date.now() + 15_000;
    while (decisions().length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    return decisions();
  };
  const tileIds = async (): Promise<number[]> =>
    (await page.$$eval('.tile[data-content-id]', (els) => els.map((e) => Number(e.getAttribute('data-content-id')))));
  const focusTile = async (contentId: number) => {
    await page.locator(`.tile[data-content-id="${contentId}"]`).click();
    await page.waitForSelector(`.tile.focused[data-content-id="${contentId}"]`);
  };
  const typeKeys = async (keys: string[]) => {
    for (const k of keys) {
      await page.keyboard.press(k);
      await page.waitForTimeout(KEY_SPACING_MS);
    }
  };
  const expectDecided = (got: Decision[], ids: number[], categories: string[]) => {
    expect(got.map((d) => [d.content_id, d.category])).toEqual(ids.map((id, i) => [id, categories[i]]));
    expect(got.map((d) => d.sha256)).toEqual(ids.map(sha256Of));
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kestrel-e2e-decisions-'));
    caseDir = join(work, 'case');
    buildSyntheticCase(caseDir, ITEMS);
    served = await serve(caseDir, join(work, 'library'));
    browser = await launchChromium();
    page = await openPage(browser, errors);
    await page.goto(served.url);
    await page.waitForSelector('[data-testid="grid"][data-first-page="ready"] .tile[data-content-id]');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '400 items');
    // The tests read the first 20 items in grid order from the tiles on screen: small tiles show them all.
    await page.selectOption('select[name="tileSize"]', 'small');
    await page.waitForFunction(() => document.querySelector('[data-testid="grid"]')?.classList.contains('tiles-small'));
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('20 number keys 30 ms apart in the unfiltered grid decide 20 consecutive items, in order', async () => {
    const order = await tileIds();
    await focusTile(order[0]!);
    await typeKeys(PATTERN);
    const got = await settle(20);
    await shot('decisions-01-unfiltered-20-keys');
    expectDecided(got, order.slice(0, 20), PATTERN);
    await page.waitForSelector(`.tile.focused[data-content-id="${order[20]}"]`);
    expect(await page.textContent(`.tile[data-content-id="${order[5]}"] [data-category]`)).toBe('2');
  });

  it('in the Uncategorised queue each decided item leaves and focus goes to the one after it; none is skipped', async () => {
    await page.selectOption('select[name="category"]', 'none');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '380 items');
    const queue = await tileIds();
    expect(queue[0]).toBe(21);
    await focusTile(queue[0]!);
    await typeKeys(PATTERN);
    const got = await settle(40);
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '360 items');
    await shot('decisions-02-uncategorised-queue-20-keys');
    expectDecided(got.slice(20), queue.slice(0, 20), PATTERN);
    // What was after the twentieth decided item now heads the queue and has focus.
    await page.waitForSelector(`.tile.focused[data-content-id="${queue[20]}"]`);
    expect((await tileIds())[0]).toBe(queue[20]);
  });

  it('a held key (auto-repeat, 30 ms) decides one item a repeat, in the queue and in the unfiltered grid', async () => {
    const queue = await tileIds();
    await focusTile(queue[0]!);
    for (let i = 0; i < 20; i++) {
      await page.keyboard.down('2');
      await page.waitForTimeout(KEY_SPACING_MS);
    }
    await page.keyboard.up('2');
    let got = await settle(60);
    await shot('decisions-03-held-key-queue');
    expectDecided(got.slice(40), queue.slice(0, 20), Array(20).fill('2'));

    await page.selectOption('select[name="category"]', '');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '400 items');
    await page.keyboard.press('End');
    const last = ITEMS;
    await page.waitForSelector(`.tile.focused[data-content-id="${last}"]`);
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowLeft');
    const start = last - 20;
    await page.waitForSelector(`.tile.focused[data-content-id="${start}"]`);
    for (let i = 0; i < 20; i++) {
      await page.keyboard.down('3');
      await page.waitForTimeout(KEY_SPACING_MS);
    }
    await page.keyboard.up('3');
    got = await settle(80);
    await shot('decisions-04-held-key-unfiltered');
    expectDecided(got.slice(60), Array.from({ length: 20 }, (_, i) => start + i), Array(20).fill('3'));
  });

  it('a key on a bulk selection says how many it changes, changes exactly those, and clears the selection', async () => {
    await page.selectOption('select[name="category"]', 'none');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '320 items');
    const queue = await tileIds();
    const picked = [queue[0]!, queue[2]!, queue[4]!];
    for (const id of picked) await page.locator(`.tile[data-content-id="${id}"]`).click({ modifiers: ['Control'] });
    expect(await page.textContent('[data-testid="selection-count"]')).toBe('3 selected');
    expect(await page.textContent('[data-testid="selection-effect"]')).toBe('a category key changes these 3 items, not the focused one');
    await shot('decisions-05-bulk-selection');
    await page.keyboard.press('4');
    await page.waitForSelector('[data-testid="selection-count"]', { state: 'detached' });
    const got = await settle(83);
    expect(got.slice(80).map((d) => [d.content_id, d.category])).toEqual(picked.map((id) => [id, '4']));
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '317 items');
    await shot('decisions-06-bulk-applied');

    // A selection never outlives the view it was made in.
    await page.locator(`.tile[data-content-id="${queue[1]}"]`).click({ modifiers: ['Control'] });
    expect(await page.textContent('[data-testid="selection-count"]')).toBe('1 selected');
    await page.selectOption('select[name="category"]', '4');
    await page.waitForSelector('[data-testid="selection-count"]', { state: 'detached' });
    await page.selectOption('select[name="category"]', '');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '400 items');
  });

  it('every decision is in the audit log, by SHA-256, with how it was made, and the chain holds', () => {
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      const entries = readAudit(db);
      expect(verifyChain(entries).ok).toBe(true);
      const categorised = entries.filter((e) => e.action === 'review.categorise');
      expect(categorised.map((e) => e.details['via'])).toEqual([...Array(80).fill('keyboard'), 'selection']);
      const audited = categorised.flatMap((e) => (e.details['items'] as { sha256: string }[]).map((i) => i.sha256));
      expect(audited).toEqual(decisions().map((d) => d.sha256));
    } finally {
      db.close();
    }
    expect(errors).toEqual([]);
  });

  it('undo and redo are the engine\'s: one step a whole action, after leaving the screen and after a reload', async () => {
    const current = (id: number): string | null => {
      const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
      try {
        const row = db.prepare('SELECT category FROM category_decision WHERE content_id = ? AND superseded_by IS NULL ORDER BY id DESC LIMIT 1').get(id) as { category: string } | undefined;
        return row?.category ?? null;
      } finally {
        db.close();
      }
    };
    const bulk = decisions().slice(80).map((d) => d.content_id);
    expect(bulk).toHaveLength(3);
    await focusTile(1);
    await page.keyboard.press('u');
    await page.waitForFunction(() => /^Undone \(selection, 3 items\)/.test(document.querySelector('.status')?.textContent ?? ''));
    expect(bulk.map(current)).toEqual([null, null, null]);
    await shot('decisions-07-undo-bulk');

    await page.click('nav [data-screen="audit"]');
    await page.waitForSelector('[data-testid="audit-verdict"]');
    await page.click('nav [data-screen="catalogue"]');
    await page.waitForSelector('.tile[data-content-id]');
    await page.reload();
    await page.waitForSelector('[data-testid="grid"][data-first-page="ready"] .tile[data-content-id]');
    await focusTile(1);
    // The step before the bulk action: the held 3 on the last item of the unfiltered grid.
    await page.keyboard.press('u');
    await page.waitForFunction(() => /^Undone \(keyboard, 1 item\)/.test(document.querySelector('.status')?.textContent ?? ''));
    expect(current(ITEMS - 1)).toBeNull();
    await page.keyboard.press('Shift+U');
    await page.waitForFunction(() => /^Redone \(keyboard, 1 item\)/.test(document.querySelector('.status')?.textContent ?? ''));
    expect(current(ITEMS - 1)).toBe('3');
    await page.keyboard.press('Control+y');
    await page.waitForFunction(() => /^Redone \(selection, 3 items\)/.test(document.querySelector('.status')?.textContent ?? ''));
    expect(bulk.map(current)).toEqual(['4', '4', '4']);
    await shot('decisions-08-redo');

    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      const entries = readAudit(db);
      expect(verifyChain(entries).ok).toBe(true);
      expect(entries.filter((e) => e.action === 'review.undo' || e.action === 'review.redo').map((e) => [e.action, e.details['via'], e.actor])).toEqual([
        ['review.undo', 'selection', 'Examiner E2E'], ['review.undo', 'keyboard', 'Examiner E2E'],
        ['review.redo', 'keyboard', 'Examiner E2E'], ['review.redo', 'selection', 'Examiner E2E'],
      ]);
    } finally {
      db.close();
    }
    expect(errors).toEqual([]);
  });
});
