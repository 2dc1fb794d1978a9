import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { kestrel, tempDir } from '../helpers/cli.js';

/**
 * The viewer on a picture that exists only inside a disk image (an ext4 image built with mke2fs -d,
 * taken in with the CLI): Enter shows the original, read again through the Sleuth Kit helper at
 * full resolution; with the image moved away, the stored preview, labelled.
 */
describe('viewer on a disk image exhibit (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let image: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const natural = () => page.$eval('[data-testid="viewer-image"]', (img) => (img as HTMLImageElement).naturalWidth);
  const open = async () => {
    await page.goto(served.url);
    await page.click('.tile[data-content-id]');
    await page.focus('[data-testid="grid"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="viewer"]:not([data-source="loading"])');
  };

  beforeAll(async () => {
    work = tempDir('image-viewer');
    const root = join(work, 'root');
    mkdirSync(join(root, 'DCIM'), { recursive: true });
    const raw = Buffer.alloc(3000 * 2000 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
    writeFileSync(join(root, 'DCIM', 'big.jpg'), await sharp(raw, { raw: { width: 3000, height: 2000, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
    image = join(work, 'card.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', root, image, '32M']);
    const caseDir = join(work, 'case');
    for (const args of [
      ['init', caseDir, '--case-number', 'OP-IMG', '--examiner', 'Image Viewer Test'],
      ['intake', caseDir, image, '--exhibit', 'CARD'],
    ]) {
      const r = kestrel(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    served = await serve(caseDir, join(work, 'library'));
    browser = await launchChromium();
    page = await openPage(browser, errors);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shows the original read from inside the image, then the stored preview when the image is gone', async () => {
    await open();
    expect(await page.getAttribute('[data-testid="viewer"]', 'data-source')).toBe('original');
    expect(await page.textContent('[data-testid="viewer-source"]')).toBe('original, read from CARD');
    expect(await page.getAttribute('[data-testid="viewer-source"]', 'title')).toBe('CARD: volume (ext4, offset 0)/DCIM/big.jpg');
    await page.waitForFunction(() => (document.querySelector('[data-testid="viewer-image"]') as HTMLImageElement | null)?.naturalWidth);
    expect(await natural()).toBe(3000);
    await page.screenshot({ path: join(SCREENSHOTS, 'viewer-05-original-from-disk-image.png') });
    await page.keyboard.press('Escape');

    renameSync(image, `${image}.away`);
    try {
      await open();
      expect(await page.getAttribute('[data-testid="viewer"]', 'data-source')).toBe('preview');
      expect(await page.getAttribute('[data-testid="viewer-source"]', 'title')).toContain('is not reachable');
      await page.waitForFunction(() => (document.querySelector('[data-testid="viewer-image"]') as HTMLImageElement | null)?.naturalWidth);
      expect(await natural()).toBe(2048);
    } finally {
      renameSync(`${image}.away`, image);
    }
    expect(errors).toEqual([]);
  });
});
