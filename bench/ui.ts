/**
 * Review-grid benchmark: a synthetic case of 1,000,000 catalogued items, served by the real
 * `kestrel serve` (its own process, as examiners run it) and driven in Debian Chromium. Prints JSON:
 *  - firstGridPaintMs: navigation start to the first frame showing a tile of the case's rows, stamped
 *    in the page (goal < 1000)
 *  - filterChangeMs: a filter choice to the first tiles of the new query on screen, per filter
 *    (goal < 200), with exactCountMs: until the exact count is shown (it follows the tiles)
 *  - scroll: DOM rows and tiles after jumps across the million, against the rows that fit the view
 *  - baselineRoundTripMs: one trivial API call from the page in the same run, for ratios
 *  - keyToDecisionMs: 40 number keys 30 ms apart on the grid, keydown to the engine's answer that
 *    recorded the decision (median, p99, max), with how many decisions were recorded
 *  - sorts: per sort (name, path, modified, taken, distance), the sort choice to its first tiles,
 *    jumps to 50% and 99.9% of the million until the tiles in view are drawn (deep-scroll settle),
 *    and a page scrolled down from there (read after the last row held: keyset)
 * Run: npx tsx bench/ui.ts [--items N] [--case DIR] (after npm run build). With --case, the
 * synthetic case is built in DIR once and reused by later runs (building a million rows takes a minute).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCase } from '../native/catalog/case.js';
import { launchChromium, serve } from '../test/e2e/helpers.js';

const itemsArg = process.argv.indexOf('--items');
const ITEMS = itemsArg > 0 ? Number(process.argv[itemsArg + 1]) : 1_000_000;
const caseArg = process.argv.indexOf('--case');
const KEEP_CASE = caseArg > 0 ? process.argv[caseArg + 1] : undefined;
const TYPES = ['image/jpeg', 'image/png', 'image/gif', 'video/mp4', 'application/pdf', 'text/plain', 'application/zip', 'image/webp'];

function hex(n: number, len: number): string {
  return n.toString(16).padStart(len, '0').slice(-len);
}

function buildCase(dir: string): number {
  const t0 = performance.now();
  const c = initCase(dir, { caseNumber: 'BENCH-1M', examiner: 'Bench' });
  const db = c.db;
  db.transaction(() => {
    db.prepare("INSERT INTO exhibit (id, label, source_path, created_at) VALUES (1, 'EX-1', '/evidence/1', '2026-01-01T00:00:00Z'), (2, 'EX-2', '/evidence/2', '2026-01-01T00:00:00Z')").run();
    db.prepare("INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version) VALUES (1, 1, '/evidence/1', '2026-01-01T00:00:00Z', 'complete', 'bench'), (2, 2, '/evidence/2', '2026-01-01T00:00:00Z', 'complete', 'bench')").run();
    const content = db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, ?, ?)');
    const inst = db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, content_id, size, mtime, error)
      VALUES (?, ?, ?, ?, 'file', ?, ?, ?, ?, ?)`);
    const image = db.prepare(`INSERT INTO image_data (content_id, width, height, pdq, pdq_quality, exif, algorithms, processed_at, decode_error)
      VALUES (?, 640, 480, ?, 90, ?, '{}', '2026-01-01T00:00:00Z', NULL)`);
    const decide = db.prepare("INSERT INTO category_decision (content_id, scheme, category, examiner, decided_at) VALUES (?, 'vic-us', ?, 'Bench', '2026-01-01T00:00:00Z')");
    db.prepare(`INSERT INTO hashlist_use (id, list_uid, list_name, list_version, list_format, list_sha256, known, scheme, pdq_threshold,
      blockhash_threshold, content_watermark, first_matched_at, matched_at, tool_version)
      VALUES (1, 'bench', 'Bench list', 1, 'vics', ?, 0, 'vic-us', 31, 10, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'bench')`).run('e'.repeat(64), ITEMS);
    const match = db.prepare(`INSERT INTO hash_match (content_id, use_id, entry_id, entry_record, entry_hash, algorithm, distance, threshold, known, matched_at)
      VALUES (?, 1, ?, ?, ?, 'pdq', ?, 31, 0, '2026-01-01T00:00:00Z')`);
    const EPOCH_2020 = Date.UTC(2020, 0, 1);
    for (let i = 1; i <= ITEMS; i++) {
      const type = TYPES[i % TYPES.length]!;
      content.run(i, hex(i * 2654435761, 64).padStart(64, 'a'), hex(i, 40), hex(i * 40503, 32), (i * 7919) % 5_000_000, type);
      const exhibit = i % 3 === 0 ? 2 : 1;
      const path = `/DCIM/${Math.floor(i / 1000)}/IMG_${i}.${type.split('/')[1]}`;
      // Modified times spread over five years, a few thousand files sharing each second.
      const mtime = new Date(EPOCH_2020 + ((i * 7919) % 40_000) * 3_600_000).toISOString();
      inst.run(exhibit, exhibit, Buffer.from(path), path, i % 997 === 0 ? 'error' : 'done', i, (i * 7919) % 5_000_000, mtime, i % 997 === 0 ? 'EIO: i/o error' : null);
      // A third of the pictures carry the time they were taken; one in fifty a position.
      const exif = { ...(i % 3 === 0 ? { dateTimeOriginal: `20${10 + (i % 13)}:0${1 + (i % 9)}:1${i % 10} 1${i % 10}:${10 + (i % 50)}:00` } : {}),
        ...(i % 50 === 0 ? { gps: { latitude: 51.5, longitude: -0.1 } } : {}) };
      if (type.startsWith('image/')) image.run(i, hex(i, 64), Object.keys(exif).length ? JSON.stringify(exif) : null);
      if (i % 100 === 0) match.run(i, i, i, hex(i, 64), i % 32);
      if (i % 20 === 0) decide.run(i, String((i / 20) % 5));
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  c.close();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'kestrel-bench-ui-'));
  const caseDir = KEEP_CASE ?? join(work, 'case');
  const buildMs = KEEP_CASE && existsSync(join(KEEP_CASE, 'catalogue.sqlite')) ? null : buildCase(caseDir);
  // The engine runs in a process of its own, as in browser mode: were it in this one, its work on
  // the count and the filter choices would hold up Playwright's own messages and be timed as paint.
  const served = await serve(caseDir, join(work, 'library'));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // Stamped by the page itself: the first frame after a tile of the first page is in the DOM
    // (the timeout after the animation frame runs once that frame has been produced).
    await page.addInitScript(`window.__kestrelFirstTile = new Promise((resolve) => {
      const SELECTOR = '[data-testid="grid"][data-first-page="ready"] .tile[data-content-id]';
      const observer = new MutationObserver(() => {
        if (!document.querySelector(SELECTOR)) return;
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
      });
      observer.observe(document, { subtree: true, childList: true, attributes: true });
    })`);
    await page.goto(served.url);
    const firstGridPaintMs = await Promise.race([
      page.evaluate('window.__kestrelFirstTile') as Promise<number>,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('bench/ui: no tile on screen within 60 s')), 60_000).unref()),
    ]);
    await page.waitForFunction(() => /items$/.test(document.querySelector('[data-testid="item-count"]')?.textContent ?? ''));
    const countText = await page.textContent('[data-testid="item-count"]');

    const baselineRoundTripMs = await page.evaluate(`(async () => {
      const times = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await fetch('api/appInfo', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
        times.push(performance.now() - t);
      }
      return times.sort((a, b) => a - b)[2];
    })()`) as number;

    // In-page code is passed as text: tsx would otherwise wrap its inner functions in a helper
    // (__name) that exists only in Node.
    const FILTER_CHANGE = `async ([sel, val]) => {
      const el = document.querySelector('select[name="' + sel + '"]');
      const grid = document.querySelector('[data-testid="grid"]');
      const count = document.querySelector('[data-testid="item-count"]');
      const query = grid.dataset.query;
      const t = performance.now();
      el.value = val;
      el.dispatchEvent(new Event('change', { bubbles: true }));
      const settled = (test) => new Promise((resolve) => {
        const check = () => { if (test()) resolve(performance.now() - t); else requestAnimationFrame(check); };
        check();
      });
      const painted = await settled(() => grid.dataset.query !== query && grid.dataset.firstPage === 'ready' &&
        (document.querySelector('.tile[data-content-id]') || document.querySelector('.empty')));
      const counted = await settled(() => grid.dataset.query !== query && /^[0-9,]+ items$/.test(count.textContent));
      return { ms: painted, countMs: counted, count: count.textContent };
    }`;
    /** Picks an option and waits until the count shows a new number and a tile of the new page is painted. */
    const filterChange = (select: string, value: string) =>
      page.evaluate(`(${FILTER_CHANGE})(${JSON.stringify([select, value])})`) as Promise<{ ms: number; countMs: number; count: string | null }>;

    const filters: Record<string, { ms: number; countMs: number; count: string | null }> = {};
    for (const [name, sel, value] of [
      ['category=1', 'category', '1'], ['all (reset)', 'category', ''],
      ['fileType=image/png', 'fileType', 'image/png'], ['all (reset) ', 'fileType', ''],
      ['exhibit=EX-2', 'exhibit', '2'], ['all (reset)  ', 'exhibit', ''],
      ['hasGps', 'hasGps', 'true'], ['all (reset)   ', 'hasGps', ''],
      ['errors', 'errors', 'true'], ['all (reset)    ', 'errors', ''],
      ['uncategorised', 'category', 'none'], ['all (reset)     ', 'category', ''],
    ] as const) {
      await page.waitForSelector(`select[name="${sel}"] option[value="${value}"]`, { state: 'attached' });
      filters[name.trim() === 'all (reset)' ? `reset after ${Object.keys(filters).at(-1)}` : name] = await filterChange(sel, value);
    }

    const SCROLL_TO = `async (f) => {
      const grid = document.querySelector('[data-testid="grid"]');
      const t = performance.now();
      grid.scrollTop = (grid.scrollHeight - grid.clientHeight) * f;
      await new Promise((resolve) => {
        const check = () => {
          const g = grid.getBoundingClientRect();
          const rows = [...document.querySelectorAll('.grid-row')];
          const visible = rows.filter((row) => { const b = row.getBoundingClientRect(); return b.bottom > g.top && b.top < g.bottom; });
          if (visible.length > 0 && visible.every((row) => row.querySelector('.tile[data-content-id]') || !row.querySelector('.tile'))) resolve();
          else requestAnimationFrame(check);
        };
        check();
      });
      const rowHeight = document.querySelector('.grid-row').offsetHeight;
      return {
        fraction: f,
        settleMs: performance.now() - t,
        domRows: document.querySelectorAll('.grid-row').length,
        domTiles: document.querySelectorAll('.tile').length,
        rowsThatFit: Math.ceil(grid.clientHeight / rowHeight),
      };
    }`;
    const scroll = [];
    for (const fraction of [0, 0.25, 0.5, 0.999]) {
      const r = await page.evaluate(`(${SCROLL_TO})(${fraction})`) as { fraction: number; settleMs: number; domRows: number; domTiles: number; rowsThatFit: number };
      scroll.push(r);
    }
    // Key to decision: number keys 30 ms apart on the grid (a held key repeats about that fast),
    // each timed from its keydown to the engine's answer recording its decision.
    const KEY_LATENCY = `async () => {
      const grid = document.querySelector('[data-testid="grid"]');
      grid.scrollTop = 0;
      await new Promise((r) => setTimeout(r, 300));
      document.querySelector('.tile[data-content-id]').click();
      const answered = [];
      const original = window.fetch;
      window.fetch = async (...args) => {
        const response = await original(...args);
        if (String(args[0]).includes('api/categorise')) answered.push(performance.now());
        return response;
      };
      const pressed = [];
      for (let i = 0; i < 40; i++) {
        pressed.push(performance.now());
        grid.dispatchEvent(new KeyboardEvent('keydown', { key: '1', bubbles: true }));
        await new Promise((r) => setTimeout(r, 30));
      }
      const until = performance.now() + 30000;
      while (answered.length < pressed.length && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
      window.fetch = original;
      const ms = pressed.map((t, i) => answered[i] - t).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
      return { keys: pressed.length, decisions: answered.length, medianMs: ms[Math.floor(ms.length / 2)], p99Ms: ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)], maxMs: ms[ms.length - 1] };
    }`;
    const keyToDecision = await page.evaluate(`(${KEY_LATENCY})()`) as { keys: number; decisions: number; medianMs: number; p99Ms: number; maxMs: number };
    // Per sort: the choice to its first tiles, then deep jumps and a page scrolled down from the deepest.
    const SORT_CHANGE = `async (value) => {
      const el = document.querySelector('select[name="sort"]');
      const grid = document.querySelector('[data-testid="grid"]');
      grid.scrollTop = 0;
      const query = grid.dataset.query;
      const t = performance.now();
      el.value = value;
      el.dispatchEvent(new Event('change', { bubbles: true }));
      await new Promise((resolve) => {
        const check = () => { if (grid.dataset.query !== query && grid.dataset.firstPage === 'ready' && document.querySelector('.tile[data-content-id]')) resolve(); else requestAnimationFrame(check); };
        check();
      });
      return performance.now() - t;
    }`;
    const SCROLL_BY = `async (rows) => {
      const grid = document.querySelector('[data-testid="grid"]');
      const rowHeight = document.querySelector('.grid-row').offsetHeight;
      const t = performance.now();
      grid.scrollTop += rows * rowHeight;
      await new Promise((resolve) => {
        const check = () => {
          const g = grid.getBoundingClientRect();
          const visible = [...document.querySelectorAll('.grid-row')].filter((row) => { const b = row.getBoundingClientRect(); return b.bottom > g.top && b.top < g.bottom; });
          if (visible.length > 0 && visible.every((row) => row.querySelector('.tile[data-content-id]') || !row.querySelector('.tile'))) resolve();
          else requestAnimationFrame(check);
        };
        check();
      });
      return performance.now() - t;
    }`;
    const sorts: Record<string, { firstPageMs: number; deepSettleMs: Record<string, number>; pageDownFromDeepMs: number }> = {};
    for (const value of ['name:asc', 'path:asc', 'mtime:desc', 'taken:desc', 'taken:asc', 'distance:asc']) {
      const firstPageMs = await page.evaluate(`(${SORT_CHANGE})(${JSON.stringify(value)})`) as number;
      const deepSettleMs: Record<string, number> = {};
      for (const fraction of [0.5, 0.999]) {
        const r = await page.evaluate(`(${SCROLL_TO})(${fraction})`) as { settleMs: number };
        deepSettleMs[String(fraction)] = Math.round(r.settleMs);
      }
      await page.evaluate(`(${SCROLL_TO})(0.7)`);
      // Two hundred rows of tiles on: past the pages loaded around the jump, next to one of them.
      const pageDownFromDeepMs = await page.evaluate(`(${SCROLL_BY})(200)`) as number;
      sorts[value] = { firstPageMs: Math.round(firstPageMs), deepSettleMs, pageDownFromDeepMs: Math.round(pageDownFromDeepMs) };
    }
    await page.selectOption('select[name="sort"]', 'id:asc');
    const worstFilter = Math.max(...Object.values(filters).map((f) => f.ms));
    process.stdout.write(`${JSON.stringify({
      bench: 'ui',
      provisional: 'timings on a shared 2-core machine',
      items: ITEMS,
      itemCountShown: countText,
      caseBuildMs: buildMs === null ? 'reused' : Math.round(buildMs),
      firstGridPaintMs: Math.round(firstGridPaintMs),
      firstGridPaintGoalMs: 1000,
      baselineRoundTripMs: Math.round(baselineRoundTripMs * 10) / 10,
      filterChangeMs: Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, { ms: Math.round(v.ms), exactCountMs: Math.round(v.countMs), count: v.count, ratioToRoundTrip: Math.round((v.ms / baselineRoundTripMs) * 10) / 10 }])),
      worstFilterChangeMs: Math.round(worstFilter),
      filterChangeGoalMs: 200,
      scroll,
      domStaysVirtual: scroll.every((s) => s.domRows <= s.rowsThatFit + 6),
      sorts,
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
      keyToDecisionMs: { keySpacingMs: 30, keys: keyToDecision.keys, decisions: keyToDecision.decisions,
        median: Math.round(keyToDecision.medianMs * 10) / 10, p99: Math.round(keyToDecision.p99Ms * 10) / 10, max: Math.round(keyToDecision.maxMs * 10) / 10 },
    }, null, 2)}\n`);
  } finally {
    await browser.close();
    await served.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
