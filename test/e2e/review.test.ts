import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REFERENCE, SCREENSHOTS, startUiSession, type Served, type UiSession } from './helpers.js';
import { openSqlite } from '../../native/catalog/sqlite.js';
import { readAudit, verifyChain } from '../../native/audit/log.js';
import { resolveLocalhostNames } from '../helpers/localhostNames.js';

resolveLocalhostNames();

const SOURCE = join(REFERENCE, 'pdq', 'reg-test-input');
describe('review UI end to end (kestrel serve + Debian Chromium)', () => {
  let session: UiSession;
  let work: string;
  let caseDir: string;
  let served: Served;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
  const go = (screen: string) => page.click(`nav [data-screen="${screen}"]`);

  beforeAll(async () => {
    session = await startUiSession('kestrel-e2e-', null);
    ({ work, caseDir, served, page } = session);
  });
  afterAll(async () => {
    await session?.close();
  });

  it('prints a one-time URL on the first line; nothing is served without the session it opens', async () => {
    const url = new URL(served.url);
    expect(url.hostname).toMatch(/^k-[0-9a-f]{20}\.localhost$/);
    expect(url.pathname).toMatch(/^\/open\/[\w-]{43}$/);
    expect((await fetch(`${url.origin}/`)).status).toBe(403);
    expect((await fetch(`${url.origin}/api/appInfo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(403);
  });

  it('creates a case, takes in an exhibit, imports a list, matches, categorises by keyboard and undoes', async () => {
    await page.goto(served.url);
    // Nobody has worked on this workstation yet: the app asks who is working before anything else.
    await page.waitForSelector('input[name="profileName"]:focus');
    await page.keyboard.type('Examiner E2E');
    await page.keyboard.press('Enter');
    await page.waitForSelector('form input[name="caseNumber"]');
    expect(await page.textContent('[data-examiner]')).toBe('Examiner E2E');
    expect(await page.inputValue('input[name="dir"]')).toBe(caseDir);
    await page.fill('input[name="caseNumber"]', 'OP-E2E-1');
    await page.fill('textarea[name="description"]', 'End-to-end test case');
    await shot('01-case-create');
    await page.click('button:has-text("Create case")');
    await page.waitForSelector('[data-testid="item-count"]');

    await go('exhibits');
    await page.fill('input[name="label"]', 'EX-1');
    await page.fill('input[name="source"]', SOURCE);
    await page.click('button:has-text("Start intake")');
    await page.waitForSelector('[aria-label="Intake progress"][data-state="complete"]', { timeout: 120_000 });
    await shot('02-exhibits-intake');
    const files = readdirSync(SOURCE, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(await page.textContent('[aria-label="Exhibits"] tbody')).toContain('EX-1');

    // A known-material list made here from three of the evidence files' own bytes.
    const listed = files.slice(0, 3).map((d) => join(d.parentPath, d.name));
    const listFile = join(work, 'known.md5');
    writeFileSync(listFile, listed.map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${f}\n`).join(''));
    await go('hashlists');
    await page.fill('input[name="file"]', listFile);
    await page.selectOption('select[name="format"]', 'text');
    await page.fill('input[name="name"]', 'E2E known list');
    await page.click('button:has-text("Import")');
    await page.waitForSelector('[data-testid="hash-lists"] >> text=E2E known list');
    await page.click('[data-testid="run-match"]');
    await page.waitForSelector('[data-testid="match-result"]', { timeout: 120_000 });
    await shot('03-hash-lists');

    await go('catalogue');
    await page.waitForSelector('.tile[data-content-id]');
    const count = await page.textContent('[data-testid="item-count"]');
    expect(count).toMatch(/^\d+ items$/);
    await shot('04-catalogue');

    await page.selectOption('select[name="matched"]', 'any');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-count"]')?.textContent === '3 items');
    await page.click('.tile[data-content-id] >> nth=0');
    await page.waitForSelector('[data-testid="match-evidence"]');
    const evidence = await page.textContent('[data-testid="match-evidence"]');
    expect(evidence).toContain('E2E known list');
    expect(evidence).toMatch(/md5/);
    expect(evidence).toMatch(/0 \(threshold 0\)/);
    await shot('05-catalogue-matched');
    await page.selectOption('select[name="matched"]', '');
    await page.waitForFunction((n) => document.querySelector('[data-testid="item-count"]')?.textContent === n, count);

    // Keyboard: focus the grid, categorise the first item 1 and the second 4, undo the second.
    const first = Number(await page.getAttribute('.tile[data-content-id] >> nth=0', 'data-content-id'));
    const second = Number(await page.getAttribute('.tile[data-content-id] >> nth=1', 'data-content-id'));
    await page.click(`.tile[data-content-id="${first}"]`);
    await page.keyboard.press('1');
    await page.waitForSelector(`.tile[data-content-id="${first}"] [data-category="1"]`);
    await page.keyboard.press('4');
    await page.waitForSelector(`.tile[data-content-id="${second}"] [data-category="4"]`);
    await page.keyboard.press('u');
    await page.waitForSelector(`.tile[data-content-id="${second}"] [data-category=""]`);
    await page.click(`.tile[data-content-id="${first}"]`);
    await page.waitForSelector('[data-testid="detail-category"] >> text=1 · Child abuse material');
    await shot('06-item-detail');

    await go('groups');
    await page.waitForSelector('[aria-label="Groups"] h2');
    const group = await page.$('.group-item');
    if (group) { await group.click(); await page.waitForSelector('[aria-label="Group members"] .tile'); }
    await shot('07-groups');
    await go('audit');
    await page.waitForSelector('[data-testid="audit-verdict"]');
    expect(await page.textContent('[data-testid="audit-verdict"]')).toMatch(/Hash chain intact/);
    await shot('08-audit');
    await go('settings');
    await page.waitForSelector('input[name="blur"]');
    await shot('09-settings');
    await go('case');
    await page.waitForFunction(() => !document.querySelector('.stat-value')?.textContent?.includes('…'));
    expect(await page.textContent('[aria-label="Open case"]')).toContain('OP-E2E-1');
    await shot('10-case-summary');

    expect(session.errors).toEqual([]);

    // Straight to the database and the audit log, with the server stopped.
    expect(await served.stop()).toBe(0);
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      const decisions = db.prepare('SELECT content_id, scheme, category, examiner, superseded_by FROM category_decision ORDER BY id').all();
      expect(decisions).toEqual([
        { content_id: first, scheme: 'vic-us', category: '1', examiner: 'Examiner E2E', superseded_by: null },
        { content_id: second, scheme: 'vic-us', category: '4', examiner: 'Examiner E2E', superseded_by: 2 },
      ]);
      const entries = readAudit(db);
      expect(verifyChain(entries).ok).toBe(true);
      const actions = entries.map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['case.init', 'review.categorise', 'review.undo']));
      expect(entries.filter((e) => e.action === 'review.categorise').map((e) => e.details['via'])).toEqual(['keyboard', 'keyboard']);
      const undo = entries.find((e) => e.action === 'review.undo')!;
      expect(undo.actor).toBe('Examiner E2E');
      expect(undo.details).toMatchObject({ items: [{ content: second, undone: { category: '4' }, restored: null }] });
      const matched = db.prepare('SELECT count(DISTINCT content_id) AS n FROM hash_match').get() as { n: number };
      expect(matched.n).toBe(3);
    } finally {
      db.close();
    }
  });
});
