import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { REFERENCE, SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';
import { kestrel, tempDir } from '../helpers/cli.js';
import { openCase } from '../../native/catalog/case.js';

/** Flips the given bits of a hex hash: a list entry near, not equal to, an item's PDQ. */
function flipHex(hex: string, bits: number[]): string {
  const b = Buffer.from(hex, 'hex');
  for (const bit of bits) b[bit >> 3]! ^= 1 << (bit & 7);
  return b.toString('hex');
}

/**
 * Side by side compare, driven by keyboard in Debian's Chromium on a case made with the CLI: the
 * reference bridge photo's 8 dihedral variants (one near-duplicate group) and a reduced copy made
 * here, matched against an MD5 list and a PDQ list 5 bits from the copy. The distances the screen
 * shows are checked against the engine's own answers (the match row, the group's stored distances).
 */
describe('compare (kestrel serve + Debian Chromium)', () => {
  let work: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  /** A call to the engine over the same bridge the page uses. */
  const api = <T>(channel: string, request: unknown): Promise<T> => page.evaluate(async ([c, r]) => {
    const res = await fetch(`/api/${c}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(r) });
    const body = (await res.json()) as { ok: boolean; value: unknown; error?: string };
    if (!body.ok) throw new Error(body.error);
    return body.value;
  }, [channel, request] as const) as Promise<T>;

  beforeAll(async () => {
    work = tempDir('compare');
    const evidence = join(work, 'evidence');
    cpSync(join(REFERENCE, 'pdq', 'reg-test-input', 'dih'), join(evidence, 'dih'), { recursive: true });
    await sharp(join(evidence, 'dih', 'bridge-1-original.jpg')).resize(400).jpeg({ quality: 70 }).toFile(join(evidence, 'small-copy.jpg'));
    const caseDir = join(work, 'case');
    const library = join(work, 'library');
    for (const args of [
      ['init', caseDir, '--case-number', 'OP-CMP', '--examiner', 'Compare Test'],
      ['intake', caseDir, evidence, '--exhibit', 'EX-CMP'],
    ]) {
      const r = kestrel(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const c = openCase(caseDir);
    const copyPdq = (c.db.prepare("SELECT i.pdq FROM image_data i JOIN file_instance f ON f.content_id = i.content_id WHERE f.path_text = 'small-copy.jpg'")
      .get() as { pdq: string }).pdq;
    c.close();
    writeFileSync(join(work, 'near.pdq'), `${flipHex(copyPdq, [1, 40, 90, 150, 255])},100,series-7 frame 2\n`);
    writeFileSync(join(work, 'known.md5'), `${createHash('md5').update(readFileSync(join(evidence, 'dih', 'bridge-1-original.jpg'))).digest('hex')}  bridge-1-original.jpg\n`);
    for (const args of [
      ['hashset', 'import', join(work, 'near.pdq'), '--format', 'pdq', '--name', 'Series PDQ', '--scheme', 'vic-us', '--library', library],
      ['hashset', 'import', join(work, 'known.md5'), '--format', 'text', '--name', 'Bridge MD5', '--library', library],
      ['match', caseDir, '--library', library],
    ]) {
      const r = kestrel(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    served = await serve(caseDir, library);
    browser = await launchChromium();
    page = await openPage(browser, errors);
    await page.setViewportSize({ width: 1600, height: 1000 });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const tile = (name: string) => page.locator('.tile[data-content-id]', { has: page.locator(`.tile-name[title$="${name}"]`) });

  it('puts the focused item beside what it matched (C), aligned row by row, veiled until revealed', async () => {
    await page.goto(served.url);
    await page.waitForSelector('.tile[data-content-id]');
    await tile('small-copy.jpg').click();
    const id = Number(await tile('small-copy.jpg').getAttribute('data-content-id'));
    await page.focus('[data-testid="grid"]');
    await page.keyboard.press('c');
    await page.waitForSelector('[data-testid="compare"][data-kind="match"][data-loaded="yes"]');
    const engine = await api<{ matches: { list: string; distance: number; entryHash: string }[] }>('getItem', { contentId: id });
    const listed = engine.matches.find((m) => m.list === 'Series PDQ')!;
    expect(listed.distance).toBe(5);
    const section = page.locator('[data-testid="match"][data-algorithm="pdq"]');
    expect(Number(await section.getAttribute('data-distance'))).toBe(listed.distance);
    expect(await section.locator('h3').textContent()).toContain('PDQ distance 5 of ≤ 31');
    const hashRow = section.locator('tr[data-field="hash.pdq"]');
    expect(await hashRow.getAttribute('data-same')).toBe('no');
    expect(await hashRow.locator('td >> nth=2').textContent()).toBe(listed.entryHash.toLowerCase());
    // The five flipped bits fall in five different hex digits, marked on both sides.
    expect(await hashRow.locator('td >> nth=1 >> mark.diff-digit').count()).toBe(5);
    expect(await hashRow.locator('td >> nth=2 >> mark.diff-digit').count()).toBe(5);
    expect(await section.locator('tr[data-field="name"] td >> nth=2').textContent()).toBe('series-7 frame 2');
    expect(await section.locator('tr[data-field="category"] td >> nth=1').textContent()).toBe('—');
    expect(await page.getAttribute('[data-testid="compare-left"]', 'data-veiled')).toBe('yes');
    await shot('compare-01-match-evidence-veiled');
    await page.keyboard.press('[');
    expect(await page.getAttribute('[data-testid="compare-left"]', 'data-veiled')).toBe('no');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="compare"]', { state: 'detached' });
  });

  it('compares two selected items (Space, Space, C) with the distance the engine grouped them by', async () => {
    // The engine's distances: the match stored each member's distance to the group's representative.
    const some = Number(await tile('bridge-1-original.jpg').getAttribute('data-content-id'));
    const item = await api<{ groupId: number }>('getItem', { contentId: some });
    const group = await api<{ representative: number; members: { id: number; distance: number }[] }>('getGroup', { groupId: item.groupId });
    const a = group.representative;
    const b = group.members.find((m) => m.id !== a && m.distance > 0)!.id;
    for (const id of [a, b]) {
      await page.click(`.tile[data-content-id="${id}"]`);
      await page.focus('[data-testid="grid"]');
      await page.keyboard.press(' ');
    }
    expect(await page.textContent('[data-testid="selection-count"]')).toBe('2 selected');
    await page.keyboard.press('c');
    await page.waitForSelector('[data-testid="compare"][data-kind="items"][data-loaded="yes"]');
    expect(await page.getAttribute('[data-testid="compare-left"]', 'data-content-id')).toBe(String(a));
    expect(await page.getAttribute('[data-testid="compare-right"]', 'data-content-id')).toBe(String(b));
    expect(await page.getAttribute('[data-testid="compare-left"]', 'data-veiled')).toBe('yes');
    expect(await page.getAttribute('[data-testid="compare-right"]', 'data-veiled')).toBe('yes');
    const shown = Number(await page.getAttribute('[data-testid="pdq-distance"]', 'data-distance'));
    expect(shown).toBe(group.members.find((m) => m.id === b)!.distance);
    expect(await page.textContent('[data-testid="compare-group"]')).toContain(`group ${item.groupId}: left 0, right ${shown} bits`);
    const rows = page.locator('[data-testid="compare-rows"]');
    for (const field of ['md5', 'sha1', 'sha256', 'pdq', 'blockhash']) {
      expect(await rows.locator(`tr[data-field="${field}"]`).getAttribute('data-same')).toBe('no');
    }
    expect(await rows.locator('tr[data-field="type"]').getAttribute('data-same')).toBe('yes');
    expect(await rows.locator('tr.differs').count()).toBeGreaterThan(5);
    await page.keyboard.press('r');
    expect(await page.getAttribute('[data-testid="compare-right"]', 'data-veiled')).toBe('no');
    await shot('compare-02-two-items-revealed');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="compare"]', { state: 'detached' });
    await page.keyboard.press('Escape');
  });

  it('compares a group member with the representative from the groups screen (C)', async () => {
    await page.click('nav [data-screen="groups"]');
    await page.click('[data-group-id] >> nth=0');
    await page.waitForSelector('[data-testid="members"] .tile');
    const member = page.locator('[data-testid="members"] .tile[data-representative="no"] >> nth=2');
    const id = Number(await member.getAttribute('data-content-id'));
    const distance = Number((await member.locator('[data-testid="rep-distance"]').textContent())!.replace('d ', ''));
    await member.click();
    await page.keyboard.press('c');
    await page.waitForSelector('[data-testid="compare"][data-kind="items"][data-loaded="yes"]');
    expect(await page.getAttribute('[data-testid="compare-left"]', 'data-content-id')).toBe(String(id));
    const rep = await page.getAttribute('[data-testid="members"] .tile[data-representative="yes"]', 'data-content-id');
    expect(await page.getAttribute('[data-testid="compare-right"]', 'data-content-id')).toBe(rep);
    expect(Number(await page.getAttribute('[data-testid="pdq-distance"]', 'data-distance'))).toBe(distance);
    await shot('compare-03-group-member-vs-representative');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="compare"]', { state: 'detached' });
    expect(errors).toEqual([]);
  });
});
