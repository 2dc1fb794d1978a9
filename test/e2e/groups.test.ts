import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REFERENCE, SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { kestrel, tempDir } from '../helpers/cli.js';

/**
 * The near-duplicate groups screen on the reference photos: the 8 dihedral variants of one picture
 * make one group, a phone photo and a reduced copy of it (made here) another; a list of the first
 * picture's MD5 gives its group a hit.
 */
describe('near-duplicate groups screen (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  beforeAll(async () => {
    work = tempDir('groups');
    const evidence = join(work, 'evidence');
    cpSync(join(REFERENCE, 'pdq', 'reg-test-input', 'exif-rotn'), join(evidence, 'phone'), { recursive: true });
    cpSync(join(REFERENCE, 'pdq', 'reg-test-input', 'dih'), join(evidence, 'dih'), { recursive: true });
    await sharp(join(evidence, 'phone', 'exif-rotn-1.jpg')).resize(1200).jpeg({ quality: 70 }).toFile(join(evidence, 'phone', 'small-copy.jpg'));
    const caseDir = join(work, 'case');
    const library = join(work, 'library');
    const list = join(work, 'known.md5');
    writeFileSync(list, `${createHash('md5').update(readFileSync(join(evidence, 'dih', 'bridge-1-original.jpg'))).digest('hex')}  bridge\n`);
    for (const args of [
      ['init', caseDir, '--case-number', 'OP-GRP', '--examiner', 'Group Test'],
      ['intake', caseDir, evidence, '--exhibit', 'EX-G'],
      ['hashset', 'import', list, '--format', 'text', '--name', 'Bridge list', '--library', library],
      ['match', caseDir, '--library', library],
    ]) {
      const r = kestrel(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    served = await serve(caseDir, library);
    browser = await launchChromium();
    page = await openPage(browser, errors);
    await page.setViewportSize({ width: 1600, height: 1000 });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lists groups with thumbnails and hits, sorts them, and shows each member\'s distance to the representative', async () => {
    await page.goto(served.url);
    await page.click('nav [data-screen="groups"]');
    await page.waitForSelector('[data-group-id]');
    expect(await page.locator('[data-group-id]').count()).toBe(2);
    expect(await page.locator('[data-group-id] .thumb img').count()).toBe(2);
    await page.selectOption('select[name="groupSort"]', 'size');
    await page.waitForFunction(() => document.querySelector('[data-group-id]')?.textContent?.includes('8 items'));
    expect(await page.textContent('[data-group-id] >> nth=1')).toContain('2 items');
    await page.selectOption('select[name="groupSort"]', 'hits');
    await page.waitForFunction(() => document.querySelector('[data-group-id] [data-testid="group-hits"]')?.textContent === '1 HIT');
    await page.click('[data-group-id] >> nth=0');
    await page.waitForSelector('[data-testid="members"] .tile');
    expect(await page.locator('[data-testid="members"] .tile').count()).toBe(8);
    expect(await page.locator('[data-representative="yes"]').count()).toBe(1);
    const distances = await page.locator('[data-testid="rep-distance"]').allTextContents();
    expect(distances).toHaveLength(7);
    for (const d of distances) expect(Number(d.replace('d ', ''))).toBeLessThanOrEqual(31);
    await shot('groups-01-list-and-members');
  });

  it('reveals, categorises, undoes and redoes one member by keyboard, and opens it in the viewer', async () => {
    const second = page.locator('[data-testid="members"] .tile >> nth=1');
    const id = await second.getAttribute('data-content-id');
    await second.click();
    await page.keyboard.press('r');
    expect(await page.getAttribute(`[data-testid="members"] .tile[data-content-id="${id}"] .thumb`, 'data-veiled')).toBe('no');
    expect(await page.getAttribute('[data-testid="members"] .tile >> nth=0 >> .thumb', 'data-veiled')).toBe('yes');
    await page.keyboard.press('2');
    await page.waitForSelector(`[data-testid="members"] .tile[data-content-id="${id}"] [data-category="2"]`);
    expect(await page.locator('[data-testid="members"] [data-category="2"]').count()).toBe(1);
    await shot('groups-02-member-categorised');
    await page.keyboard.press('u');
    await page.waitForSelector(`[data-testid="members"] .tile[data-content-id="${id}"] [data-category=""]`);
    // Redo is the engine's too: Shift+U brings the decision back, and the catalogue's U takes it
    // back again (one history per examiner and case, whichever screen acted).
    await page.keyboard.press('Shift+U');
    await page.waitForSelector(`[data-testid="members"] .tile[data-content-id="${id}"] [data-category="2"]`);
    await page.click('nav [data-screen="catalogue"]');
    await page.waitForSelector(`.tile[data-content-id="${id}"] [data-category="2"]`);
    await page.focus('[data-testid="grid"]');
    await page.keyboard.press('u');
    await page.waitForSelector(`.tile[data-content-id="${id}"] [data-category=""]`);
    await page.click('nav [data-screen="groups"]');
    await page.waitForSelector(`[data-testid="members"] .tile[data-content-id="${id}"] [data-category=""]`);
    await page.click(`[data-testid="members"] .tile[data-content-id="${id}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="viewer"][data-source="original"]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="viewer"]', { state: 'detached' });
    expect(errors).toEqual([]);
  });
});
