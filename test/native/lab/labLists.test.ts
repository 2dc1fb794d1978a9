import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { initCase } from '../../../native/catalog/case.js';
import { runIntake } from '../../../native/intake/intake.js';
import { drawScene, editPicture } from '../../../native/image/sampleImages.js';
import { jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { startPostgres, type PgServer } from '../../helpers/postgres.js';

/**
 * Hash lists in lab mode: the same commands (hashset import, list, export, remove; match) against a
 * library folder and a real PostgreSQL server, on a real intake, with the same results. On
 * PostgreSQL a second workstation (another per-user folder) matches against lists it never imported.
 */
let work: string;
let server: PgServer;
let caseTemplate: string;
let md5OfA: string;
let pdqOfB: string;
const results: Record<string, unknown> = {};

beforeAll(async () => {
  work = tempDir('lablists');
  server = await startPostgres();
  const src = join(work, 'src');
  mkdirSync(src);
  const a = await drawScene({ seed: 5, title: 'quay' }, 640, 480);
  const b = await drawScene({ seed: 9, title: 'dunes' }, 640, 480);
  writeFileSync(join(src, 'a.jpg'), a);
  writeFileSync(join(src, 'b-small.jpg'), await editPicture(b, 'resized'));
  writeFileSync(join(src, 'c.jpg'), await drawScene({ seed: 23, title: 'forest' }, 640, 480));
  const c = initCase(join(work, 'case'), { caseNumber: 'L-1', examiner: 'E' });
  await runIntake(c, src, { exhibit: 'EX-01', examiner: 'E', workers: 1 });
  const row = (name: string) => c.db.prepare(`SELECT c.md5, i.pdq FROM file_instance f JOIN content c ON c.id = f.content_id
    LEFT JOIN image_data i ON i.content_id = c.id WHERE f.path_text = ?`).get(name) as { md5: string; pdq: string };
  md5OfA = row('a.jpg').md5;
  c.close();
  caseTemplate = join(work, 'case');
  // B's listed PDQ: the original's (the case holds a resized copy), so the match is perceptual.
  const orig = join(work, 'orig');
  mkdirSync(orig);
  writeFileSync(join(orig, 'b.jpg'), b);
  const oc = initCase(join(work, 'origcase'), { caseNumber: 'O', examiner: 'E' });
  await runIntake(oc, orig, { exhibit: 'EX-01', examiner: 'E', workers: 1 });
  pdqOfB = (oc.db.prepare('SELECT pdq FROM image_data').get() as { pdq: string }).pdq;
  oc.close();

  // Enough lines that COPY streams many chunks; the one known MD5 sits in the middle.
  const lines: string[] = [];
  for (let i = 0; i < 60_000; i++) lines.push(`${createHash('md5').update(`filler ${i}`).digest('hex')}  filler\t${i}\\x.bin`);
  lines.splice(30_000, 0, `${md5OfA.toUpperCase()}  quay.jpg`);
  writeFileSync(join(work, 'hot.md5'), `${lines.join('\n')}\n`);
  writeFileSync(join(work, 'near.pdq'), `${pdqOfB},100,dunes original\n`);
  writeFileSync(join(work, 'bad.md5'), `${md5OfA}  quay.jpg\nnot-a-hash  y.txt\n`);
}, 240_000);

afterAll(() => {
  server?.stop();
  rmSync(work, { recursive: true, force: true });
});

const engines: { name: string; spec: () => Promise<string> }[] = [
  { name: 'sqlite', spec: () => Promise.resolve(join(work, 'lib')) },
  { name: 'postgres', spec: () => server.newDatabase('lists') },
];

/** A match line without what differs by engine (nothing should). */
const matchView = (out: string) => jsonLines(out).filter((l) => l['kind'] === 'list')
  .map((l) => ({ path: l['path'], list: l['list'], algorithm: l['algorithm'], distance: l['distance'] }))
  .sort((x, y) => String(x.path).localeCompare(String(y.path)));

describe.each(engines)('hash lists on $name', ({ name, spec }) => {
  it('import (streamed, one transaction, same errors), list, match, export and remove', async () => {
    const lib = await spec();
    const home = join(work, `home-${name}`);
    const env = { XDG_DATA_HOME: home, KESTREL_LIBRARY: '' };
    // Each engine matches its own copy of the case: a case keeps every match it was ever given.
    const caseDir = join(work, `case-${name}`);
    cpSync(caseTemplate, caseDir, { recursive: true });
    const run = (args: string[], extraEnv: Record<string, string> = {}) => kestrel([...args, '--library', lib], { env: { ...env, ...extraEnv } });

    const imp = run(['hashset', 'import', join(work, 'hot.md5'), '--name', 'hot', '--json']);
    expect(imp.stderr).toBe('');
    const hot = JSON.parse(imp.stdout) as Record<string, unknown>;
    expect(hot).toMatchObject({ name: 'hot', version: 1, format: 'text', recordsRead: 60_001, recordsImported: 60_001, recordsRejected: 0, hashes: { md5: 60_001 } });
    expect(hot['fileSha256']).toBe(createHash('sha256').update(readFileSync(join(work, 'hot.md5'))).digest('hex'));

    const bad = run(['hashset', 'import', join(work, 'bad.md5'), '--name', 'hot']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`${join(work, 'bad.md5')}: line 2: "not-a-hash" is not an MD5, SHA-1 or SHA-256 in hex; nothing was imported`);
    const again = run(['hashset', 'import', join(work, 'hot.md5')]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already imported as hot version 1 .*use --again/);

    const skipped = run(['hashset', 'import', join(work, 'bad.md5'), '--name', 'hot', '--skip-invalid', '--json']);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ name: 'hot', version: 2, recordsImported: 1, recordsRejected: 1 });
    const report = (JSON.parse(skipped.stdout) as { rejectReport: string }).rejectReport;
    expect(readFileSync(report, 'utf8')).toContain('line 2\t"not-a-hash" is not an MD5');
    expect(run(['hashset', 'import', join(work, 'near.pdq'), '--name', 'near', '--format', 'pdq']).status).toBe(0);

    const listed = jsonLines(run(['hashset', 'list', '--json']).stdout);
    expect(listed.map((l) => `${l['name']} v${l['version']} ${JSON.stringify(l['hashes'])}`))
      .toEqual(['hot v1 {"md5":60001}', 'hot v2 {"md5":1}', 'near v1 {"pdq":1}']);

    const m = run(['match', caseDir, '--json', '--examiner', 'E']);
    expect(m.stderr).toBe('');
    const view = matchView(m.stdout);
    expect(view).toEqual([
      { path: 'a.jpg', list: 'hot', algorithm: 'md5', distance: 0 },
      { path: 'a.jpg', list: 'hot', algorithm: 'md5', distance: 0 },
      { path: 'b-small.jpg', list: 'near', algorithm: 'pdq', distance: expect.any(Number) },
    ]);
    expect(view[2]!.distance).toBeLessThanOrEqual(31);
    results[name] = view;

    const out = join(work, `hot-${name}.md5`);
    const exp = run(['hashset', 'export', out, '--list', 'hot', '--list-version', '1', '--format', 'md5sum', '--json']);
    expect(exp.stderr).toBe('');
    const exported = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    expect(exported).toHaveLength(60_001);
    expect(exported).toContain(`${md5OfA}  quay.jpg`);
    // A label with a tab and a backslash crossed COPY both ways intact.
    expect(exported).toContain(`\\${createHash('md5').update('filler 7').digest('hex')}  filler\t7\\\\x.bin`);
    const audit = jsonLines(run(['library', 'audit', 'show']).stdout);
    expect(audit.filter((e) => e['action'] === 'hashset.export')).toEqual([expect.objectContaining({
      details: expect.objectContaining({ sha256: (JSON.parse(exp.stdout) as { sha256: string }).sha256, source: expect.objectContaining({ list: 'hot', version: 1 }) }),
    })]);

    if (name === 'postgres') {
      // The password never shows; a second workstation matches against lists it never imported.
      expect(imp.stdout + m.stdout + exp.stdout + JSON.stringify(audit)).not.toContain(server.password);
      const mirrors = readdirSync(join(home, 'kestrel', 'library', 'lab-lists'));
      expect(mirrors).toHaveLength(1);
      const other = kestrel(['match', caseDir, '--json', '--library', lib], { env: { XDG_DATA_HOME: join(work, 'home-other'), KESTREL_LIBRARY: '' } });
      expect(matchView(other.stdout)).toEqual(view);
      // The server holds what the folder library would: entries, packed blocks, versions.
      const c = new pg.Client({ connectionString: lib });
      await c.connect();
      const n = await c.query<{ entries: string; blocks: string }>('SELECT (SELECT count(*) FROM entry) AS entries, (SELECT count(*) FROM hash_block) AS blocks');
      await c.end();
      expect(n.rows[0]).toEqual({ entries: '60003', blocks: '3' });
    }

    const rm = run(['hashset', 'remove', 'hot', '--json']);
    expect(jsonLines(rm.stdout).map((l) => l['version'])).toEqual([1, 2]);
    expect(jsonLines(run(['hashset', 'list', '--json']).stdout).map((l) => l['name'])).toEqual(['near']);
    if (name === 'postgres') {
      // The mirror follows the server: the removed versions are gone from it at the next match.
      run(['match', caseDir]);
      const mirror = join(home, 'kestrel', 'library', 'lab-lists');
      const file = join(mirror, readdirSync(mirror)[0]!, 'library.sqlite');
      expect(existsSync(file)).toBe(true);
      const { openSqlite } = await import('../../../native/catalog/sqlite.js');
      const db = openSqlite(file, { readonly: true, mustExist: true });
      expect(db.prepare('SELECT name FROM hash_list').all()).toEqual([{ name: 'near' }]);
      expect(db.prepare('SELECT count(*) AS n FROM entry').get()).toEqual({ n: 1 });
      db.close();
    }

    // The same bytes imported again on purpose: a further version, recorded with the import it repeats.
    const near = jsonLines(run(['hashset', 'list', '--json']).stdout)[0]!;
    const repeat = run(['hashset', 'import', join(work, 'near.pdq'), '--name', 'near', '--format', 'pdq', '--again']);
    expect(repeat.stderr).toBe('');
    expect(repeat.stdout).toMatch(/^same bytes as near version 1 imported on .*: imported again as asked \(--again\), recorded in the library audit log\nimported near version 2 /);
    expect(jsonLines(run(['library', 'audit', 'show']).stdout).filter((e) => e['action'] === 'hashset.import.again')).toEqual([expect.objectContaining({
      details: expect.objectContaining({ list: expect.objectContaining({ name: 'near', version: 2 }), earlier: expect.objectContaining({ name: 'near', version: 1, uid: near['uid'] }) }),
    })]);
    expect(run(['library', 'audit', 'verify']).stdout).toMatch(/^OK: /);
  }, 240_000);
});

describe('both engines', () => {
  it('gave the same matches', () => {
    expect(results['postgres']).toEqual(results['sqlite']);
    expect(results['sqlite']).toBeDefined();
  });
});
