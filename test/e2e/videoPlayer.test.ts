import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { kestrel, tempDir } from '../helpers/cli.js';
import { makeClip, PHOTOS } from '../helpers/videos.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The video player in the detail pane, on a case made with the CLI: a listed video hashed at every
 * frame and a VP9 WebM clip trimmed from it (what Debian's Chromium decodes without proprietary
 * codecs), matched partially by vPDQ. The player starts veiled and paused (the profile's autoplay is
 * off by default), streams the original with range requests, seeks from the frame strip and from a
 * matched range, plays when asked, and stops serving the file once its bytes change.
 */
describe('video player (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let clipPath: string;
  const errors: string[] = [];

  beforeAll(async () => {
    work = tempDir('video-player');
    const made = join(work, 'made');
    const seized = join(work, 'seized');
    mkdirSync(made);
    mkdirSync(seized);
    makeClip(join(made, 'known.mp4'), { photos: PHOTOS.slice(0, 4), secondsEach: 1, fps: '25', width: 320, height: 240 });
    clipPath = join(seized, 'clip.webm');
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-ss', '1.36', '-t', '2.2', '-i', join(made, 'known.mp4'),
      '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k', clipPath]);
    const list = kestrel(['vpdq', join(made, 'known.mp4')]);
    expect(list.status, list.stderr).toBe(0);
    mkdirSync(join(work, 'list'));
    writeFileSync(join(work, 'list', 'known.txt'), list.stdout);
    const lib = ['--library', join(work, 'library')];
    expect(kestrel(['hashset', 'import', join(work, 'list'), '--format', 'vpdq', '--name', 'known-videos', ...lib]).status).toBe(0);
    const caseDir = join(work, 'case');
    expect(kestrel(['init', caseDir, '--case-number', 'OP-PLAYER', '--examiner', 'Video Test']).status).toBe(0);
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

  it('starts veiled, paused and muted; streams byte ranges of the original; seeks from the strip and a matched range; plays when asked', async () => {
    await page.goto(served.url);
    await page.locator('.tile[data-content-id]', { hasText: 'clip.webm' }).click();
    await page.waitForSelector('[data-testid="video-player"]');
    const player = page.locator('[data-testid="video-player"]');
    const video = page.locator('[data-testid="video-element"]');
    await page.waitForFunction(() => {
      const v = document.querySelector('[data-testid="video-element"]') as HTMLVideoElement;
      return v.readyState >= 1 || v.error !== null;
    });
    expect(await video.evaluate((v: HTMLVideoElement) => v.error?.message ?? v.error?.code ?? null)).toBeNull();
    expect(await player.getAttribute('data-veiled')).toBe('yes');
    expect(await video.evaluate((v) => getComputedStyle(v).filter)).toMatch(/blur\(.+\) grayscale\(1\)/);
    const state = await video.evaluate((v: HTMLVideoElement) => ({ paused: v.paused, muted: v.muted, autoplay: v.autoplay, time: v.currentTime, duration: v.duration }));
    expect(state).toMatchObject({ paused: true, muted: true, autoplay: false, time: 0 });
    expect(state.duration).toBeCloseTo(2.2, 1);
    expect(await player.getAttribute('data-playing')).toBe('no');

    // The bytes come from the evidence file, one range at a time.
    const src = await video.evaluate((v: HTMLVideoElement) => v.currentSrc);
    const ranged = await page.evaluate(async (url) => {
      const r = await fetch(url, { headers: { Range: 'bytes=100-1123' } });
      return { status: r.status, range: r.headers.get('content-range'), accept: r.headers.get('accept-ranges'), bytes: Array.from(new Uint8Array(await r.arrayBuffer())) };
    }, src);
    const file = readFileSync(clipPath);
    expect(ranged).toMatchObject({ status: 206, range: `bytes 100-1123/${file.length}`, accept: 'bytes' });
    expect(sha256(Buffer.from(ranged.bytes))).toBe(sha256(file.subarray(100, 1124)));

    // A frame on the strip, then the start of the matched range, move the player without starting it.
    await page.locator('[data-testid="frame-strip"] .frame-tick[data-frame="25"]').click();
    await page.waitForFunction(() => Math.abs((document.querySelector('[data-testid="video-element"]') as HTMLVideoElement).currentTime - 1) < 0.05);
    expect(await player.getAttribute('data-playing')).toBe('no');
    await page.screenshot({ path: join(SCREENSHOTS, 'video-02-player-veiled.png') });
    await page.locator('[data-testid="video-range-seek"]').first().click();
    await page.waitForFunction(() => (document.querySelector('[data-testid="video-element"]') as HTMLVideoElement).currentTime < 0.05);

    // Play only when asked; the picture advances (Chromium decodes VP9 in software), still veiled and muted.
    await page.click('[data-testid="video-play"]');
    await page.waitForFunction(() => (document.querySelector('[data-testid="video-element"]') as HTMLVideoElement).currentTime > 0.3, undefined, { timeout: 15_000 });
    expect(await player.getAttribute('data-playing')).toBe('yes');
    expect(await video.evaluate((v: HTMLVideoElement) => v.muted)).toBe(true);
    await page.click('[data-testid="video-play"]');
    await page.waitForFunction(() => (document.querySelector('[data-testid="video-element"]') as HTMLVideoElement).paused);
    expect(await player.getAttribute('data-veiled')).toBe('yes');
    await page.click('[data-testid="video-reveal"]');
    expect(await player.getAttribute('data-veiled')).toBe('no');
    expect(await video.evaluate((v) => getComputedStyle(v).filter)).toBe('none');
    expect(await page.locator('[data-testid="video-error"]').count()).toBe(0);
    expect(errors).toEqual([]);

    // What this Chromium says of H.264 in MP4 (Debian may build without it; the player then says why it cannot play).
    const h264 = await page.evaluate(() => document.createElement('video').canPlayType('video/mp4; codecs="avc1.42E01E"'));
    process.stdout.write(`chromium canPlayType H.264 MP4: '${h264}'\n`);

    // Bytes that no longer have the catalogued SHA-256 are never served as the original.
    appendFileSync(clipPath, Buffer.from([0]));
    const after = await page.evaluate(async (url) => (await fetch(url, { headers: { Range: 'bytes=0-99' } })).status, src);
    expect(after).toBe(404);
    errors.length = 0;
  });
});
