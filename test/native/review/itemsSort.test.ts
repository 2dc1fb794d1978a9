import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCase, type OpenCase } from '../../../native/catalog/case.js';
import { countItems, queryItems, type ItemFilter, type ItemSort } from '../../../native/review/items.js';
import { categorise } from '../../../native/review/decisions.js';

/**
 * The indexed sorts (name, path, modified, taken, distance, and size and type) against a plain
 * reading of the catalogue: each content once, in key order with the contents lacking a key last,
 * whether the pages are read at offsets, forward from the last row held, or backward from the first.
 * The catalogue is written as intake writes it (instances listed, then given their content), with
 * ties on every key, missing keys, a content with no file, and matches recorded after intake.
 */
describe('items in a keyed sort', () => {
  let dir: string;
  let c: OpenCase;
  const N = 420;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-items-sort-'));
    c = initCase(join(dir, 'case'), { caseNumber: 'OP-SORT', examiner: 'Examiner A' });
    const db = c.db;
    db.transaction(() => {
      for (const id of [1, 2]) {
        db.prepare("INSERT INTO exhibit (id, label, source_path, created_at) VALUES (?, ?, ?, '2026-01-01T00:00:00Z')").run(id, `EX-${id}`, `/evidence/${id}`);
        db.prepare("INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version) VALUES (?, ?, ?, '2026-01-01T00:00:00Z', 'complete', 'test')")
          .run(id, id, `/evidence/${id}`);
      }
      const content = db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, ?, ?)');
      const listed = db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, size, mtime)
        VALUES (?, ?, ?, ?, 'file', 'pending', 1, ?)`);
      const read = db.prepare("UPDATE file_instance SET content_id = ?, read_state = 'done' WHERE id = ?");
      const image = db.prepare(`INSERT INTO image_data (content_id, width, height, pdq, pdq_quality, exif, algorithms, processed_at)
        VALUES (?, 10, 10, ?, 90, ?, '{}', '2026-01-01T00:00:00Z')`);
      // Names repeat every 17 contents: ties on name, paths apart.
      for (let id = 1; id <= N; id++) {
        content.run(id, id.toString(16).padStart(64, '0'), id.toString(16).padStart(40, '0'), id.toString(16).padStart(32, '0'), id % 23, id % 2 ? 'image/jpeg' : 'image/png');
        if (id % 41 === 0) continue;
        const path = `/d${id % 5}/${id}/IMG_${String(id % 17).padStart(2, '0')}.jpg`;
        const mtime = id % 7 === 0 ? null : `2025-0${1 + (id % 3)}-01T00:00:00.000000000Z`;
        const exhibit = id % 3 === 0 ? 2 : 1;
        const inst = listed.run(exhibit, exhibit, Buffer.from(path), path, mtime).lastInsertRowid;
        read.run(id, inst);
        if (id % 4 === 0) image.run(id, '0'.repeat(64), JSON.stringify({ dateTimeOriginal: `2024:0${1 + (id % 4 === 0 ? id % 5 : 0)}:01 10:00:00` }));
        else if (id % 2 === 0) image.run(id, '0'.repeat(64), null);
      }
      // A second copy found later changes nothing: the first instance is the one shown.
      const later = listed.run(1, 1, Buffer.from('/zz/later.jpg'), '/zz/later.jpg', '2030-01-01T00:00:00.000000000Z').lastInsertRowid;
      read.run(8, later);
      db.prepare(`INSERT INTO hashlist_use (id, list_uid, list_name, list_version, list_format, list_sha256, known, scheme, pdq_threshold,
        blockhash_threshold, content_watermark, first_matched_at, matched_at, tool_version)
        VALUES (1, 'uid-1', 'vic', 1, 'vics', ?, 0, 'vic-us', 31, 10, 1, 'now', 'now', '0.1.0')`).run('d'.repeat(64));
      const match = db.prepare(`INSERT INTO hash_match (content_id, use_id, entry_id, entry_record, entry_hash, algorithm, distance, threshold, known, matched_at)
        VALUES (?, 1, ?, 1, 'x', 'pdq', ?, 31, 0, 'now')`);
      let entry = 0;
      for (let id = 3; id <= N; id += 6) {
        match.run(id, ++entry, id % 31);
        if (id % 4 === 1) match.run(id, ++entry, id % 11);
      }
    })();
    // A match taken back (as a re-match of a list does): its distance is no longer the content's.
    c.db.prepare('DELETE FROM hash_match WHERE content_id = 21 AND distance = 10').run();
    categorise(c.db, Array.from({ length: 60 }, (_, i) => i * 7 + 1), '1', 'Examiner A', 'test');
  });
  afterAll(() => {
    c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Each content's keys read plainly: its first file instance, its EXIF, its matches. */
  const keysOf = (): Map<number, Record<ItemSort['key'], string | number | null>> => {
    const db = c.db;
    const keys = new Map<number, Record<ItemSort['key'], string | number | null>>();
    for (const r of db.prepare('SELECT id, size, detected_type FROM content').all() as { id: number; size: number; detected_type: string }[]) {
      const first = db.prepare('SELECT path_text, mtime FROM file_instance WHERE content_id = ? ORDER BY id LIMIT 1').get(r.id) as
        { path_text: string; mtime: string | null } | undefined;
      const exif = db.prepare('SELECT exif FROM image_data WHERE content_id = ?').pluck().get(r.id) as string | null | undefined;
      const distances = db.prepare('SELECT distance FROM hash_match WHERE content_id = ?').pluck().all(r.id) as number[];
      keys.set(r.id, {
        id: r.id,
        size: r.size,
        type: r.detected_type,
        category: null,
        path: first?.path_text ?? null,
        name: first ? first.path_text.slice(first.path_text.lastIndexOf('/') + 1) : null,
        mtime: first?.mtime ?? null,
        taken: exif ? ((JSON.parse(exif) as { dateTimeOriginal?: string }).dateTimeOriginal ?? null) : null,
        distance: distances.length ? Math.min(...distances) : null,
      });
    }
    return keys;
  };

  const expected = (ids: number[], sort: ItemSort): number[] => {
    const keys = keysOf();
    const sign = sort.dir === 'asc' ? 1 : -1;
    return [...ids].sort((a, b) => {
      const ka = keys.get(a)![sort.key];
      const kb = keys.get(b)![sort.key];
      if (ka === null || kb === null) return ka === kb ? sign * (a - b) : ka === null ? 1 : -1;
      return sign * (ka < kb ? -1 : ka > kb ? 1 : a - b);
    });
  };

  const shown = (filter: ItemFilter): number[] => {
    const all = queryItems(c.db, filter, { key: 'id', dir: 'asc' }, 0, 2000).map((r) => r.id);
    expect(all.length).toBe(countItems(c.db, filter));
    return all;
  };

  const byOffset = (filter: ItemFilter, sort: ItemSort, size: number): number[] => {
    const ids: number[] = [];
    for (let offset = 0; ; offset += size) {
      const page = queryItems(c.db, filter, sort, offset, size).map((r) => r.id);
      ids.push(...page);
      if (page.length < size) return ids;
    }
  };

  const forward = (filter: ItemFilter, sort: ItemSort, size: number): number[] => {
    const ids = queryItems(c.db, filter, sort, 0, size).map((r) => r.id);
    for (;;) {
      const page = queryItems(c.db, filter, sort, ids.length, size, { after: ids.at(-1)! }).map((r) => r.id);
      ids.push(...page);
      if (page.length < size) return ids;
    }
  };

  const backward = (filter: ItemFilter, sort: ItemSort, size: number, total: number): number[] => {
    const ids = queryItems(c.db, filter, sort, Math.max(0, total - size), size).map((r) => r.id);
    while (ids.length < total) {
      const page = queryItems(c.db, filter, sort, 0, size, { before: ids[0]! }).map((r) => r.id);
      if (page.length === 0) break;
      ids.unshift(...page);
    }
    return ids;
  };

  const filters: [string, ItemFilter][] = [
    ['everything', {}],
    ['exhibit 2', { exhibitId: 2 }],
    ['uncategorised PNG', { category: 'none', fileType: 'image/png' }],
    ['matched', { matched: 'any' }],
  ];
  const sorts: ItemSort['key'][] = ['name', 'path', 'mtime', 'taken', 'distance', 'size', 'type'];

  for (const [label, filter] of filters) {
    for (const key of sorts) {
      for (const dir of ['asc', 'desc'] as const) {
        it(`${label} by ${key} ${dir}: offsets, forward and backward keyset pages agree with the tables`, () => {
          const sort = { key, dir };
          const want = expected(shown(filter), sort);
          expect(want.length).toBeGreaterThan(0);
          expect(byOffset(filter, sort, 23)).toEqual(want);
          expect(forward(filter, sort, 23)).toEqual(want);
          expect(backward(filter, sort, 23, want.length)).toEqual(want);
        });
      }
    }
  }

  it('has every kind of key to order: ties, contents without one, and a later copy and a taken-back match that change nothing', () => {
    const keys = keysOf();
    const count = (k: ItemSort['key']) => [...keys.values()].filter((v) => v[k] === null).length;
    for (const k of ['name', 'mtime', 'taken', 'distance'] as const) expect(count(k)).toBeGreaterThan(0);
    expect(keys.get(8)!.path).toBe('/d3/8/IMG_08.jpg');
    expect(keys.get(21)!.distance).toBe(21);
    expect(c.db.prepare('SELECT sort_distance FROM content WHERE id = 21').pluck().get()).toBe(21);
    const row = queryItems(c.db, { search: 'IMG_08' }, { key: 'distance', dir: 'asc' }, 0, 100).find((r) => r.id === 8);
    expect(row).toMatchObject({ path: '/d3/8/IMG_08.jpg', name: 'IMG_08.jpg', mtime: '2025-03-01T00:00:00.000000000Z' });
  });

  it('reads the page from the sort index, never by sorting the catalogue', () => {
    for (const [col, dir] of [['sort_name', 'ASC'], ['sort_taken', 'DESC'], ['sort_distance', 'ASC']] as const) {
      const plan = (c.db.prepare(`EXPLAIN QUERY PLAN SELECT c.id FROM content c WHERE c.${col} IS NOT NULL ORDER BY c.${col} ${dir}, c.id ${dir} LIMIT 10 OFFSET 100`)
        .all() as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(plan).toMatch(new RegExp(`USING (COVERING )?INDEX content_${col}\\b`));
      expect(plan).not.toContain('TEMP B-TREE');
    }
  });
});
