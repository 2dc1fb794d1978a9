import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { buildSyntheticCase } from './syntheticCase.js';
import { openSqlite } from '../../native/catalog/sqlite.js';
import { readAudit } from '../../native/audit/log.js';

/**
 * Changing the case's category scheme from the Settings screen after some review: the examiner is
 * told how many decisions stay in the old scheme and must confirm; the grid then shows them with
 * their scheme ("1 (vic-us)"), never as uncategorised, and lists them under their own filter.
 */
describe('category scheme change (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let caseDir: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  const scheme = (): string => {
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      return (db.prepare("SELECT value FROM case_setting WHERE key = 'categoryScheme'").get() as { value: string }).value;
    } finally {
      db.close();
    }
  };
  const count = async () => {
    await page.waitForFunction(() => /^\d+ items$/.test(document.querySelector('[data-testid="item-count"]')?.textContent ?? ''));
    return Number((await page.textContent('[data-testid="item-count"]'))!.split(' ')[0]);
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kestrel-e2e-scheme-'));
    caseDir = join(work, 'case');
    buildSyntheticCase(caseDir, 30);
    served = await serve(caseDir, join(work, 'library'));
    browser = await launchChromium();
    page = await openPage(browser, errors);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('asks for confirmation naming the decisions left in the old scheme, then shows them as such', async () => {
    await page.goto(served.url);
    await page.waitForSelector('.tile[data-content-id="1"]');
    await page.click('.tile[data-content-id="1"]');
    await page.focus('[data-testid="grid"]');
    for (const k of ['1', '1', '3']) await page.keyboard.press(k);
    await page.waitForSelector('.tile[data-content-id="3"] [data-category="3"]:not([data-pending])');

    await page.click('nav [data-screen="settings"]');
    await page.selectOption('select[name="categoryScheme"]', 'caid-uk');
    await page.waitForSelector('[data-testid="scheme-confirm"]');
    expect(await page.textContent('[data-testid="scheme-confirm-text"]')).toContain('3 decisions will stay in their old scheme (3 in vic-us)');
    // Nothing has changed until the examiner says yes.
    expect(scheme()).toBe('"vic-us"');
    await shot('scheme-01-confirm');
    await page.click('[data-testid="scheme-confirm"] button:has-text("Cancel")');
    expect(scheme()).toBe('"vic-us"');
    await page.selectOption('select[name="categoryScheme"]', 'caid-uk');
    await page.click('[data-testid="scheme-confirm"] button.primary');
    await page.waitForSelector('[data-testid="scheme-confirm"]', { state: 'detached' });
    expect(scheme()).toBe('"caid-uk"');
    const entry = readAuditOf(caseDir).find((e) => e.action === 'review.scheme')!;
    expect(entry.details).toMatchObject({ from: 'vic-us', to: 'caid-uk', decisionsInOtherSchemes: 3 });

    await page.click('nav [data-screen="catalogue"]');
    await page.waitForSelector('.tile[data-content-id="1"] [data-other-scheme="vic-us"]');
    expect(await page.textContent('.tile[data-content-id="1"] .badge-cat')).toBe('1 (vic-us)');
    expect(await page.textContent('.tile[data-content-id="3"] .badge-cat')).toBe('3 (vic-us)');
    expect(await page.textContent('.tile[data-content-id="4"] .badge-cat')).toBe('—');
    await page.click('.tile[data-content-id="2"]');
    await page.waitForSelector('.item-detail[data-content-id="2"]');
    expect(await page.textContent('[data-testid="detail-category"]')).toContain('1 (vic-us): decided in a scheme the case no longer uses');
    await shot('scheme-02-old-decisions-in-grid');

    await page.selectOption('select[name="category"]', 'none');
    expect(await count()).toBe(27);
    expect(await page.locator('.tile[data-content-id="1"]').count()).toBe(0);
    await page.selectOption('select[name="category"]', 'other-scheme');
    expect(await count()).toBe(3);
    // Decided again in CAID (key 1 = A), the first leaves the old-scheme queue.
    await page.click('.tile[data-content-id="1"]');
    await page.focus('[data-testid="grid"]');
    await page.keyboard.press('1');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '2 items');
    await page.selectOption('select[name="category"]', 'A');
    expect(await count()).toBe(1);
    expect(await page.textContent('.tile[data-content-id="1"] .badge-cat')).toBe('A');
    expect(errors).toEqual([]);
  });
});

function readAuditOf(caseDir: string) {
  const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
  try {
    return readAudit(db);
  } finally {
    db.close();
  }
}
