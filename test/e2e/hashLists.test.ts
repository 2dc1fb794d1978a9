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
 * panel (the file written is read back, its SHA-256 and the library's audit entry checked), and a
 * list file the library already holds, refused with the import it repeats named, then imported again
 * only when the examiner confirms (audit-logged).
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

  it('names the earlier import of a file the library holds, imports nothing unless the examiner confirms, and records the confirmation', async () => {
    const lists = () => jsonLines(kestrel(['hashset', 'list', '--library', library, '--json']).stdout);
    const [first] = lists() as [{ uid: string; fileSha256: string; importedAt: string }];
    const auditBefore = libraryAudit().length;
    await go('hashlists');
    await page.focus('input[name="file"]');
    await page.keyboard.type(VICS);
    await page.keyboard.press('Enter');
    const dialog = '[data-testid="duplicate-import"]';
    await page.waitForSelector(dialog);
    const text = (await page.textContent(dialog))!;
    expect(text).toContain(`is the same file (SHA-256 ${first.fileSha256}) as hotline version 1, imported ${first.importedAt}. Nothing was imported.`);
    expect(lists()).toHaveLength(1);

    // Declined: nothing imported, nothing recorded.
    await page.focus('button[name="cancelImport"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector(dialog, { state: 'detached' });
    expect(lists()).toHaveLength(1);
    expect(libraryAudit()).toHaveLength(auditBefore);

    await page.focus('button[type="submit"]:has-text("Import")');
    await page.keyboard.press('Enter');
    await page.waitForSelector(dialog);
    await shot('31-duplicate-list-import');
    // The confirm button has the focus: Enter imports the file again.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('importAgain');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="hash-lists"] tbody tr:nth-child(2)');
    expect(await page.textContent('.status')).toContain('Imported hotline version 2: 2 records (the same file as hotline version 1, imported again as you confirmed)');

    const after = lists() as { name: string; version: number; uid: string; fileSha256: string }[];
    expect(after.map((l) => [l.name, l.version, l.fileSha256])).toEqual([['hotline', 1, first.fileSha256], ['hotline', 2, first.fileSha256]]);
    const audit = libraryAudit();
    expect(audit).toHaveLength(auditBefore + 1);
    expect(audit.at(-1)).toMatchObject({
      action: 'hashset.import.again', actor: EXAMINER,
      details: { file: VICS, sha256: first.fileSha256, list: { name: 'hotline', version: 2, uid: after[1]!.uid }, earlier: { name: 'hotline', version: 1, uid: first.uid } },
    });
    expect(kestrel(['library', 'audit', 'verify', '--library', library]).stdout).toMatch(/^OK: /);
    expect(errors).toEqual([]);
  });
});
