import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { REFERENCE, jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';
import { hammingHex } from '../../../native/hashing/hamming.js';
import { DEFAULT_PDQ_EXTRA_THRESHOLD } from '../../../native/matching/matcher.js';
import { createService } from '../../../native/api/service.js';
import { dispatch } from '../../../native/api/dispatch.js';
import type { MatchEvidence } from '../../../native/api/types.js';
import { openCase } from '../../../native/catalog/case.js';
import { collectPackageData } from '../../../native/export/collect.js';

/**
 * Extra PDQ hashes made at intake let `kestrel match` find what re-sharing does to a picture that
 * the plain PDQ misses: the seized copy has bars added (the list holds the picture), or the list
 * holds a cropped copy of the seized picture. Each such match names the extra hash as evidence.
 */
const LABELME = join(REFERENCE, 'pdq', 'reg-test-input', 'labelme-subset');
let dir: string;
let caseDir: string;
let evidence: string;
let lib: string[];
const plainOf = new Map<string, string>();

function hashOf(file: string): { pdq: string; quality: number } {
  const r = kestrel(['hash', file, '--json']);
  expect(r.status, r.stderr).toBe(0);
  const line = jsonLines(r.stdout).find((l) => l['pdq']) as { pdq: string; pdqQuality: number };
  return { pdq: line.pdq, quality: line.pdqQuality };
}

beforeAll(async () => {
  dir = tempDir('extras');
  caseDir = join(dir, 'case');
  evidence = join(dir, 'evidence');
  const known = join(dir, 'known');
  mkdirSync(evidence);
  mkdirSync(known);
  const photo = (name: string) => sharp(readFileSync(join(LABELME, name))).resize(800, 600, { fit: 'fill' });
  // Seized: the known picture with black bars of 10% each side, as a screenshot or re-post has.
  await photo('q0746.jpg').png().toFile(join(known, 'bars-original.png'));
  // Seized as well without the bars: the two are near duplicates through the trimmed hash.
  await photo('q0746.jpg').png().toFile(join(evidence, 'no-bars.png'));
  await photo('q0746.jpg').extend({ top: 60, bottom: 60, left: 80, right: 80, background: '#000000' }).png().toFile(join(evidence, 'with-bars.png'));
  // Seized: a whole picture of which the list holds only the centre (5% cut from each side).
  await photo('q1050.jpg').jpeg({ quality: 95 }).toFile(join(evidence, 'whole.jpg'));
  await photo('q1050.jpg').extract({ left: 40, top: 30, width: 720, height: 540 }).jpeg({ quality: 95 }).toFile(join(known, 'cropped.jpg'));
  // Seized and on the list as it is: a centre-95 crop of it may be near the entry too, but the plain hash is the evidence.
  await photo('q0122.jpg').jpeg({ quality: 95 }).toFile(join(evidence, 'listed.jpg'));
  // Seized and unrelated to the list.
  await photo('q2821.jpg').jpeg({ quality: 95 }).toFile(join(evidence, 'unrelated.jpg'));

  const bars = hashOf(join(known, 'bars-original.png'));
  const cropped = hashOf(join(known, 'cropped.jpg'));
  const listed = hashOf(join(evidence, 'listed.jpg'));
  writeFileSync(join(known, 'list.pdq'),
    `${bars.pdq},${bars.quality},bars-original.png\n${cropped.pdq},${cropped.quality},cropped.jpg\n${listed.pdq},${listed.quality},listed.jpg\n`);
  lib = ['--library', join(dir, 'lib')];
  expect(kestrel(['hashset', 'import', join(known, 'list.pdq'), '--name', 'known-pdq', '--format', 'pdq', ...lib]).status).toBe(0);
  expect(kestrel(['init', caseDir, '--case-number', 'X-1', '--examiner', 'E']).status).toBe(0);
  const intake = kestrel(['intake', caseDir, evidence, '--exhibit', 'EX-1']);
  expect(intake.status, intake.stderr).toBe(0);
  for (const r of queryCase<{ path_text: string; pdq: string }>(caseDir,
    'SELECT f.path_text, i.pdq FROM file_instance f JOIN image_data i ON i.content_id = f.content_id')) {
    plainOf.set(r.path_text.split('/').pop()!, r.pdq);
  }
  plainOf.set('list:bars', bars.pdq);
  plainOf.set('list:cropped', cropped.pdq);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('extra PDQ hashes at intake and in kestrel match', () => {
  it('stores the border-trimmed hash and the crop set beside the plain PDQ, in rows of their own', () => {
    const extras = queryCase<{ path_text: string; name: string; kind: string; region_left: number; region_top: number; region_width: number; region_height: number; pdq: string }>(caseDir,
      `SELECT f.path_text, x.name, x.kind, x.region_left, x.region_top, x.region_width, x.region_height, x.pdq
       FROM pdq_extra x JOIN file_instance f ON f.content_id = x.content_id ORDER BY f.path_text, x.name`);
    const trimmed = extras.find((e) => e.path_text.endsWith('with-bars.png') && e.kind === 'trimmed');
    expect(trimmed).toMatchObject({ region_left: 80, region_top: 60, region_width: 800, region_height: 600 });
    expect(extras.filter((e) => e.path_text.endsWith('whole.jpg') && e.kind === 'crop').length).toBeGreaterThan(3);
    // Each picture's plain PDQ stays the reference's hash of the whole picture; extras are rows of their own.
    expect(queryCase<{ n: number }>(caseDir, 'SELECT count(*) AS n FROM pdq_extra x JOIN image_data i ON i.content_id = x.content_id WHERE x.pdq = i.pdq')[0]!.n).toBe(0);
  });

  it('matches through the extras only where the plain PDQ misses, and says which hash, which region and how far', async () => {
    // Without the extras these would not match at all: the plain hashes are far apart.
    expect(hammingHex(plainOf.get('with-bars.png')!, plainOf.get('list:bars')!)).toBeGreaterThan(31);
    expect(hammingHex(plainOf.get('whole.jpg')!, plainOf.get('list:cropped')!)).toBeGreaterThan(31);

    const m = kestrel(['match', caseDir, '--json', ...lib]);
    expect(m.status, m.stderr).toBe(0);
    const lines = jsonLines(m.stdout);
    const hits = lines.filter((l) => l['kind'] === 'list');
    expect(hits.map((l) => l['path']).sort()).toEqual(['listed.jpg', 'no-bars.png', 'whole.jpg', 'with-bars.png']);
    expect(hits.find((l) => l['path'] === 'listed.jpg')).toMatchObject({ distance: 0, threshold: 31, via: null });
    const bars = hits.find((l) => l['path'] === 'with-bars.png')! as { distance: number; threshold: number; via: { hash: string; kind: string; region: object; pdq: string } };
    expect(bars.via).toMatchObject({ hash: 'trimmed', kind: 'trimmed', region: { left: 80, top: 60, width: 800, height: 600 } });
    expect(bars.distance).toBe(hammingHex(bars.via.pdq, plainOf.get('list:bars')!));
    expect(bars.distance).toBeLessThanOrEqual(DEFAULT_PDQ_EXTRA_THRESHOLD);
    expect(bars.threshold).toBe(DEFAULT_PDQ_EXTRA_THRESHOLD);
    const whole = hits.find((l) => l['path'] === 'whole.jpg')! as { distance: number; via: { kind: string; hash: string; pdq: string } };
    expect(whole.via.kind).toBe('crop');
    expect(whole.distance).toBe(hammingHex(whole.via.pdq, plainOf.get('list:cropped')!));
    expect(lines.at(-1)).toMatchObject({ summary: { perceptualMatches: 4, extraHashMatches: 2, pdqExtraThreshold: DEFAULT_PDQ_EXTRA_THRESHOLD } });

    const audit = queryCase<{ details: string }>(caseDir, "SELECT details FROM audit_log WHERE action = 'match.list'").map((r) => JSON.parse(r.details) as {
      thresholds: { pdqExtra: number }; algorithms: { pdqExtras: { crops: string[] } }; newMatches: Record<string, number> });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.thresholds.pdqExtra).toBe(DEFAULT_PDQ_EXTRA_THRESHOLD);
    expect(audit[0]!.algorithms.pdqExtras.crops).toContain('centre-90');
    expect(audit[0]!.newMatches).toEqual({ pdq: 4, pdqThroughExtraHash: 2 });

    // The item's detail (the UI's evidence pane) names the extra the same way.
    const service = createService({ caseDir, libraryDir: join(dir, 'lib') });
    try {
      const contentId = queryCase<{ content_id: number }>(caseDir, "SELECT content_id FROM file_instance WHERE path_text LIKE '%with-bars.png'")[0]!.content_id;
      const detail = await dispatch(service.handlers, 'getItem', { contentId }) as { ok: true; value: { matches: MatchEvidence[] } };
      expect(detail.ok).toBe(true);
      expect(detail.value.matches).toHaveLength(1);
      expect(detail.value.matches[0]).toMatchObject({ algorithm: 'pdq', distance: bars.distance, via: { hash: 'trimmed', kind: 'trimmed', region: { left: 80, top: 60, width: 800, height: 600 }, pdq: bars.via.pdq } });
    } finally {
      await service.close();
    }

    // The case package's findings (report and CASE/UCO) say the same.
    const c = openCase(caseDir, { readonly: true });
    try {
      const finding = collectPackageData(c.db, c.info).findings.find((f) => f.instances.some((i) => i.path.toString().endsWith('with-bars.png')))!;
      expect(finding.matches.map((m) => m.variant)).toEqual(['through extra PDQ hash trimmed (trimmed: 800x600 at 80,60)']);
    } finally {
      c.close();
    }

    // Near-duplicate grouping uses the extras too: the picture with bars and the one without.
    const groups = queryCase<{ group_id: number; path_text: string }>(caseDir,
      `SELECT m.group_id, f.path_text FROM near_duplicate_member m JOIN file_instance f ON f.content_id = m.content_id ORDER BY f.path_text`);
    expect(groups.map((g) => g.path_text)).toEqual(['no-bars.png', 'with-bars.png']);
    expect(groups[0]!.group_id).toBe(groups[1]!.group_id);
  });

  it('matches extras within --pdq-extra-threshold, re-running the perceptual match and the grouping when it changes', async () => {
    const groupingAudits = () => queryCase<{ details: string }>(caseDir, "SELECT details FROM audit_log WHERE action = 'match.near-duplicates' ORDER BY seq")
      .map((r) => JSON.parse(r.details) as { threshold: number; extraHashThreshold: number });
    expect(groupingAudits().map((a) => a.extraHashThreshold)).toEqual([DEFAULT_PDQ_EXTRA_THRESHOLD]);
    expect(queryCase<{ extra_threshold: number }>(caseDir, 'SELECT extra_threshold FROM near_duplicate_group').map((g) => g.extra_threshold))
      .toEqual([DEFAULT_PDQ_EXTRA_THRESHOLD]);
    const m = kestrel(['match', caseDir, '--json', '--pdq-extra-threshold', '0', ...lib]);
    expect(m.status, m.stderr).toBe(0);
    const hits = jsonLines(m.stdout).filter((l) => l['kind'] === 'list');
    // The bars trimmed away leave the very pixels of the listed picture (PNG): 0 bits, as the
    // reference would hash them; the re-encoded crop is some bits from every window of the set.
    expect(hits.map((l) => [l['path'], l['distance'], (l['via'] as { hash: string } | null)?.hash ?? null]).sort())
      .toEqual([['listed.jpg', 0, null], ['no-bars.png', 0, null], ['with-bars.png', 0, 'trimmed']]);
    // The groups were rebuilt at the new extras threshold (nothing else changed) and say so.
    expect(groupingAudits()).toEqual([
      expect.objectContaining({ threshold: 31, extraHashThreshold: DEFAULT_PDQ_EXTRA_THRESHOLD }),
      expect.objectContaining({ threshold: 31, extraHashThreshold: 0 }),
    ]);
    const service = createService({ caseDir, libraryDir: join(dir, 'lib') });
    try {
      const listed = await dispatch(service.handlers, 'listGroups', { offset: 0, limit: 10 }) as { ok: true; value: { groups: Array<{ threshold: number; extraThreshold: number | null }> } };
      expect(listed.ok).toBe(true);
      expect(listed.value.groups.map((g) => [g.threshold, g.extraThreshold])).toEqual([[31, 0]]);
    } finally {
      await service.close();
    }
    // Matching again with the same thresholds leaves the groups as they are.
    expect(kestrel(['match', caseDir, '--pdq-extra-threshold', '0', ...lib]).status).toBe(0);
    expect(groupingAudits()).toHaveLength(2);
  });
});
