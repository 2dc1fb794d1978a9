import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT, SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { buildSyntheticCase } from './syntheticCase.js';
import { jsonLines, kestrel } from '../helpers/cli.js';

const FIXTURES = join(ROOT, 'test', 'native', 'hashsets', 'fixtures');
/** Project VIC's US scheme: m-1 is category 2 (with a PDQ), m-2 category 0. */
const VICS = join(FIXTURES, 'vics-v2-bom.json');
const CATEGORY_2_MD5 = '4a8a08f09d37b73795649038408b5f33';
const CATEGORY_0_MD5 = '8277e0910d750195b448797616e091ad';
const EXAMINER = 'Examiner Lists';

/**
 * The hash library from the UI, worked by keyboard: a library list shared out from the Share hashes
 * panel (the file written is read back, its SHA-256 and the library's audit entry checked).
 */
describe('hash lists in the UI (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let library: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  const go = async (screen: string) => {
    await page.focus(`nav [data-screen="${screen}"]`);
    await page.keyboard.press('Enter');
  };
  const libraryAudit = () => jsonLines(kestrel(['library', 'audit', 'show', '--library', library]).stdout);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kestrel-e2e-lists-'));
    library = join(work, 'library');
    buildSyntheticCase(join(work, 'case'), 3);
    const imported = kestrel(['hashset', 'import', VICS, '--name', 'hotline', '--library', library]);
    expect(imported.status, imported.stderr).toBe(0);
    served = await serve(join(work, 'case'), library, EXAMINER);
    browser = await launchChromium();
    page = await openPage(browser, errors);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shares a library list chosen by the examiner, filtered by scheme and category, and records it in the library audit log', async () => {
    await page.goto(served.url);
    await page.waitForSelector('[data-testid="item-count"]');
    await go('export');
    const source = 'select[name="shareSource"]';
    await page.waitForSelector(`${source} option:nth-child(2)`, { state: 'attached' });
    expect(await page.textContent(`${source} option:nth-child(2)`)).toBe('List hotline version 1 (vics, 2 records)');

    await page.focus(source);
    await page.keyboard.press('ArrowDown');
    expect(await page.$eval(source, (s: HTMLSelectElement) => s.selectedOptions[0]!.textContent)).toMatch(/^List hotline version 1/);
    await page.keyboard.press('Tab');
    await page.keyboard.type('md5sum');
    expect(await page.inputValue('select[name="shareFormat"]')).toBe('md5sum');
    const out = `${join(work, 'case')}-hotline-v1.md5`;
    // Named after the list and its version, beside the case folder.
    expect(await page.inputValue('input[name="shareOut"]')).toBe(out);
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    expect(await page.inputValue('select[name="shareScheme"]')).toBe('vic-us');
    await page.keyboard.press('Tab');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');

    await page.waitForSelector('[data-testid="share-result"]');
    expect(await page.$('.status-error')).toBeNull();
    const written = readFileSync(out);
    const lines = written.toString('utf8').split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${CATEGORY_2_MD5}  \\S`));
    expect(written.toString('utf8')).not.toContain(CATEGORY_0_MD5);
    const sha256 = createHash('sha256').update(written).digest('hex');
    expect(await page.textContent('[data-testid="share-file"]')).toBe(out);
    expect(await page.textContent('[data-testid="share-sha256"]')).toBe(sha256);
    expect(await page.textContent('[data-testid="share-audit"]')).toBe('library audit log, entry 1');
    await shot('30-share-library-list');

    const list = JSON.parse(kestrel(['hashset', 'list', '--library', library, '--json']).stdout.split('\n')[0]!) as { uid: string; fileSha256: string };
    expect(libraryAudit()).toMatchObject([{
      seq: 1, action: 'hashset.export', actor: EXAMINER,
      details: { file: out, sha256, format: 'md5sum', items: 1, source: { list: 'hotline', version: 1, uid: list.uid, listFileSha256: list.fileSha256 } },
    }]);
    expect(errors).toEqual([]);
  });
});
