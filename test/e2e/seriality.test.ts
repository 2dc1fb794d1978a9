import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { initCase } from '../../native/catalog/case.js';
import { openLabStore } from '../../native/lab/open.js';
import type { Contribution, ContributedItem } from '../../native/lab/store.js';
import { SCREENSHOTS, launchChromium, openPage, serve, type Served } from './helpers.js';

const h = (s: string, alg = 'sha256') => createHash(alg).update(s).digest('hex');
const flip = (hex: string, bits: number) => {
  const b = Buffer.from(hex, 'hex');
  for (let i = 0; i < bits; i++) b[i]! ^= 1;
  return b.toString('hex');
};

function item(key: string, pdq: string, series: string[] = []): ContributedItem {
  return {
    sha256: h(key), sha1: h(key, 'sha1'), md5: h(key, 'md5'), size: 1, mediaType: 'image/jpeg', exhibits: ['EX-01'], pdq, pdqQuality: 90,
    pdqDihedral: null, blockhash: null, videoHashes: null, category: '1', scheme: 'vic-us', decidedBy: 'E', decidedAt: 'now', listHits: [],
    series, victims: [], tags: [], fileNames: null,
  };
}
const contribution = (number: string, examiner: string, items: ContributedItem[]): Contribution =>
  ({ caseUuid: `u-${number}`, caseNumber: number, caseExaminer: examiner, shareFileNames: false, toolVersion: 't', items });

describe('seriality screen', () => {
  let work: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kestrel-e2e-seriality-'));
    const lib = join(work, 'library');
    const store = await openLabStore(lib);
    const p = (k: string) => h(`pdq ${k}`);
    await store.contribute(contribution('2025-0412', 'J. Jansen', [item('a', p('a'), ['Harbour']), item('b', p('b'), ['Harbour']), item('c', p('c'))]), 'J. Jansen');
    await store.contribute(contribution('2025-0999', 'P. de Vries', [item('a', p('a')), item('x', p('x'))]), 'P. de Vries');
    await store.contribute(contribution('2026-0101', 'P. de Vries', [item('b2', flip(p('b'), 5)), item('a', p('a')), item('y', p('y'))]), 'P. de Vries');
    await store.contribute(contribution('2026-0200', 'K. Bakker', [item('z', p('z'))]), 'K. Bakker');
    await store.close();
    initCase(join(work, 'case'), { caseNumber: '2026-0101', examiner: 'P. de Vries' }).close();
    served = await serve(join(work, 'case'), lib);
    browser = await launchChromium();
    page = await openPage(browser, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('draws the cases as nodes and shared material as weighted edges, with the links and series proposals beside', async () => {
    await page.goto(served.url);
    await page.click('nav [data-screen="seriality"]');
    await page.waitForSelector('[data-testid="seriality-graph"]');
    expect(await page.locator('[data-testid="seriality-graph"] .node').count()).toBe(4);
    const edges = await page.locator('[data-testid="seriality-graph"] .edge').evaluateAll((els) => els.map((e) => ({
      link: e.getAttribute('data-link'), width: Number(e.querySelector('line')!.getAttribute('stroke-width')),
      dashed: e.querySelector('line')!.getAttribute('stroke-dasharray') !== null,
    })));
    const edge = (l: string) => edges.find((e) => e.link === l)!;
    expect(edges.map((e) => e.link).sort()).toEqual(['2025-0412|2025-0999', '2025-0412|2026-0101', '2025-0999|2026-0101']);
    // 2025-0412 and 2026-0101 share one exact item and one near-duplicate: the widest edge
    expect(edge('2025-0412|2026-0101').width).toBeGreaterThan(edge('2025-0412|2025-0999').width);
    expect(edges.every((e) => !e.dashed)).toBe(true);
    const links = await page.locator('[data-testid="seriality-links"] tbody tr').allInnerTexts();
    expect(links[0]).toMatch(/2025-0412\s+—\s+2026-0101\s+2\s+1\s+1.*Harbour/);
    const proposals = await page.locator('[data-testid="seriality-proposals"] tbody tr').allInnerTexts();
    expect(proposals.some((r) => /Harbour\s+2026-0101/.test(r))).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'seriality.png') });
    expect(errors).toEqual([]);
  });
});
