import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { initCase, openCase, type OpenCase } from '../../native/catalog/case.js';
import { runIntake } from '../../native/intake/intake.js';
import { drawScene, editPicture } from '../../native/image/sampleImages.js';
import { categorise } from '../../native/review/decisions.js';
import { openLabStore } from '../../native/lab/open.js';
import { contributeCase } from '../../native/lab/contribute.js';
import { crossMatchCase } from '../../native/lab/crossMatch.js';
import { SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';

/**
 * Cross-case hits in the catalogue, in real Chromium against `kestrel serve`: a picture categorised
 * in case 2025-0412 is marked on its tile in case 2026-0101 (the copy and a resized copy), the
 * "Other cases" filter narrows the grid to them, and the detail pane says where it was seen.
 */
describe('cross-case hits in the catalogue', () => {
  let work: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  async function makeCase(number: string, examiner: string, files: Record<string, Buffer>, exhibit: string): Promise<OpenCase> {
    const src = join(work, `${number}-src`);
    mkdirSync(src, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(src, name), bytes);
    const c = initCase(join(work, number), { caseNumber: number, examiner });
    await runIntake(c, src, { exhibit, examiner, workers: 1 });
    return c;
  }
  const idOf = (c: OpenCase, name: string) => (c.db.prepare('SELECT content_id AS id FROM file_instance WHERE path_text = ?').get(name) as { id: number }).id;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kestrel-e2e-casehits-'));
    const victim = await drawScene({ seed: 11, title: 'harbour' }, 800, 600);
    const c1 = await makeCase('2025-0412', 'J. Jansen', { 'IMG_0001.jpg': victim }, 'EX-03');
    categorise(c1.db, [idOf(c1, 'IMG_0001.jpg')], '1', 'J. Jansen', 'test');
    const c3 = await makeCase('2026-0101', 'P. de Vries', {
      'copy.jpg': victim, 'small.jpg': await editPicture(victim, 'resized'), 'unrelated.jpg': await drawScene({ seed: 42, title: 'orchard' }, 800, 600),
    }, 'EX-01');
    const lib = join(work, 'library');
    const store = await openLabStore(lib);
    try {
      await contributeCase(c1, store, 'J. Jansen');
      await crossMatchCase(c3, store, { examiner: 'P. de Vries' });
    } finally {
      await store.close();
      c1.close();
      c3.close();
    }
    served = await serve(join(work, '2026-0101'), lib, 'P. de Vries');
    browser = await launchChromium();
    page = await openPage(browser, errors);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('marks the tiles, filters on them and says in the detail where they were seen', async () => {
    await page.goto(served.url);
    await page.waitForSelector('.tile[data-content-id]');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '3 items');
    const marked = await page.locator('.tile').evaluateAll((tiles) => tiles
      .filter((t) => t.querySelector('[data-testid="case-hit"]'))
      .map((t) => t.querySelector('.tile-name')!.textContent).sort());
    expect(marked).toEqual(['copy.jpg', 'small.jpg']);

    await page.selectOption('select[name="seenElsewhere"]', 'true');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '2 items');
    await page.selectOption('select[name="seenElsewhere"]', 'false');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '1 items');
    expect(await page.locator('.tile .tile-name').allInnerTexts()).toEqual(['unrelated.jpg']);
    await page.selectOption('select[name="seenElsewhere"]', 'true');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '2 items');

    await page.locator('.tile', { hasText: 'small.jpg' }).click();
    await page.waitForSelector('[data-testid="case-hits"] li');
    const hit = page.locator('[data-testid="case-hits"] li').first();
    expect(await hit.getAttribute('data-case')).toBe('2025-0412');
    expect(await hit.getAttribute('data-algorithm')).toBe('pdq');
    expect(await hit.locator('.case-hit-sentence').innerText()).toMatch(
      /^seen in case 2025-0412, exhibit EX-03, categorised 1 \(vic-us\) by J\. Jansen on \d{4}-\d\d-\d\d, near-duplicate, PDQ distance \d+ <= 31$/);
    // a cross-case hit is not a list hit
    expect(await page.locator('[data-testid="match-evidence"]').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'case-hits.png') });

    await page.locator('.tile', { hasText: 'copy.jpg' }).click();
    await page.waitForSelector('[data-testid="case-hits"] li[data-algorithm="sha256"]');
    expect(await page.locator('[data-testid="case-hits"] li').count()).toBe(1);

    // the examiner names the series on it (to be contributed with the hashes), and can take it back
    await page.selectOption('select[name="labelKind"]', 'series');
    await page.fill('input[name="labelText"]', 'Lighthouse');
    await page.press('input[name="labelText"]', 'Enter');
    await page.waitForSelector('[data-testid="labels"] .tag[data-kind="series"]');
    expect(await page.locator('[data-testid="labels"] .tag').allInnerTexts()).toEqual([expect.stringMatching(/^series Lighthouse/)]);
    const c = openCase(join(work, '2026-0101'));
    try {
      expect(c.db.prepare('SELECT l.kind, l.label, l.examiner, c.sha256 = f.sha FROM item_label l JOIN content c ON c.id = l.content_id, (SELECT c2.sha256 AS sha FROM file_instance f2 JOIN content c2 ON c2.id = f2.content_id WHERE f2.path_text = ?) f')
        .raw().all('copy.jpg')).toEqual([['series', 'Lighthouse', 'P. de Vries', 1]]);
      expect(c.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'label.add'").pluck().get()).toBe(1);
    } finally {
      c.close();
    }
    await page.click('[data-testid="labels"] button[aria-label="Remove series Lighthouse"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="labels"] .tag').length === 0);
    expect(errors).toEqual([]);
  });
});
