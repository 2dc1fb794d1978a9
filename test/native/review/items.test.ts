import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCase, type OpenCase } from '../../../native/catalog/case.js';
import { contentsOutside, countItems, queryItems, type ItemFilter, type ItemSort } from '../../../native/review/items.js';
import { categorise, currentCategory, undoDecisions } from '../../../native/review/decisions.js';

/**
 * The grid's exhibit filter against a plain reading of the catalogue: contents held by the exhibit,
 * each once however many copies it holds, in the order asked for, page by page.
 */
describe('items of one exhibit', () => {
  let dir: string;
  let c: OpenCase;
  const TYPES = ['image/png', 'image/jpeg', 'video/mp4'];
  const N = 600;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-items-'));
    c = initCase(join(dir, 'case'), { caseNumber: 'OP-ITEMS', examiner: 'Examiner A' });
    const db = c.db;
    db.transaction(() => {
      for (const id of [1, 2, 3]) {
        db.prepare("INSERT INTO exhibit (id, label, source_path, created_at) VALUES (?, ?, ?, '2026-01-01T00:00:00Z')").run(id, `EX-${id}`, `/evidence/${id}`);
        db.prepare("INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version) VALUES (?, ?, ?, '2026-01-01T00:00:00Z', 'complete', 'test')")
          .run(id, id, `/evidence/${id}`);
      }
      const content = db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, ?, ?)');
      const inst = db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, content_id, size)
        VALUES (?, ?, ?, ?, 'file', 'done', ?, ?)`);
      let file = 0;
      const place = (exhibit: number, contentId: number | null, size: number) => {
        const path = `/f/${file++}.bin`;
        inst.run(exhibit, exhibit, Buffer.from(path), path, contentId, size);
      };
      for (let id = 1; id <= N; id++) {
        const size = (id * 7919) % 1000;
        content.run(id, id.toString(16).padStart(64, '0'), id.toString(16).padStart(40, '0'), id.toString(16).padStart(32, '0'), size, TYPES[id % 3]!);
        // Exhibit 1 holds most contents, some of them twice; exhibit 2 shares a third of them.
        if (id % 5 !== 0) place(1, id, size);
        if (id % 4 === 0) place(1, id, size);
        if (id % 3 === 0) place(2, id, size);
      }
      // Exhibit 3: a handful of files far apart in the catalogue, one unreadable (no content).
      for (const id of [7, 300, 599, 599]) place(3, id, 1);
      place(3, null, 0);
    })();
    categorise(db, [3, 6, 9, 12, 300, 599], '1', 'Examiner A', 'test');
  });
  afterAll(() => {
    c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the filter means, read plainly from the tables. */
  const expected = (exhibitId: number, extra: (id: number) => boolean, sort: ItemSort): number[] => {
    const held = new Set((c.db.prepare('SELECT content_id FROM file_instance WHERE exhibit_id = ? AND content_id IS NOT NULL').all(exhibitId) as { content_id: number }[])
      .map((r) => r.content_id));
    const rows = c.db.prepare('SELECT id, size FROM content').all() as { id: number; size: number }[];
    const kept = rows.filter((r) => held.has(r.id) && extra(r.id));
    const sign = sort.dir === 'asc' ? 1 : -1;
    kept.sort((a, b) => sign * (sort.key === 'size' ? a.size - b.size || a.id - b.id : a.id - b.id));
    return kept.map((r) => r.id);
  };

  const allPages = (filter: ItemFilter, sort: ItemSort, pageSize: number): number[] => {
    const ids: number[] = [];
    for (let offset = 0; ; offset += pageSize) {
      const page = queryItems(c.db, filter, sort, offset, pageSize);
      ids.push(...page.map((r) => r.id));
      if (page.length < pageSize) return ids;
    }
  };

  const cases: [string, ItemFilter, (id: number) => boolean, ItemSort][] = [
    ['exhibit 1 in intake order', { exhibitId: 1 }, () => true, { key: 'id', dir: 'asc' }],
    ['exhibit 1 newest first', { exhibitId: 1 }, () => true, { key: 'id', dir: 'desc' }],
    ['exhibit 2 by size', { exhibitId: 2 }, () => true, { key: 'size', dir: 'desc' }],
    ['exhibit 1, PNG only', { exhibitId: 1, fileType: 'image/png' }, (id) => id % 3 === 0, { key: 'id', dir: 'asc' }],
    ['exhibit 2, category 1', { exhibitId: 2, category: '1' }, (id) => [3, 6, 9, 12, 300, 599].includes(id), { key: 'id', dir: 'desc' }],
    ['exhibit 3 (few files, one twice, one unread)', { exhibitId: 3 }, () => true, { key: 'id', dir: 'asc' }],
    ['exhibit 3, uncategorised', { exhibitId: 3, category: 'none' }, (id) => id === 7, { key: 'id', dir: 'asc' }],
  ];

  it.each(cases)('%s: every content once, in order, across pages; the count agrees', (_name, filter, extra, sort) => {
    const want = expected(filter.exhibitId!, extra, sort);
    expect(want.length).toBeGreaterThan(0);
    expect(allPages(filter, sort, 37)).toEqual(want);
    expect(countItems(c.db, filter)).toBe(want.length);
  });

  it('names the contents a filter does not show (a selection partly out of view)', () => {
    expect(contentsOutside(c.db, { exhibitId: 3 }, [7, 300, 599])).toEqual([]);
    expect(contentsOutside(c.db, { exhibitId: 3 }, [8, 7, 301])).toEqual([8, 301]);
    expect(contentsOutside(c.db, { category: '1' }, [3, 4, 6])).toEqual([4]);
    expect(contentsOutside(c.db, { category: 'none', exhibitId: 2 }, [3, 15, 16])).toEqual([3, 16]);
  });

  it('an exhibit with no files shows nothing and counts 0', () => {
    expect(queryItems(c.db, { exhibitId: 99 }, { key: 'id', dir: 'asc' }, 0, 50)).toEqual([]);
    expect(countItems(c.db, { exhibitId: 99 })).toBe(0);
  });

  it('a row of an exhibit counts the instances of its content in every exhibit', () => {
    const [row] = queryItems(c.db, { exhibitId: 3 }, { key: 'id', dir: 'desc' }, 0, 1);
    // Content 599: twice in exhibit 3, once in exhibit 1 (599 % 5 != 0), once in exhibit 2 (599 % 3 != 0 → no).
    expect(row).toMatchObject({ id: 599, instances: 3, category: '1' });
  });
});

describe('uncategorised items', () => {
  it('are those with no current decision in any scheme: undone ones again; a decision in another scheme is listed apart, never as uncategorised', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-items-'));
    const c = initCase(join(dir, 'case'), { caseNumber: 'OP-UNCAT', examiner: 'Examiner A' });
    try {
      const content = c.db.prepare("INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, ?, 'image/png')");
      for (let id = 1; id <= 12; id++) content.run(id, String(id).padStart(64, '0'), String(id).padStart(40, '0'), String(id).padStart(32, '0'), id);
      categorise(c.db, [1, 2, 3, 4], '1', 'Examiner A', 'test');
      categorise(c.db, [2], '3', 'Examiner A', 'test');
      const undone = categorise(c.db, [5], '2', 'Examiner A', 'test');
      undoDecisions(c.db, undone.decisionIds, 'Examiner A');
      const recategorised = categorise(c.db, [3], '4', 'Examiner A', 'test');
      undoDecisions(c.db, recategorised.decisionIds, 'Examiner A');
      // A decision under another scheme is a decision, not one in this case's scheme (vic-us) either.
      c.db.prepare("INSERT INTO category_decision (content_id, scheme, category, examiner, decided_at) VALUES (6, 'dhs', '1', 'Examiner A', '2026-01-01T00:00:00Z')").run();

      const want = Array.from({ length: 12 }, (_, i) => i + 1).filter((id) => currentCategory(c.db, id) === null && id !== 6);
      expect(want).toEqual([5, 7, 8, 9, 10, 11, 12]);
      expect(currentCategory(c.db, 6)).toBeNull();
      expect(queryItems(c.db, { category: 'other-scheme' }, { key: 'id', dir: 'asc' }, 0, 100).map((r) => [r.id, r.category, r.otherScheme]))
        .toEqual([[6, null, { category: '1', scheme: 'dhs' }]]);
      for (const sort of [{ key: 'id', dir: 'asc' }, { key: 'size', dir: 'desc' }] as const) {
        const got = queryItems(c.db, { category: 'none' }, sort, 0, 100).map((r) => r.id);
        expect(got).toEqual(sort.dir === 'asc' ? want : [...want].reverse());
      }
      expect(countItems(c.db, { category: 'none' })).toBe(want.length);
      expect(countItems(c.db, { category: 'none', exhibitId: 1 })).toBe(0);
    } finally {
      c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
