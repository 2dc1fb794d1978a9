import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, insideFolder, type KestrelService } from '../../../native/api/service.js';
import { dispatch } from '../../../native/api/dispatch.js';
import { openSqlite } from '../../../native/catalog/sqlite.js';
import { readAudit } from '../../../native/audit/log.js';

describe('review service', () => {
  let dir: string;
  let caseDir: string;
  let service: KestrelService;
  const call = async (channel: string, arg: unknown) => dispatch(service.handlers, channel, arg);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-service-'));
    caseDir = join(dir, 'case');
    service = createService({ caseDir, libraryDir: join(dir, 'library') });
  });
  afterEach(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers a folder without a case for creating one, then creates it with the chosen scheme', async () => {
    expect(await call('appInfo', {})).toMatchObject({ ok: true, value: { case: null, suggestedCaseDir: caseDir } });
    const created = await call('createCase', { dir: caseDir, caseNumber: 'OP-9', examiner: 'Examiner A', scheme: 'caid-uk' });
    expect(created).toMatchObject({ ok: true, value: { caseNumber: 'OP-9', scheme: 'caid-uk', categories: [{ code: 'A' }, { code: 'B' }, { code: 'C' }, { code: 'N' }] } });
    expect(await call('categorise', { contentIds: [1], category: '1', via: 'keyboard' })).toMatchObject({ ok: false, error: expect.stringMatching(/not in the case's scheme caid-uk/) });
    expect(await call('categorise', { contentIds: [1], category: 'A', via: 'keyboard' })).toEqual({ ok: false, error: 'content 1: no such item in this case' });
  });

  it('refuses a selection partly filtered out of view, whole; decides it when every item is shown', async () => {
    await call('createCase', { dir: caseDir, caseNumber: 'OP-9', examiner: 'Examiner A', scheme: 'vic-us' });
    await service.close();
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'));
    const content = db.prepare("INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, 1, 'image/png')");
    for (const id of [1, 2, 3]) content.run(id, String(id).repeat(64), String(id).repeat(40), String(id).repeat(32));
    db.close();
    service = createService({ caseDir, libraryDir: join(dir, 'library') });
    expect(await call('categorise', { contentIds: [1], category: '2', via: 'keyboard' })).toMatchObject({ ok: true });
    const refused = await call('categorise', { contentIds: [1, 2], category: '4', via: 'selection', inView: { category: 'none' } });
    expect(refused).toEqual({ ok: false, error: '1 of the 2 selected items are not shown by the current filters (content 1); nothing was categorised' });
    expect(await call('categorise', { contentIds: [2, 3], category: '4', via: 'selection', inView: { category: 'none' } })).toMatchObject({ ok: true, value: { decisionIds: [2, 3] } });
    expect(await call('categorise', { contentIds: [2, 3], expectSha256: ['2'.repeat(64)], category: '4', via: 'selection' }))
      .toMatchObject({ ok: false, error: expect.stringMatching(/expectSha256/) });
  });

  it('remembers wellbeing settings in the case and records the change', async () => {
    await call('createCase', { dir: caseDir, caseNumber: 'OP-9', examiner: 'Examiner A', scheme: 'vic-us' });
    expect(await call('getSettings', {})).toEqual({ ok: true, value: { categoryScheme: 'vic-us', wellbeing: { blur: true, greyscale: true, blurRadius: 24 } } });
    await call('setSettings', { wellbeing: { blur: false, greyscale: true, blurRadius: 10 } });
    await service.close();
    service = createService({ caseDir, libraryDir: join(dir, 'library') });
    expect(await call('getSettings', {})).toEqual({ ok: true, value: { categoryScheme: 'vic-us', wellbeing: { blur: false, greyscale: true, blurRadius: 10 } } });
    await service.close();
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    expect(readAudit(db).filter((e) => e.action === 'review.settings').map((e) => e.details)).toEqual([
      { categoryScheme: 'vic-us' },
      { wellbeing: { blur: false, greyscale: true, blurRadius: 10 } },
    ]);
    db.close();
    service = createService({ caseDir, libraryDir: join(dir, 'library') });
  });

  it('counts as categorised only current decisions in the case\'s scheme, in the case counts and in each group', async () => {
    await call('createCase', { dir: caseDir, caseNumber: 'OP-9', examiner: 'Examiner A', scheme: 'vic-us' });
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'));
    const content = db.prepare("INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, 'x', 'y', 1, 'image/jpeg')");
    for (const id of [1, 2, 3, 4]) content.run(id, String(id).repeat(64));
    db.prepare("INSERT INTO near_duplicate_group (id, algorithm, threshold, created_at) VALUES (7, 'pdq', 31, 'now'), (8, 'pdq', 31, 'now')").run();
    db.prepare('INSERT INTO near_duplicate_member (content_id, group_id, nearest_distance) VALUES (1, 7, 0), (2, 7, 4), (3, 8, 0), (4, 8, 2)').run();
    db.close();
    const categorised = async () => {
      const counts = await call('caseCounts', {});
      const groups = await call('listGroups', { offset: 0, limit: 10 });
      if (!counts.ok || !groups.ok) throw new Error(JSON.stringify([counts, groups]));
      const { groups: list } = groups.value as { groups: { id: number; categorised: number }[] };
      return [(counts.value as { categorised: number }).categorised, ...list.map((g) => g.categorised)];
    };

    const first = await call('categorise', { contentIds: [1, 2, 3], category: '1', via: 'selection' });
    expect(await categorised()).toEqual([3, 2, 1]);
    // Three decisions would stay in vic-us: the change is refused until that number is confirmed.
    const refused = await call('setSettings', { categoryScheme: 'dhs' });
    expect(refused.ok).toBe(false);
    expect(await call('schemeChangeImpact', { scheme: 'dhs' })).toEqual({ ok: true, value: { from: 'vic-us', to: 'dhs', stay: 3, byScheme: [{ scheme: 'vic-us', decisions: 3 }] } });
    expect((await call('setSettings', { categoryScheme: 'dhs', confirmDecisionsInOtherSchemes: 3 })).ok).toBe(true);
    expect(await categorised()).toEqual([0, 0, 0]);
    await call('categorise', { contentIds: [4], category: 'CAT-1', via: 'keyboard' });
    expect(await categorised()).toEqual([1, 0, 1]);
    expect((await call('setSettings', { categoryScheme: 'vic-us', confirmDecisionsInOtherSchemes: 1 })).ok).toBe(true);
    if (!first.ok) throw new Error(first.error);
    await call('undoDecisions', { decisionIds: (first.value as { decisionIds: number[] }).decisionIds.slice(0, 1) });
    expect(await categorised()).toEqual([2, 1, 1]);
  });

  it('serves thumbnails only from inside the case folder', async () => {
    await call('createCase', { dir: caseDir, caseNumber: 'OP-9', examiner: 'Examiner A', scheme: 'vic-us' });
    mkdirSync(join(caseDir, 'derived', 'thumbs'), { recursive: true });
    writeFileSync(join(caseDir, 'derived', 'thumbs', 'ok.jpg'), 'jpeg');
    writeFileSync(join(dir, 'outside.jpg'), 'secret');
    symlinkSync(join(dir, 'outside.jpg'), join(caseDir, 'derived', 'thumbs', 'link.jpg'));
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'));
    const content = db.prepare("INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, 'x', 'y', 1, 'image/jpeg')");
    const image = db.prepare("INSERT INTO image_data (content_id, thumbnail, pdq, algorithms, processed_at) VALUES (?, ?, ?, '{}', 'now')");
    const cases: [number, string][] = [[1, 'derived/thumbs/ok.jpg'], [2, '../outside.jpg'], [3, join(dir, 'outside.jpg')], [4, 'derived/thumbs/link.jpg'], [5, 'derived/thumbs/missing.jpg']];
    for (const [id, thumb] of cases) {
      content.run(id, String(id).repeat(64));
      image.run(id, thumb, '0'.repeat(64));
    }
    db.close();
    expect(service.thumbnailFile(1)).toBe(join(caseDir, 'derived', 'thumbs', 'ok.jpg'));
    for (const id of [2, 3, 4, 5, 6]) expect(service.thumbnailFile(id), String(id)).toBeNull();
    expect(insideFolder(caseDir, '.')).toBeNull();
  });
});
