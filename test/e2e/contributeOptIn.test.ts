import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SCREENSHOTS, startUiSession, type Served, type UiSession } from './helpers.js';
import { openSqlite } from '../../native/catalog/sqlite.js';
import { readAudit } from '../../native/audit/log.js';

describe('contribute at export, remembered for the case (kestrel serve + Debian Chromium)', () => {
  let session: UiSession;
  let caseDir: string;
  let served: Served;
  let page: Page;

  beforeAll(async () => {
    session = await startUiSession('kestrel-e2e-optin-', 'Examiner Optin');
    ({ caseDir, served, page } = session);
  });
  afterAll(async () => {
    await session?.close();
  });

  it('the Export screen starts from the case\'s choice, remembers a change across a reload, and the change is audit-logged', async () => {
    await page.goto(served.url);
    await page.waitForSelector('form input[name="caseNumber"]');
    await page.fill('input[name="caseNumber"]', 'OP-E2E-OPTIN');
    await page.click('button:has-text("Create case")');
    await page.waitForSelector('[data-testid="item-count"]');
    await page.click('nav [data-screen="export"]');
    const box = 'input[name="contributeToLibrary"]';
    await page.waitForSelector(`${box}:not([disabled])`);
    expect(await page.isChecked(box)).toBe(false);
    expect(await page.textContent('[data-testid="contribute-remembered"]')).toContain('not contributed');
    await page.click(box);
    await page.waitForFunction(() => document.querySelector('[data-testid="contribute-remembered"]')?.textContent?.includes('contributed at every export'));
    await page.screenshot({ path: join(SCREENSHOTS, '13-contribute-remembered.png') });

    await page.reload();
    await page.waitForSelector('[data-testid="item-count"]');
    await page.click('nav [data-screen="export"]');
    await page.waitForSelector(`${box}:not([disabled])`);
    expect(await page.isChecked(box)).toBe(true);
    expect(session.errors).toEqual([]);

    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true, mustExist: true });
    try {
      expect(readAudit(db).filter((e) => e.action === 'library.contribute-at-export').map((e) => [e.details, e.actor]))
        .toEqual([[{ contributeAtExport: true, was: false }, 'Examiner Optin']]);
    } finally {
      db.close();
    }
  }, 180_000);
});
