import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SCREENSHOTS, startUiSession, type Served, type UiSession } from './helpers.js';
import { kestrel } from '../helpers/cli.js';
import { openSqlite } from '../../native/catalog/sqlite.js';
import { readAudit, verifyChain } from '../../native/audit/log.js';
import { useTestSigningKey } from '../helpers/signing.js';

// Packages are signed with an examiner key; verify refuses unsigned ones.
useTestSigningKey();

/** Enough files that the intake is still reading when Cancel is pressed (about 4 s on this machine). */
const SOURCE_FILES = 5000;
const PASSPHRASE = 'e2e passphrase 4 the media zip';

function makeSource(dir: string): void {
  for (let i = 0; i < SOURCE_FILES; i++) {
    const sub = join(dir, `d${i % 25}`);
    if (i < 25) mkdirSync(sub, { recursive: true });
    const seed = createHash('sha256').update(`evidence ${i}`).digest();
    writeFileSync(join(sub, `f${i}.bin`), Buffer.concat(Array.from({ length: 512 }, () => seed)));
  }
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}


describe('export, verify and cancelled intake from the UI (kestrel serve + Debian Chromium)', () => {
  let session: UiSession;
  let work: string;
  let caseDir: string;
  let source: string;
  let served: Served;
  let page: Page;
  let serverOutput = '';
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
  const go = (screen: string) => page.click(`nav [data-screen="${screen}"]`);

  beforeAll(async () => {
    session = await startUiSession('kestrel-e2e-export-', 'Examiner Export');
    ({ work, caseDir, served, page } = session);
    source = join(work, 'evidence');
    makeSource(source);
    served.child.stdout!.on('data', (d: Buffer) => { serverOutput += d.toString(); });
    served.child.stderr!.on('data', (d: Buffer) => { serverOutput += d.toString(); });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('cancels an intake, resumes it, exports the case, and names the file altered after export', async () => {
    await page.goto(served.url);
    await page.waitForSelector('form input[name="caseNumber"]');
    await page.fill('input[name="caseNumber"]', 'OP-E2E-EXPORT');
    await page.click('button:has-text("Create case")');
    await page.waitForSelector('[data-testid="item-count"]');

    // Cancel while the intake is reading; the run is interrupted, and the same intake resumes it.
    await go('exhibits');
    await page.fill('input[name="label"]', 'EX-BIG');
    await page.fill('input[name="source"]', source);
    await page.click('button:has-text("Start intake")');
    // Cancel once some files are read, so the resume has both done and pending files to deal with.
    await page.waitForFunction(() => /^[1-9]/.test(document.querySelector('[aria-label="Intake progress"] dd')?.textContent ?? ''));
    await page.click('button:has-text("Cancel intake")');
    await page.waitForSelector('[aria-label="Intake progress"][data-state="interrupted"]');
    expect(await page.textContent('[data-testid="exhibit-runs"]')).toMatch(/^interrupted/);
    const doneAtCancel = (await page.textContent('[aria-label="Intake progress"] dd'))!;
    const [, done, total] = /^([\d,]+) of ([\d,]+)$/.exec(doneAtCancel) ?? [];
    expect(Number(total?.replaceAll(',', ''))).toBe(SOURCE_FILES);
    expect(Number(done?.replaceAll(',', ''))).toBeGreaterThan(0);
    expect(Number(done?.replaceAll(',', ''))).toBeLessThan(SOURCE_FILES);
    await shot('13-intake-cancelled');
    await page.click('button:has-text("Resume intake")');
    await page.waitForSelector('[aria-label="Intake progress"][data-state="complete"]', { timeout: 120_000 });
    expect(await page.isVisible('[data-testid="intake-resumed"]')).toBe(true);
    await page.waitForSelector('[data-testid="exhibit-runs"] >> text=runs: interrupted → complete');
    await shot('14-intake-resumed');

    // Two findings, categorised from the keyboard.
    await go('catalogue');
    await page.waitForSelector('.tile[data-content-id]');
    const first = Number(await page.getAttribute('.tile[data-content-id] >> nth=0', 'data-content-id'));
    const second = Number(await page.getAttribute('.tile[data-content-id] >> nth=1', 'data-content-id'));
    await page.click(`.tile[data-content-id="${first}"]`);
    await page.keyboard.press('1');
    await page.waitForSelector(`.tile[data-content-id="${first}"] [data-category="1"]`);
    await page.keyboard.press('1');
    await page.waitForSelector(`.tile[data-content-id="${second}"] [data-category="1"]`);

    // Export with encrypted media and a zip.
    await go('export');
    const out = join(work, 'package');
    await page.fill('input[name="out"]', out);
    await page.check('input[name="media"][value="encrypted"]');
    await page.fill('input[name="passphrase"]', PASSPHRASE);
    await page.fill('input[name="passphraseRepeat"]', PASSPHRASE);
    await page.check('input[name="zip"]');
    await page.click('button:has-text("Export package")');
    await page.waitForSelector('[data-testid="export-result"]', { timeout: 120_000 });
    expect(await page.$('.status-error')).toBeNull();
    const manifestSha256 = (await page.textContent('[data-testid="export-manifest-sha256"]'))!;
    const packageHash = (await page.textContent('[data-testid="export-package-hash"]'))!;
    expect(await page.textContent('[data-testid="export-findings"]')).toBe('2');
    expect(manifestSha256).toBe(createHash('sha256').update(readFileSync(join(out, 'manifest.json'))).digest('hex'));
    expect(await page.inputValue('input[name="passphrase"]')).toBe('');
    expect(await page.inputValue('input[name="passphraseRepeat"]')).toBe('');

    // The real CLI agrees with what the UI showed, for the folder and for the zip.
    const cliFolder = kestrel(['verify', out, '--manifest-sha256', manifestSha256]);
    expect(cliFolder.status, cliFolder.stdout + cliFolder.stderr).toBe(0);
    expect(cliFolder.stdout).toMatch(/^OK: \d+ files match the manifest; the audit chain holds$/m);
    expect(cliFolder.stdout).toContain(`package hash ${packageHash}`);
    expect(kestrel(['verify', `${out}.zip`]).status).toBe(0);

    // Verify from the UI: the form already holds the package and its manifest hash.
    expect(await page.inputValue('input[name="verifyPath"]')).toBe(out);
    expect(await page.inputValue('input[name="manifestSha256"]')).toBe(manifestSha256);
    await page.click('button:has-text("Verify")');
    await page.waitForSelector('[data-testid="verify-result"][data-ok="true"]');
    expect(await page.textContent('[data-testid="verify-verdict"]')).toMatch(/^OK: \d+ files match the manifest; the audit chain holds$/);
    await shot('11-export');

    // One byte flipped in the findings CSV: the UI names that file, and only it, as altered.
    const csv = join(out, 'findings.csv');
    const bytes = readFileSync(csv);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0x20;
    writeFileSync(csv, bytes);
    await page.click('button:has-text("Verify")');
    await page.waitForSelector('[data-testid="verify-result"][data-ok="false"]');
    const rows = await page.$$eval('[data-testid="verify-problems"] tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-kind'), tr.getAttribute('data-file')]));
    expect(rows).toEqual([['altered', 'findings.csv']]);
    expect(await page.textContent('[data-testid="verify-verdict"]')).toBe('FAILED: 1 file problem');
    expect(await page.textContent('[data-testid="verify-audit"]')).toMatch(/^holds: /);
    await shot('12-verify-altered');
    const cliAltered = kestrel(['verify', out]);
    expect(cliAltered.status).toBe(1);
    expect(cliAltered.stdout).toMatch(/^ALTERED: findings\.csv: /m);

    expect(session.errors).toEqual([]);
    expect(await served.stop()).toBe(0);

    // The passphrase went to the encryption and nowhere else.
    expect(serverOutput).not.toContain(PASSPHRASE);
    const needle = Buffer.from(PASSPHRASE);
    for (const file of [...filesBelow(out), `${out}.zip`, ...filesBelow(caseDir)]) {
      expect(readFileSync(file).includes(needle), file).toBe(false);
    }

    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT status FROM intake_run ORDER BY id').all()).toEqual([{ status: 'interrupted' }, { status: 'complete' }]);
      const read = db.prepare("SELECT count(*) AS n FROM file_instance WHERE entry_type = 'file' AND read_state = 'done'").get() as { n: number };
      expect(read.n).toBe(SOURCE_FILES);
      const entries = readAudit(db);
      expect(verifyChain(entries).ok).toBe(true);
      const exported = entries.filter((e) => e.action === 'export.package');
      expect(exported).toHaveLength(1);
      expect(exported[0]).toMatchObject({ actor: 'Examiner Export', details: { manifestSha256, packageHash, findings: 2 } });
      expect(entries.map((e) => e.action)).toContain('intake.interrupted');
    } finally {
      db.close();
    }
  });
});
