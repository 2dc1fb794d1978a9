import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { kestrel, tempDir } from '../helpers/cli.js';
import { makeClip, PHOTOS } from '../helpers/videos.js';

/**
 * Videos in the review UI, on a case made with the CLI: a listed video hashed at every frame, a clip
 * trimmed from it and re-encoded (seized), matched by vPDQ. The tile shows the contact sheet veiled;
 * the detail shows the video's facts, its hashed frames along its length with the matched ones
 * marked, and the partial match with the listed video's time range.
 */
describe('videos in the review UI (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    work = tempDir('video-ui');
    const made = join(work, 'made');
    const seized = join(work, 'seized');
    mkdirSync(made);
    mkdirSync(seized);
    makeClip(join(made, 'known.mp4'), { photos: PHOTOS.slice(0, 4), secondsEach: 1, fps: '25', width: 320, height: 240 });
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-ss', '1.36', '-t', '2.2', '-i', join(made, 'known.mp4'),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '150k', join(seized, 'clip.mp4')]);
    const list = kestrel(['vpdq', join(made, 'known.mp4')]);
    expect(list.status, list.stderr).toBe(0);
    mkdirSync(join(work, 'list'));
    writeFileSync(join(work, 'list', 'known.txt'), list.stdout);
    const lib = ['--library', join(work, 'library')];
    expect(kestrel(['hashset', 'import', join(work, 'list'), '--format', 'vpdq', '--name', 'known-videos', ...lib]).status).toBe(0);
    const caseDir = join(work, 'case');
    expect(kestrel(['init', caseDir, '--case-number', 'OP-VIDEO', '--examiner', 'Video Test']).status).toBe(0);
    const intake = kestrel(['intake', caseDir, seized, '--exhibit', 'EX-V']);
    expect(intake.status, intake.stderr).toBe(0);
    const match = kestrel(['match', caseDir, ...lib]);
    expect(match.stdout).toContain('1 video match(es) by vPDQ (0 whole, 1 partial)');
    served = await serve(caseDir, join(work, 'library'));
    browser = await launchChromium();
    page = await openPage(browser, errors);
    await page.setViewportSize({ width: 1600, height: 1000 });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shows the contact sheet veiled on the tile, a hit badge, and in the detail the frame strip with matched frames and the partial match', async () => {
    await page.goto(served.url);
    await page.waitForSelector('.tile[data-content-id]');
    const tile = page.locator('.tile[data-content-id]', { hasText: 'clip.mp4' });
    // The contact sheet is served as the tile's picture, decoded by the browser, and veiled.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.tile .thumb img')).some((i) => (i as HTMLImageElement).naturalWidth > 0));
    const size = await tile.locator('.thumb img').evaluate((img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]);
    expect(size[0]).toBeGreaterThan(100);
    expect(await tile.locator('.thumb').getAttribute('data-veiled')).toBe('yes');
    expect(await tile.locator('.thumb img').evaluate((img) => getComputedStyle(img).filter)).toMatch(/blur\(.+\) grayscale\(1\)/);
    expect(await tile.locator('.badge-alert').textContent()).toBe('HIT');

    await tile.click();
    await page.waitForSelector('[data-testid="video-section"]');
    const ticks = page.locator('[data-testid="frame-strip"] .frame-tick');
    // 2.2 s at 25 fps hashed once a second: frames 0, 25, 50, all found in the listed video.
    expect(await ticks.evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-frame')), e.getAttribute('data-matched')]))).toEqual([
      [0, 'yes'], [25, 'yes'], [50, 'yes'],
    ]);
    expect(await page.locator('[data-testid="frame-strip"] .frame-time').allTextContents()).toEqual(['0:00.00', '0:01.00', '0:02.00']);
    expect(await page.textContent('[data-testid="video-match-kind"]')).toBe('partial: this video is a clip of the listed video');
    const listed = await page.textContent('[data-testid="video-listed-ranges"]');
    // The clip is 1.36 s to 3.56 s of the listed video: its matched ranges start near 0:01 and end near 0:03.5.
    expect(listed).toMatch(/^0:01\.\d\d–.*0:03\.\d\d$/);
    expect(await page.textContent('[data-testid="video-section"]')).toContain('h264');
    expect(await page.locator('.item-detail .thumb').first().getAttribute('data-veiled')).toBe('yes');
    await page.screenshot({ path: join(SCREENSHOTS, 'video-01-detail-veiled.png') });
    expect(errors).toEqual([]);
  });
});
