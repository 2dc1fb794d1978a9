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
 * to its deleted files; deleted, orphan (DFTT 7's NTFS image) and not-verified files are marked on
 * their tiles over the veiled picture and on their list rows.
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
    execFileSync('unzip', ['-q', join(DISK, 'dftt', '7-undel-ntfs.zip'), '-d', work]);
    const c = kestrel(['intake', caseDir, join(work, '7-undel-ntfs', '7-ntfs-undel.dd'), '--exhibit', 'DISK-3']);
    expect(c.status, c.stderr).toBe(0);
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

  it('marks deleted, orphan and not-verified files on their tiles over the veiled picture, and on list rows', async () => {
    const tree = page.locator('nav[aria-label="Evidence tree"]');
    const camera = tree.locator('[data-name="camera"]');
    await page.selectOption('select[name="place"]', '');
    await camera.locator(':scope > .tree-row .tree-label').click();
    await expect.poll(() => page.getByTestId('item-count').innerText()).toBe('5 items');
    const tiles = page.locator('[data-testid="grid"] .tile');
    const marksOf = async (i: number) => tiles.nth(i).locator('[data-testid="place-marks"] [data-place]').evaluateAll((els) => els.map((e) => e.getAttribute('data-place')));
    const seen: Record<string, (string | null)[]> = {};
    for (let i = 0; i < 5; i++) seen[await tiles.nth(i).locator('.tile-name').innerText()] = await marksOf(i);
    for (const [name, marks] of Object.entries(seen)) {
      // ext2 keeps no pointers for a deleted file's content it can vouch for: deleted and not verified.
      expect(marks, name).toEqual(removed.includes(name) ? ['deleted', 'unverified'] : []);
    }
    const deletedTile = tiles.filter({ hasText: removed[0]! });
    expect(await deletedTile.locator('.thumb').getAttribute('data-veiled')).toBe('yes');
    // The marks lie over the thumbnail, outside the blurred element, themselves unfiltered.
    const overlay = await deletedTile.locator('[data-testid="place-marks"]').evaluate((el) => {
      const thumb = el.parentElement!.querySelector('.thumb')!.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return { insideVeil: el.closest('.thumb') !== null, filter: getComputedStyle(el).filter, over: box.top >= thumb.top && box.bottom <= thumb.bottom && box.left >= thumb.left };
    });
    expect(overlay).toEqual({ insideVeil: false, filter: 'none', over: true });
    expect(await deletedTile.locator('[data-place="deleted"]').isVisible()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'catalogue-deleted-marks.png') });

    // DFTT 7's orphan: deleted and in $OrphanFiles; NTFS keeps its content, so nothing unverified.
    await tree.locator('[data-kind="exhibit"][data-name="DISK-3"] > .tree-row .tree-label').click();
    await page.selectOption('select[name="place"]', 'orphan');
    await expect.poll(() => page.getByTestId('item-count').innerText()).toBe('1 items');
    await page.click('[data-view="list"]');
    const row = page.locator('[data-testid="grid"] .tile').first();
    expect(await row.locator('.tile-name').innerText()).toBe('sing2.dat');
    expect(await row.locator('[data-place]').allInnerTexts()).toEqual(['deleted', 'orphan']);
    expect(await row.locator('[data-place="orphan"]').getAttribute('title')).toBe('orphan (its folder is unknown): 1 of 1 copy');
    await page.selectOption('select[name="place"]', 'deleted');
    await expect.poll(() => page.getByTestId('item-count').innerText()).toBe('9 items');
    expect(await page.locator('[data-testid="grid"] .tile [data-place="deleted"]').count()).toBe(9);
    expect(await page.locator('[data-testid="grid"] .tile [data-place="unverified"]').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'catalogue-deleted-list.png') });
    await page.click('[data-view="tiles"]');
    expect(errors).toEqual([]);
  });
});
