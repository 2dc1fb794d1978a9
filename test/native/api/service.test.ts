import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, insideFolder, type KestrelService } from '../../../native/api/service.js';
import { dispatch } from '../../../native/api/dispatch.js';
import { openSqlite } from '../../../native/catalog/sqlite.js';
import { readAudit } from '../../../native/audit/log.js';
import { useTestSigningKey } from '../../helpers/signing.js';

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

  it('records decisions, notes and exports under the examiner profile chosen, and keeps wellbeing in the profile, not the case', async () => {
    const key = useTestSigningKey('DC Jane Roe');
    const profiles = join(dir, 'profiles');
    await service.close();
    service = createService({ caseDir, libraryDir: join(dir, 'library'), profilesDir: profiles });
    expect(await call('appInfo', {})).toMatchObject({ ok: true, value: { profile: null, examiner: null } });
    expect(await call('createCase', { dir: caseDir, caseNumber: 'OP-9', scheme: 'vic-us' }))
      .toEqual({ ok: false, error: 'a case needs its lead examiner: choose an examiner profile first' });
    const made = await call('createProfile', { name: 'DC Jane Roe' });
    expect(made).toMatchObject({ ok: true, value: { examiner: 'DC Jane Roe', profile: { name: 'DC Jane Roe', keyFingerprint: key.fingerprint } } });
    expect(await call('createCase', { dir: caseDir, caseNumber: 'OP-9', scheme: 'vic-us' })).toMatchObject({ ok: true, value: { examiner: 'DC Jane Roe' } });
    expect(await call('createProfile', { name: 'PC Ann Smith', keyFingerprint: null })).toMatchObject({ ok: true, value: { examiner: 'PC Ann Smith' } });
    expect(await call('listProfiles', {})).toMatchObject({
      ok: true, value: { profiles: [{ name: 'PC Ann Smith' }, { name: 'DC Jane Roe' }], keys: [{ examiner: 'DC Jane Roe', fingerprint: key.fingerprint }] },
    });
    await service.close();
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'));
    const content = db.prepare("INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, 'x', 'y', 1, 'image/png')");
    for (const id of [1, 2]) content.run(id, String(id).repeat(64));
    db.close();

    // A new session asks again; choosing Jane's profile makes her the one who decides and signs.
    service = createService({ caseDir, libraryDir: join(dir, 'library'), profilesDir: profiles });
    const listed = await call('listProfiles', {});
    if (!listed.ok) throw new Error(listed.error);
    const [ann, jane] = (listed.value as { profiles: { id: string; name: string }[] }).profiles;
    expect(await call('chooseProfile', { profileId: jane!.id })).toMatchObject({ ok: true, value: { examiner: 'DC Jane Roe', profile: { wellbeing: { blur: true, blurRadius: 24 } } } });
    expect(await call('categorise', { contentIds: [1], category: '1', via: 'keyboard' })).toMatchObject({ ok: true });
    expect(await call('addNote', { contentId: 1, text: 'seen' })).toMatchObject({ ok: true, value: { examiner: 'DC Jane Roe' } });
    expect(await call('updateProfile', { wellbeing: { blur: false, greyscale: true, blurRadius: 10, autoplayVideo: false } }))
      .toMatchObject({ ok: true, value: { profile: { wellbeing: { blur: false, blurRadius: 10 } } } });
    expect(await call('setSettings', { wellbeing: { blur: false, greyscale: true, blurRadius: 10, autoplayVideo: false } })).toMatchObject({ ok: false });
    const out = join(dir, 'package');
    expect(await call('exportPackage', { out, media: 'none', zip: false })).toMatchObject({ ok: true });
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/Exported by<\/t[hd]>\s*<td>DC Jane Roe/);
    expect(await call('chooseProfile', { profileId: ann!.id })).toMatchObject({ ok: true, value: { profile: { wellbeing: { blur: true, blurRadius: 24 } } } });
    expect(await call('categorise', { contentIds: [2], category: '2', via: 'keyboard' })).toMatchObject({ ok: true });
    expect(await call('chooseProfile', { profileId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ ok: false, error: expect.stringMatching(/no such profile/) });
    await service.close();

    const check = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    expect(check.prepare('SELECT content_id, examiner FROM category_decision ORDER BY id').all())
      .toEqual([{ content_id: 1, examiner: 'DC Jane Roe' }, { content_id: 2, examiner: 'PC Ann Smith' }]);
    const audit = readAudit(check);
    expect(audit.filter((e) => e.action === 'review.examiner').map((e) => e.details)).toEqual([
      // The case was made by Jane, then Ann took over in that session.
      { examiner: 'DC Jane Roe', profile: jane!.id, keyFingerprint: key.fingerprint },
      { examiner: 'PC Ann Smith', profile: ann!.id, keyFingerprint: null },
      { examiner: 'DC Jane Roe', profile: jane!.id, keyFingerprint: key.fingerprint },
      { examiner: 'PC Ann Smith', profile: ann!.id, keyFingerprint: null },
    ]);
    const exported = audit.find((e) => e.action === 'export.package')!;
    expect(exported.actor).toBe('DC Jane Roe');
    expect(exported.details).toMatchObject({ signedBy: { examiner: 'DC Jane Roe', fingerprint: key.fingerprint } });
    // Wellbeing went to the profile, none of it to the case.
    expect(check.prepare("SELECT count(*) AS n FROM case_setting WHERE key = 'wellbeing'").get()).toEqual({ n: 0 });
    check.close();
    expect(readdirSync(profiles)).toHaveLength(2);
    service = createService({ caseDir, libraryDir: join(dir, 'library'), profilesDir: profiles, examiner: 'dc jane roe' });
    expect(await call('appInfo', {})).toMatchObject({ ok: true, value: { examiner: 'DC Jane Roe', profile: { wellbeing: { blur: false, blurRadius: 10 } } } });
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
