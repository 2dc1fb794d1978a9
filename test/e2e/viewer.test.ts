import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REFERENCE, SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { kestrel, tempDir } from '../helpers/cli.js';

/**
 * The viewer on a case made with the CLI from a copy of the reference photos (12-megapixel phone
 * pictures and their dihedral variants): the original read from the evidence, then, with the
 * evidence folder moved away, the stored preview labelled as such.
 */
describe('viewer (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let evidence: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  const viewerAttr = (name: string) => page.getAttribute('[data-testid="viewer"]', name);

  beforeAll(async () => {
    work = tempDir('viewer');
    evidence = join(work, 'evidence');
    cpSync(join(REFERENCE, 'pdq', 'reg-test-input', 'exif-rotn'), join(evidence, 'phone'), { recursive: true });
    cpSync(join(REFERENCE, 'pdq', 'reg-test-input', 'dih'), join(evidence, 'dih'), { recursive: true });
    const caseDir = join(work, 'case');
    expect(kestrel(['init', caseDir, '--case-number', 'OP-VIEW', '--examiner', 'Viewer Test']).status).toBe(0);
    const intake = kestrel(['intake', caseDir, evidence, '--exhibit', 'EX-V', '--json']);
    expect(intake.status, intake.stderr).toBe(0);
    served = await serve(caseDir, join(work, 'library'));
    browser = await launchChromium();
    page = await openPage(browser, errors);
    await page.setViewportSize({ width: 1600, height: 1000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Sorted largest first, the first tile is a 12-megapixel phone photo. */
  const openLargest = async () => {
    await page.goto(served.url);
    await page.waitForSelector('.tile[data-content-id]');
    await page.selectOption('select[name="sort"]', 'size:desc');
    await page.waitForSelector('[data-testid="grid"][data-query*="desc"][data-first-page="ready"]');
    await page.click('.tile[data-content-id] >> nth=0');
    await page.focus('[data-testid="grid"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="viewer-image"]');
    await page.waitForFunction(() => (document.querySelector('[data-testid="viewer-image"]') as HTMLImageElement | null)?.naturalWidth);
  };

  it('opens the original with Enter, veiled, and zooms, fits and shows 1:1 by keyboard', async () => {
    await openLargest();
    expect(await viewerAttr('data-source')).toBe('original');
    expect(await page.textContent('[data-testid="viewer-source"]')).toContain('original, read from EX-V');
    // The original's own pixels: a 4032x3024 photo (upright, so either way round).
    const natural = await page.$eval('[data-testid="viewer-image"]', (img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]);
    expect(Math.max(...natural)).toBe(4032);
    expect(await viewerAttr('data-veiled')).toBe('yes');
    expect(await viewerAttr('data-blur')).toBe('on');
    expect(await viewerAttr('data-grey')).toBe('on');
    expect(await viewerAttr('data-zoom-mode')).toBe('fit');
    const fit = Number(await viewerAttr('data-zoom'));
    expect(fit).toBeGreaterThan(5);
    expect(fit).toBeLessThan(60);
    await shot('viewer-01-veiled-fit');

    await page.keyboard.press('1');
    expect(Number(await viewerAttr('data-zoom'))).toBe(100);
    await page.keyboard.press('+');
    expect(Number(await viewerAttr('data-zoom'))).toBe(125);
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    expect(Number(await viewerAttr('data-zoom'))).toBe(80);
    await page.keyboard.press('0');
    expect(await viewerAttr('data-zoom-mode')).toBe('fit');
    expect(Number(await viewerAttr('data-zoom'))).toBe(fit);

    // Blur and greyscale switch separately; R reveals both.
    await page.keyboard.press('b');
    expect(await viewerAttr('data-blur')).toBe('off');
    expect(await viewerAttr('data-grey')).toBe('on');
    await shot('viewer-02-greyscale-only');
    await page.keyboard.press('b');
    await page.keyboard.press('g');
    expect(await viewerAttr('data-blur')).toBe('on');
    expect(await viewerAttr('data-grey')).toBe('off');
    await page.keyboard.press('r');
    expect(await viewerAttr('data-veiled')).toBe('no');
    await page.keyboard.press('1');
    await shot('viewer-03-revealed-1to1');

    // Dragging pans the picture.
    const before = await page.$eval('[data-testid="viewer-image"]', (img) => (img as HTMLElement).style.transform);
    await page.mouse.move(800, 500);
    await page.mouse.down();
    await page.mouse.move(700, 450, { steps: 4 });
    await page.mouse.up();
    const after = await page.$eval('[data-testid="viewer-image"]', (img) => (img as HTMLElement).style.transform);
    expect(after).not.toBe(before);

    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="viewer"]', { state: 'detached' });
    // Back on the grid with the keyboard: Enter opens the same item again, veiled again.
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="viewer"][data-source="original"]');
    expect(await viewerAttr('data-veiled')).toBe('yes');
    await page.keyboard.press('Escape');
  });

  it('shows the stored preview, labelled, when the evidence is not reachable', async () => {
    renameSync(evidence, `${evidence}-away`);
    try {
      await openLargest();
      expect(await viewerAttr('data-source')).toBe('preview');
      expect(await page.textContent('[data-testid="viewer-source"]')).toBe('stored preview, original not reachable');
      const natural = await page.$eval('[data-testid="viewer-image"]', (img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]);
      expect(Math.max(...natural)).toBe(2048);
      // 1:1 still means one original pixel per screen pixel: the 2048 px preview is drawn at 4032/2048.
      await page.keyboard.press('1');
      expect(Number(await viewerAttr('data-zoom'))).toBe(100);
      const scale = await page.$eval('[data-testid="viewer-image"]', (img) => (img as HTMLElement).style.transform.match(/scale\(([\d.]+)\)/)?.[1]);
      expect(Number(scale)).toBeCloseTo(4032 / 2048, 3);
      await page.keyboard.press('0');
      await shot('viewer-04-stored-preview');
      // The original route itself refuses: nothing is served that the engine could not read and check.
      const status = await page.evaluate(async () => {
        const id = document.querySelector('.tile.focused')?.getAttribute('data-content-id');
        return (await fetch(`original/${id}`)).status;
      });
      expect(status).toBe(404);
      await page.keyboard.press('Escape');
    } finally {
      renameSync(`${evidence}-away`, evidence);
    }
  });

  it('shows what the stored previews cost on disk on the Exhibits screen', async () => {
    await page.click('nav [data-screen="exhibits"]');
    const text = await page.textContent('[data-testid="derived-usage"]');
    expect(text).toMatch(/^12 stored previews/);
    // Only the refusal asked for above (as a response and as the console's note of it) is allowed.
    const unexpected = errors.filter((e) => !/^404 .*\/original\/\d+$/.test(e) && !e.includes('404 (Not Found)'));
    expect(unexpected, unexpected.join('\n')).toEqual([]);
  });
});
