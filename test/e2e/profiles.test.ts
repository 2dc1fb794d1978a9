import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, openPage, profilesBeside, serve, type Served } from './helpers.js';
import { buildSyntheticCase } from './syntheticCase.js';
import { useTestSigningKey } from '../helpers/signing.js';
import { openSqlite } from '../../native/catalog/sqlite.js';
import { readAudit } from '../../native/audit/log.js';

/**
 * Who is working, asked at start: profiles made and chosen by keyboard, remembered by the next
 * session and offered first, linked to the examiner's signing key, carrying their own wellbeing
 * settings into the grid; every decision names the profile's examiner.
 */
describe('examiner profiles (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let caseDir: string;
  let library: string;
  let served: Served | undefined;
  let browser: Browser;
  let page: Page;
  let key: ReturnType<typeof useTestSigningKey>;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
  const decisions = () => {
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      return db.prepare('SELECT content_id, category, examiner FROM category_decision ORDER BY id').all();
    } finally {
      db.close();
    }
  };
  const waitForDecisions = async (n: number) => {
    const until = Date.now() + 15_000;
    while (decisions().length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  };
  const restart = async () => {
    // The page leaves first: a page left open on a stopped server would fail its next requests.
    await page.goto('about:blank');
    await served?.stop();
    served = await serve(caseDir, library, null);
    await page.goto(served.url);
  };
  const decideFirstTile = async (category: string) => {
    await page.waitForSelector('[data-testid="grid"][data-first-page="ready"] .tile[data-content-id]');
    await page.locator('.tile[data-content-id]').first().click();
    await page.keyboard.press(category);
  };
  const firstThumbClasses = async () => (await page.locator('.tile[data-content-id] .thumb').first().getAttribute('class')) ?? '';

  beforeAll(async () => {
    key = useTestSigningKey('DC Jane Roe');
    work = mkdtempSync(join(tmpdir(), 'kestrel-e2e-profiles-'));
    caseDir = join(work, 'case');
    library = join(work, 'library');
    buildSyntheticCase(caseDir, 30, 'Lead Examiner');
    browser = await launchChromium();
    page = await openPage(browser, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('asks who is working before anything else, makes a profile linked to the key of that name, and records decisions under it', async () => {
    await restart();
    const name = await page.waitForSelector('input[name="profileName"]:focus');
    expect(await page.locator('nav').count()).toBe(0);
    await shot('profiles-01-who-is-working');
    await name.type('DC Jane Roe');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-examiner]');
    expect(await page.textContent('[data-examiner]')).toBe('DC Jane Roe');
    await decideFirstTile('1');
    await waitForDecisions(1);
    expect(decisions()).toEqual([{ content_id: 1, category: '1', examiner: 'DC Jane Roe' }]);
    const [file] = readdirSync(profilesBeside(library));
    expect(JSON.parse(readFileSync(join(profilesBeside(library), file!), 'utf8'))).toMatchObject({ name: 'DC Jane Roe', keyFingerprint: key.fingerprint });
  });

  it('keeps wellbeing settings in the profile and the grid follows them', async () => {
    expect(await firstThumbClasses()).toContain('veil-blur');
    await page.click('nav [data-screen="settings"]');
    await page.focus('input[name="blur"]');
    await page.keyboard.press('Space');
    await page.waitForSelector('input[name="blur"]:not(:checked):not(:disabled)');
    expect(await page.textContent('[aria-label="Signing key"] select option:checked')).toContain(key.fingerprint.slice(0, 16));
    await shot('profiles-02-settings-in-profile');
    await page.click('nav [data-screen="catalogue"]');
    await page.waitForSelector('.tile[data-content-id] .thumb');
    expect(await firstThumbClasses()).not.toContain('veil-blur');
    expect(await firstThumbClasses()).toContain('veil-grey');
  });

  it('offers the profile used last first in the next session (Enter takes it), with its settings; another examiner switches in by keyboard', async () => {
    await restart();
    const offered = await page.waitForSelector('.profile-choice:focus');
    expect(await offered.getAttribute('data-profile')).toBe('DC Jane Roe');
    expect(await offered.textContent()).toContain(`signing key ${key.fingerprint.slice(0, 16)}`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-examiner]');
    await page.waitForSelector('.tile[data-content-id] .thumb');
    expect(await firstThumbClasses()).not.toContain('veil-blur');

    await page.click('button[name="switchExaminer"]');
    await page.waitForSelector('.profile-choice:focus');
    await page.focus('input[name="profileName"]');
    await page.keyboard.type('PC Ann Smith');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-examiner]')?.textContent === 'PC Ann Smith');
    // Ann's profile is new: her previews are veiled by default, whatever Jane chose.
    await page.waitForSelector('.tile[data-content-id] .thumb');
    expect(await firstThumbClasses()).toContain('veil-blur');
    await decideFirstTile('2');
    await waitForDecisions(2);
    await shot('profiles-03-second-examiner');
    expect(decisions()).toEqual([
      { content_id: 1, category: '1', examiner: 'DC Jane Roe' },
      { content_id: 1, category: '2', examiner: 'PC Ann Smith' },
    ]);

    await restart();
    await page.waitForSelector('.profile-choice:focus');
    expect(await page.locator('.profile-choice').evaluateAll((els) => els.map((e) => e.getAttribute('data-profile')))).toEqual(['PC Ann Smith', 'DC Jane Roe']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-examiner]')?.textContent === 'DC Jane Roe');
    await page.goto('about:blank');
    await served!.stop();
    served = undefined;

    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    const who = readAudit(db).filter((e) => e.action === 'review.examiner').map((e) => [e.actor, (e.details as { keyFingerprint: string | null }).keyFingerprint]);
    db.close();
    expect(who).toEqual([
      ['DC Jane Roe', key.fingerprint], ['DC Jane Roe', key.fingerprint], ['PC Ann Smith', null], ['DC Jane Roe', key.fingerprint],
    ]);
    expect(errors).toEqual([]);
  });
});
