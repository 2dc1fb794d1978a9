import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The built engine (npm run build): an intake reads files in worker threads, which run the compiled
// workers; in-process under the test runner there are only .ts sources, which a worker cannot load.
import { createService, type KestrelService } from '../../../dist/native/api/service.js';
import { dispatch } from '../../../dist/native/api/dispatch.js';
import { openSqlite } from '../../../dist/native/catalog/sqlite.js';
import { readAudit } from '../../../dist/native/audit/log.js';
import { openLabStore } from '../../../dist/native/lab/open.js';
import type { ExportPackageResult, IntakeProgress, PackageVerdict, Result, Settings } from '../../../native/api/types.js';
import { useTestSigningKey } from '../../helpers/signing.js';

// Packages are signed with an examiner key; verify refuses unsigned ones.
useTestSigningKey();

const PASSPHRASE = 'kestrel-test-passphrase-7Q';

/** Files with distinct content, made here: enough that reading them takes more than one turn of the event loop. */
function makeSource(dir: string, count: number): void {
  for (let d = 0; d < 4; d++) mkdirSync(join(dir, `d${d}`), { recursive: true });
  for (let i = 0; i < count; i++) {
    const seed = createHash('sha256').update(`file ${i}`).digest();
    writeFileSync(join(dir, `d${i % 4}`, `f${i}.bin`), Buffer.concat(Array.from({ length: 64 }, () => seed)));
  }
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}

