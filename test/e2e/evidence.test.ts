import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kestrel } from '../helpers/cli.js';
import { REFERENCE, SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';

const DISK = join(REFERENCE, '..', 'fixtures', 'disk');
const PICTURES = join(REFERENCE, 'blockhash');

/**
 * A case made from real images with the real CLI, reviewed in Chromium: an ext2 image built here
 * (pictures in folders, two deleted with debugfs, a renamed zip of pictures) and the FTK Imager E01
 * with a corrupt chunk. The examiner sees the E01 mismatch shouted on the Exhibits screen with its
 * damaged sectors and case metadata, walks the evidence tree to the pictures folder and narrows it
 * to its deleted files.
 */
describe('evidence from disk images in the UI', () => {
  let work: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let removed: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kestrel-e2e-evidence-'));
    const pictures = readdirSync(PICTURES).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort().slice(0, 8);
    const root = join(work, 'root');
    mkdirSync(join(root, 'DCIM', 'camera'), { recursive: true });
    mkdirSync(join(root, 'downloads'), { recursive: true });
    for (const n of pictures.slice(0, 5)) copyFileSync(join(PICTURES, n), join(root, 'DCIM', 'camera', n));
    execFileSync('7z', ['a', '-tzip', join(root, 'downloads', 'invoice.pdf'), ...pictures.slice(5).map((n) => join(PICTURES, n))], { stdio: 'ignore' });
    const image = join(work, 'phone.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-d', root, image, '8M']);
    removed = [pictures[1]!, pictures[3]!];
    for (const n of removed) execFileSync('debugfs', ['-w', '-R', `rm /DCIM/camera/${n}`, image], { stdio: 'ignore' });
    const caseDir = join(work, 'case');
    expect(kestrel(['init', caseDir, '--case-number', 'OP-DISK', '--examiner', 'E. Examiner']).status).toBe(0);
    const a = kestrel(['intake', caseDir, image, '--exhibit', 'PHONE-1']);
    expect(a.status, a.stderr).toBe(0);
    const b = kestrel(['intake', caseDir, join(DISK, 'sleuthkit', 'imageformat_mmls_1.corrupt-chunk.E01'), '--exhibit', 'LAPTOP-2']);
    expect(b.status, b.stderr).toBe(0);
    served = await serve(caseDir, join(work, 'library'));
    browser = await launchChromium();
    page = await openPage(browser, errors);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('shouts an E01 mismatch with its damaged sectors and shows the image case metadata and volumes', async () => {
    await page.goto(served.url);
    await page.click('nav [data-screen="exhibits"]');
    const banner = page.locator('[data-testid="verification-mismatch"]');
    await banner.waitFor();
    expect(await banner.getAttribute('role')).toBe('alert');
    const text = await banner.innerText();
    expect(text).toContain('Exhibit LAPTOP-2: the image does not match its acquisition hashes.');
    expect(text).toContain('Damaged sectors: 55424–55487');
    expect(await page.locator('table [data-testid="verification"][data-status="mismatch"]').innerText()).toBe('MISMATCH');
    const laptop = page.locator('[data-testid="exhibit-image"]', { hasText: 'LAPTOP-2' });
    expect(await laptop.locator('[data-testid="acquisition-case"]').innerText()).toBe('1');
    expect(await laptop.innerText()).toContain('Rishwanth');
    expect(await laptop.locator('[data-testid="volumes"] tbody tr').count()).toBe(2);
    const phone = page.locator('[data-testid="exhibit-image"]', { hasText: 'PHONE-1' });
    expect(await phone.locator('[data-testid="volumes"]').innerText()).toContain('volume (ext2, offset 0)');
    await page.screenshot({ path: join(SCREENSHOTS, 'exhibits-image-verification.png'), fullPage: true });
  });

  it('walks exhibit > volume > folders and narrows the grid to the deleted pictures of one folder', async () => {
    await page.click('nav [data-screen="catalogue"]');
    const tree = page.locator('nav[aria-label="Evidence tree"]');
    await tree.locator('[data-kind="exhibit"][data-name="PHONE-1"] > .tree-row .tree-toggle').click();
    const volume = tree.locator('[data-kind="volume"][data-name="volume (ext2, offset 0)"]');
    await volume.waitFor();
    await volume.locator(':scope > .tree-row .tree-toggle').click();
    const dcim = volume.locator('[data-name="DCIM"]');
    await dcim.waitFor();
    expect(await volume.locator('[data-name="$OrphanFiles"]').getAttribute('data-kind')).toBe('orphans');
    await dcim.locator(':scope > .tree-row .tree-toggle').click();
    const camera = dcim.locator('[data-name="camera"]');
    await camera.waitFor();
    expect(await camera.locator(':scope > .tree-row .badge-deleted').innerText()).toBe('2 del');
    await camera.locator(':scope > .tree-row .tree-label').click();
    await expect.poll(() => page.getByTestId('item-count').innerText()).toBe('5 items');
    await page.selectOption('select[name="place"]', 'deleted');
    await expect.poll(() => page.getByTestId('item-count').innerText()).toBe('2 items');
    const names = await page.locator('[data-testid="grid"] .tile .tile-name').allInnerTexts();
    expect(names.sort()).toEqual([...removed].sort());
    await page.locator('[data-testid="grid"] .tile').first().click();
    const place = page.locator('[data-testid="instance-place"]').first();
    await place.waitFor();
    expect(await place.innerText()).toMatch(/deleted\s*content not verified\s*ext2 address \d+/);

    // The archive is a folder of the tree; "In archive" finds its members, renamed zip or not.
    await page.selectOption('select[name="place"]', 'inArchive');
    await tree.locator('[data-kind="exhibit"][data-name="PHONE-1"] > .tree-row .tree-label').click();
    await expect.poll(() => page.getByTestId('item-count').innerText()).toBe('3 items');
    const downloads = volume.locator('[data-name="downloads"]');
    await downloads.locator(':scope > .tree-row .tree-toggle').click();
    expect(await downloads.locator('[data-name="invoice.pdf!"]').getAttribute('data-kind')).toBe('archive');
    await camera.locator(':scope > .tree-row .tree-label').click();
    await page.selectOption('select[name="place"]', 'deleted');
    await expect.poll(() => page.getByTestId('item-count').innerText()).toBe('2 items');
    await page.screenshot({ path: join(SCREENSHOTS, 'catalogue-evidence-tree.png') });
    expect(errors).toEqual([]);
  });
});
