import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initCase, openCase, type OpenCase } from '../../../native/catalog/case.js';
import { runIntake } from '../../../native/intake/intake.js';
import { drawScene, editPicture } from '../../../native/image/sampleImages.js';
import { categorise } from '../../../native/review/decisions.js';
import { readAudit, verifyChain } from '../../../native/audit/log.js';
import { openLabStore } from '../../../native/lab/open.js';
import { contributeCase } from '../../../native/lab/contribute.js';
import { caseMatchLines, crossMatchCase } from '../../../native/lab/crossMatch.js';
import { libraryLinks } from '../../../native/lab/links.js';
import { addLabel } from '../../../native/lab/labels.js';
import type { LabStore } from '../../../native/lab/store.js';
import { tempDir } from '../../helpers/cli.js';
import { startPostgres, type PgServer } from '../../helpers/postgres.js';

/**
 * The lab library suite, run against both engines: a folder (SQLite) and a real PostgreSQL server.
 * The cases are real: pictures drawn, intaken, categorised and labelled through the engine.
 */
let work: string;
let pgServer: PgServer;
const pictures: Record<string, Buffer> = {};

beforeAll(async () => {
  work = tempDir('lab');
  pgServer = await startPostgres();
  pictures['victim'] = await drawScene({ seed: 11, title: 'harbour' }, 800, 600);
  pictures['resized'] = await editPicture(pictures['victim'], 'resized');
  pictures['mirrored'] = await editPicture(pictures['victim'], 'mirrored');
  pictures['other'] = await drawScene({ seed: 42, title: 'orchard' }, 800, 600);
  pictures['third'] = await drawScene({ seed: 77, title: 'mountain' }, 800, 600);
}, 120_000);
afterAll(() => {
  pgServer?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function makeCase(root: string, number: string, examiner: string, files: Record<string, Buffer>, exhibit = 'EX-01'): Promise<OpenCase> {
  const src = join(root, `${number}-src`);
  mkdirSync(src, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(src, name), bytes);
  const c = initCase(join(root, number), { caseNumber: number, examiner });
  await runIntake(c, src, { exhibit, examiner, workers: 1 });
  return c;
}

function contentId(c: OpenCase, name: string): number {
  return (c.db.prepare('SELECT content_id AS id FROM file_instance WHERE path_text = ?').get(name) as { id: number }).id;
}

const engines: { name: string; spec: (tag: string) => Promise<string> }[] = [
  { name: 'sqlite', spec: (tag) => Promise.resolve(join(work, `lib-${tag}`)) },
  { name: 'postgres', spec: (tag) => pgServer.newDatabase(`lab_${tag}`) },
];

describe.each(engines)('lab library on $name', ({ name, spec }) => {
  it('proof: a picture categorised in case 1 is flagged in case 3 (exact and resized), links, and a withdrawal removes it', async () => {
    const root = join(work, `proof-${name}`);
    const lib = await spec(`proof_${name}`);
    const c1 = await makeCase(root, '2025-0412', 'J. Jansen', { 'IMG_0001.jpg': pictures['victim']!, 'other.jpg': pictures['other']! }, 'EX-03');
    categorise(c1.db, [contentId(c1, 'IMG_0001.jpg')], '1', 'J. Jansen', 'test');
    addLabel(c1.db, [contentId(c1, 'IMG_0001.jpg')], 'series', 'Harbour', 'J. Jansen');
    addLabel(c1.db, [contentId(c1, 'IMG_0001.jpg')], 'victim', 'V-0007', 'J. Jansen');
    const c2 = await makeCase(root, '2025-0999', 'P. de Vries', { 'x.jpg': pictures['third']! });
    categorise(c2.db, [contentId(c2, 'x.jpg')], '2', 'P. de Vries', 'test');
    const c3 = await makeCase(root, '2026-0101', 'P. de Vries', {
      'copy.jpg': pictures['victim']!, 'small.jpg': pictures['resized']!, 'flip.jpg': pictures['mirrored']!, 'unrelated.jpg': pictures['other']!,
    });
    // other.jpg is in case 1 too, but case 1 neither categorised it nor matched it: it was not contributed.

    let store: LabStore = await openLabStore(lib);
    try {
      const s1 = await contributeCase(c1, store, 'J. Jansen');
      expect(s1).toMatchObject({ caseNumber: '2025-0412', items: 1, categorised: 1, replaced: 0, engine: name });
      await contributeCase(c2, store, 'P. de Vries');
      // case 3 contributes before matching: it must never match itself
      const s3 = await contributeCase(c3, store, 'P. de Vries');
      expect(s3.items).toBe(0);

      const m = await crossMatchCase(c3, store, { examiner: 'P. de Vries' });
      expect(m).toMatchObject({ engine: name, casesInLibrary: 3, otherCases: 1, exactCaseMatches: 1 });
      const lines = [...caseMatchLines(c3.db)];
      const byPath = (p: string) => lines.filter((l) => l.path === p);
      expect(byPath('copy.jpg')).toEqual(expect.arrayContaining([expect.objectContaining({
        kind: 'case', case: '2025-0412', exhibit: 'EX-03', category: '1', scheme: 'vic-us', algorithm: 'sha256', distance: 0,
        examiner: 'J. Jansen', series: ['Harbour'], victims: ['V-0007'],
      })]));
      expect(byPath('small.jpg')).toEqual([expect.objectContaining({ kind: 'case', case: '2025-0412', algorithm: 'pdq', category: '1' })]);
      expect(byPath('small.jpg')[0]!.distance).toBeLessThanOrEqual(31);
      expect(byPath('flip.jpg')).toEqual([expect.objectContaining({ case: '2025-0412', algorithm: 'pdq' })]);
      expect(byPath('unrelated.jpg')).toEqual([]);
      expect(lines.every((l) => l.case !== '2026-0101')).toBe(true);
      expect(readAudit(c3.db).filter((e) => e.action === 'match.library')).toHaveLength(1);

      // case 3 now holds matched contents: contributing again adds them, replacing its empty contribution
      const again = await contributeCase(c3, store, 'P. de Vries');
      expect(again.items).toBe(3);
      const links = await libraryLinks(store);
      expect(links.cases.map((c) => c.caseNumber)).toEqual(['2025-0412', '2025-0999', '2026-0101']);
      expect(links.links).toHaveLength(1);
      expect(links.links[0]).toMatchObject({ a: '2025-0412', b: '2026-0101', exact: 1, series: ['Harbour'] });
      expect(links.links[0]!.nearDuplicate).toBeGreaterThanOrEqual(2);
      // the resized and mirrored copies in case 3 carry no series label: proposed, not decided
      expect(links.proposals.filter((p) => p.caseNumber === '2026-0101' && p.series === 'Harbour').length).toBeGreaterThanOrEqual(3);

      const w = await store.withdraw('2025-0412', 'court order 2026/77', 'Lab manager');
      expect(w.itemsRemoved).toBe(1);
      await expect(store.withdraw('2025-0412', 'twice', 'Lab manager')).rejects.toThrow(/already withdrawn/);
      await expect(contributeCase(c1, store, 'J. Jansen')).rejects.toThrow(/was withdrawn .*\(court order 2026\/77\)/);
      // a new connection, as another workstation would have
      await store.close();
      store = await openLabStore(lib);
      const after = await crossMatchCase(c3, store);
      expect(after.caseMatches).toBe(0);
      expect([...caseMatchLines(c3.db)]).toEqual([]);
      expect((await libraryLinks(store)).links).toEqual([]);
      const log = await store.audit();
      expect(verifyChain(log).ok).toBe(true);
      expect(log.map((e) => e.action)).toEqual(['library.contribute', 'library.contribute', 'library.contribute', 'library.contribute', 'library.withdraw']);
      expect(log[4]).toMatchObject({ actor: 'Lab manager', details: { caseNumber: '2025-0412', reason: 'court order 2026/77', itemsRemoved: 1 } });
      expect((await store.cases()).find((c) => c.caseNumber === '2025-0412')).toMatchObject({ withdrawnBy: 'Lab manager', itemCount: 0 });
    } finally {
      await store.close();
      for (const c of [c1, c2, c3]) c.close();
    }
  }, 120_000);

  it('re-contributing is idempotent, file names stay home unless shared, a case number names one case', async () => {
    const root = join(work, `idem-${name}`);
    const lib = await spec(`idem_${name}`);
    const c = await makeCase(root, 'K-1', 'A. Examiner', { 'secret-name-of-child.jpg': pictures['victim']!, 'b.jpg': pictures['other']! });
    categorise(c.db, [contentId(c, 'secret-name-of-child.jpg'), contentId(c, 'b.jpg')], '1', 'A. Examiner', 'test');
    const store = await openLabStore(lib);
    try {
      const first = await contributeCase(c, store, 'A. Examiner');
      const second = await contributeCase(c, store, 'A. Examiner');
      expect(first.items).toBe(2);
      expect(second).toMatchObject({ items: 2, replaced: 2 });
      expect(second.libraryVersion).toBe(first.libraryVersion + 1);
      expect((await store.cases())).toHaveLength(1);
      const auditText = JSON.stringify(await store.audit()) + JSON.stringify(readAudit(c.db));
      expect(auditText).not.toContain('secret-name-of-child');
      expect(readAudit(c.db).filter((e) => e.action === 'library.contribute')).toHaveLength(2);
      const links = await libraryLinks(store);
      expect(links.cases[0]).toMatchObject({ caseNumber: 'K-1', items: 2 });

      // another case under the same number is refused
      const other = initCase(join(root, 'dup'), { caseNumber: 'K-1', examiner: 'B' });
      try {
        await expect(contributeCase(other, store, 'B')).rejects.toThrow(/case number K-1 is already in the library for another case/);
      } finally {
        other.close();
      }
      const shared = await contributeCase(c, store, 'A. Examiner', { shareFileNames: true });
      expect(shared.shareFileNames).toBe(true);
      expect((await store.cases())[0]!.shareFileNames).toBe(true);
    } finally {
      await store.close();
      c.close();
    }
  }, 120_000);

  it('a reopened case keeps its lab hits; the case audit log names the library, never a password', async () => {
    const root = join(work, `reopen-${name}`);
    const lib = await spec(`reopen_${name}`);
    const a = await makeCase(root, 'A-1', 'Ann', { 'p.jpg': pictures['victim']! });
    categorise(a.db, [contentId(a, 'p.jpg')], '2', 'Ann', 'test');
    const b = await makeCase(root, 'B-1', 'Bob', { 'q.jpg': pictures['resized']! });
    const store = await openLabStore(lib);
    try {
      await contributeCase(a, store, 'Ann');
      await crossMatchCase(b, store);
    } finally {
      await store.close();
    }
    b.close();
    const reopened = openCase(join(root, 'B-1'));
    try {
      expect([...caseMatchLines(reopened.db)]).toEqual([expect.objectContaining({ path: 'q.jpg', case: 'A-1', algorithm: 'pdq', category: '2' })]);
      const text = JSON.stringify(readAudit(reopened.db)) + JSON.stringify(readAudit(a.db));
      expect(text).not.toContain(pgServer.password);
      expect(text).toContain(name === 'postgres' ? '127.0.0.1' : 'lib-reopen');
    } finally {
      reopened.close();
      a.close();
    }
  }, 120_000);
});