describe('export, verify and cancelling an intake through the service', () => {
  let dir: string;
  let caseDir: string;
  let source: string;
  let service: KestrelService;
  const call = async <T>(channel: string, arg: unknown): Promise<T> => {
    const r = (await dispatch(service.handlers, channel, arg)) as Result<T>;
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-export-service-'));
    caseDir = join(dir, 'case');
    source = join(dir, 'evidence');
    makeSource(source, 400);
    service = createService({ caseDir, libraryDir: join(dir, 'library') });
    await call('createCase', { dir: caseDir, caseNumber: 'OP-EXP', examiner: 'Examiner X', scheme: 'vic-us' });
  });
  afterEach(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function intakeToEnd(jobId: number): Promise<IntakeProgress> {
    for (;;) {
      const p = await call<IntakeProgress>('intakeStatus', { jobId });
      if (p.state !== 'running') return p;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('cancels a running intake, marks the run interrupted, and the same intake started again resumes and completes it', async () => {
    const started = await call<IntakeProgress>('startIntake', { label: 'EX-1', source });
    const cancelled = await call<IntakeProgress>('cancelIntake', { jobId: started.jobId });
    expect(cancelled.state).toBe('interrupted');
    expect(cancelled.message).toMatch(/start the same intake again/);
    // The counts come from the catalogue: every file listed, not all of them read.
    expect(cancelled.filesTotal).toBe(400);
    expect(cancelled.filesDone).toBeLessThan(400);

    const again = await call<IntakeProgress>('startIntake', { label: 'EX-1', source });
    const done = await intakeToEnd(again.jobId);
    expect(done).toMatchObject({ state: 'complete', resumed: true, filesDone: 400 });
    // Cancelling a job that has already finished leaves it as it is.
    expect(await call<IntakeProgress>('cancelIntake', { jobId: again.jobId })).toMatchObject({ state: 'complete' });
    expect(await dispatch(service.handlers, 'cancelIntake', { jobId: 99 })).toEqual({ ok: false, error: 'intake job 99: no such job in this session' });

    await service.close();
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT status FROM intake_run ORDER BY id').all()).toEqual([{ status: 'interrupted' }, { status: 'complete' }]);
      expect((db.prepare("SELECT count(*) AS n FROM file_instance WHERE entry_type = 'file' AND read_state = 'done'").get() as { n: number }).n).toBe(400);
      expect(readAudit(db).map((e) => e.action)).toEqual(expect.arrayContaining(['intake.interrupted', 'intake.end']));
    } finally {
      db.close();
    }
    service = createService({ caseDir, libraryDir: join(dir, 'library') });
  });

  it('contributes the case to the lab library at export only when asked, after the package, in the audit log', async () => {
    await intakeToEnd((await call<IntakeProgress>('startIntake', { label: 'EX-1', source })).jobId);
    await call('categorise', { contentIds: [1, 2], category: '1', via: 'selection' });
    const plain = await call<ExportPackageResult>('exportPackage', { out: join(dir, 'p1'), media: 'none', zip: false });
    expect(plain.contributed).toBeNull();
    let store = await openLabStore(join(dir, 'library'));
    try {
      expect(await store.cases()).toEqual([]);
    } finally {
      await store.close();
    }
    const r = await call<ExportPackageResult>('exportPackage', { out: join(dir, 'p2'), media: 'none', zip: false, contributeToLibrary: true });
    expect(r.contributed).toMatchObject({ items: 2, categorised: 2, library: join(dir, 'library') });
    store = await openLabStore(join(dir, 'library'));
    try {
      expect((await store.cases()).map((c) => [c.caseNumber, c.itemCount, c.contributedBy])).toEqual([['OP-EXP', 2, 'Examiner X']]);
    } finally {
      await store.close();
    }
    await service.close();
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      const actions = readAudit(db).map((e) => e.action).filter((a) => a === 'export.package' || a === 'library.contribute');
      expect(actions).toEqual(['export.package', 'export.package', 'library.contribute']);
    } finally {
      db.close();
    }
    service = createService({ caseDir, libraryDir: join(dir, 'library') });
  });

  it('remembers the contribute-at-export choice in the case, audit-logs each change, and exports by it unless told otherwise', async () => {
    await intakeToEnd((await call<IntakeProgress>('startIntake', { label: 'EX-1', source })).jobId);
    await call('categorise', { contentIds: [1], category: '1', via: 'selection' });
    expect(await call<Settings>('getSettings', {})).toMatchObject({ contributeAtExport: false });
    expect(await call<Settings>('setSettings', { contributeAtExport: true })).toMatchObject({ contributeAtExport: true });
    // Choosing the same again changes nothing and records no change.
    await call('setSettings', { contributeAtExport: true });
    await service.close();
    service = createService({ caseDir, libraryDir: join(dir, 'library') });
    expect(await call<Settings>('getSettings', {})).toMatchObject({ contributeAtExport: true, categoryScheme: 'vic-us' });
    const remembered = await call<ExportPackageResult>('exportPackage', { out: join(dir, 'p1'), media: 'none', zip: false });
    expect(remembered.contributed).toMatchObject({ items: 1, categorised: 1 });
    const declined = await call<ExportPackageResult>('exportPackage', { out: join(dir, 'p2'), media: 'none', zip: false, contributeToLibrary: false });
    expect(declined.contributed).toBeNull();
    await call('setSettings', { contributeAtExport: false });
    const off = await call<ExportPackageResult>('exportPackage', { out: join(dir, 'p3'), media: 'none', zip: false });
    expect(off.contributed).toBeNull();
    await expect(dispatch(service.handlers, 'setSettings', { contributeAtExport: 'yes' })).resolves.toMatchObject({ ok: false });
    await service.close();
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      const log = readAudit(db);
      expect(log.filter((e) => e.action === 'library.contribute-at-export').map((e) => [e.details, e.actor])).toEqual([
        [{ contributeAtExport: true, was: false }, 'Examiner X'],
        [{ contributeAtExport: false, was: true }, 'Examiner X'],
      ]);
      expect(log.map((e) => e.action).filter((a) => a === 'export.package' || a === 'library.contribute'))
        .toEqual(['export.package', 'library.contribute', 'export.package', 'export.package']);
    } finally {
      db.close();
    }
    service = createService({ caseDir, libraryDir: join(dir, 'library') });
  });

  it('exports the open case with encrypted media, verifies it, names an altered file, and never keeps the passphrase', async () => {
    await intakeToEnd((await call<IntakeProgress>('startIntake', { label: 'EX-1', source })).jobId);
    const [a, b] = [1, 2];
    await call('categorise', { contentIds: [a, b], category: '1', via: 'selection' });

    const out = join(dir, 'package');
    const r = await call<ExportPackageResult>('exportPackage', { out, media: 'encrypted', passphrase: PASSPHRASE, zip: true });
    expect(r).toMatchObject({ dir: out, zip: `${out}.zip`, media: 'encrypted', findings: 2 });
    expect(JSON.stringify(r)).not.toContain(PASSPHRASE);
    expect(r.manifestSha256).toBe(createHash('sha256').update(readFileSync(join(out, 'manifest.json'))).digest('hex'));
    expect(readdirSync(out)).toHaveLength(r.files);

    const ok = await call<PackageVerdict>('verifyPackage', { path: out, manifestSha256: r.manifestSha256 });
    expect(ok).toMatchObject({ ok: true, problems: [], manifestSha256: r.manifestSha256, packageHash: r.packageHash, audit: { holds: true } });
    expect(await call<PackageVerdict>('verifyPackage', { path: `${out}.zip` })).toMatchObject({ ok: true });

    const csv = join(out, 'findings.csv');
    const bytes = readFileSync(csv);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0x01;
    writeFileSync(csv, bytes);
    const bad = await call<PackageVerdict>('verifyPackage', { path: out });
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => [p.kind, p.file])).toEqual([['altered', 'findings.csv']]);
    expect(bad.audit.holds).toBe(true);

    // A second export to the same folder is refused, and the refusal names the folder.
    expect(await dispatch(service.handlers, 'exportPackage', { out, media: 'none', zip: false }))
      .toMatchObject({ ok: false, error: expect.stringContaining(out) });

    await service.close();
    const needle = Buffer.from(PASSPHRASE);
    for (const file of [...filesBelow(out), `${out}.zip`, ...filesBelow(caseDir)]) {
      expect(readFileSync(file).includes(needle), file).toBe(false);
    }
    const db = openSqlite(join(caseDir, 'catalogue.sqlite'), { readonly: true });
    try {
      const exports = readAudit(db).filter((e) => e.action === 'export.package');
      expect(exports).toHaveLength(1);
      expect(exports[0]).toMatchObject({ actor: 'Examiner X', details: { manifestSha256: r.manifestSha256, packageHash: r.packageHash } });
    } finally {
      db.close();
    }
    service = createService({ caseDir, libraryDir: join(dir, 'library') });
  });
});
