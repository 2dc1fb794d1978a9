import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { kestrel, tempDir } from '../helpers/cli.js';
import { useTestSigningKey } from '../helpers/signing.js';

useTestSigningKey();

/**
 * The Export screen warns about exhibits the current hash lists never saw. A case made with the CLI
 * as an examiner makes one: exhibit EX-A taken in and matched against a VICS list, then exhibit
 * EX-B taken in after the match. Exporting from the UI names EX-B and the list (never EX-A) on the
 * screen and in the package's report; after Run matching on the Hash lists screen, a second export
 * has no warning.
 */
describe('export warns of exhibits not matched against the current lists (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let caseDir: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  const go = (screen: string) => page.click(`nav [data-screen="${screen}"]`);
  const run = (args: string[]) => {
    const r = kestrel(args);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  };
  const exportTo = async (out: string) => {
    await go('export');
    await page.fill('input[name="out"]', out);
    await page.click('button[type="submit"]:has-text("Export package")');
    await page.waitForFunction((dir) => document.querySelector('[data-testid="export-result"]')?.textContent?.includes(dir), out, { timeout: 120_000 });
  };

  beforeAll(async () => {
    work = tempDir('export-unmatched');
    const exhibitA = join(work, 'evidence-a');
    const exhibitB = join(work, 'evidence-b');
    mkdirSync(exhibitA);
    mkdirSync(exhibitB);
    writeFileSync(join(exhibitA, 'listed.txt'), 'a file the list knows\n');
    writeFileSync(join(exhibitA, 'other.txt'), 'a file of exhibit A the list does not know\n');
    writeFileSync(join(exhibitB, 'later.txt'), 'a file taken in after the match\n');
    const md5 = createHash('md5').update(readFileSync(join(exhibitA, 'listed.txt'))).digest('hex');
    const list = join(work, 'list.vics.json');
    writeFileSync(list, JSON.stringify({
      'odata.metadata': 'http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media',
      value: [{ MediaID: 1, Category: 1, MD5: md5.toUpperCase(), SHA1: null, MediaSize: 22 }],
    }));
    caseDir = join(work, 'case');
    const library = join(work, 'library');
    run(['init', caseDir, '--case-number', 'OP-UNMATCHED', '--examiner', 'Examiner E2E']);
    run(['intake', caseDir, exhibitA, '--exhibit', 'EX-A']);
    run(['hashset', 'import', list, '--format', 'vics', '--name', 'Known list', '--scheme', 'vic-us', '--library', library]);
    run(['match', caseDir, '--library', library]);
    run(['intake', caseDir, exhibitB, '--exhibit', 'EX-B']);
    served = await serve(caseDir, library);
    browser = await launchChromium();
    page = await openPage(browser, errors);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(served.url);
    await page.waitForSelector('[data-testid="item-count"]');
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('names the exhibit taken in after the match, with the list, on the screen and in the report', async () => {
    const out = join(work, 'package-1');
    await exportTo(out);
    const warning = page.locator('[data-testid="export-unmatched"]');
    await warning.waitFor();
    expect(await warning.getAttribute('role')).toBe('alert');
    const items = await warning.locator('li').allTextContents();
    expect(items).toEqual(['exhibit EX-B: Known list v1']);
    expect(await warning.textContent()).toMatch(/Run matching on the Hash lists screen and export again/);
    await warning.scrollIntoViewIfNeeded();
    await shot('export-unmatched-01-warning');
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain('EX-B');
    expect(report).toContain('Known list');
    expect(errors).toEqual([]);
  });

  it('after Run matching on the Hash lists screen, the next export has no warning', async () => {
    await go('hashlists');
    await page.click('[data-testid="run-match"]');
    await page.waitForSelector('dt:has-text("Items checked")', { timeout: 60_000 });
    const out = join(work, 'package-2');
    await exportTo(out);
    expect(await page.locator('[data-testid="export-unmatched"]').count()).toBe(0);
    await shot('export-unmatched-02-matched');
    expect(errors).toEqual([]);
  });
});
