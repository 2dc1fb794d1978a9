import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { initCase } from '../../../native/catalog/case.js';
import { runIntake } from '../../../native/intake/intake.js';
import { drawScene, editPicture } from '../../../native/image/sampleImages.js';
import { categorise } from '../../../native/review/decisions.js';
import { openLabStore } from '../../../native/lab/open.js';
import { openLibrary } from '../../../native/hashsets/library.js';
import { redactConnection } from '../../../native/lab/postgres/connection.js';
import type { Contribution, LabStore } from '../../../native/lab/store.js';
import { jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { startPostgres, type PgServer } from '../../helpers/postgres.js';

let work: string;
let server: PgServer;
beforeAll(async () => {
  work = tempDir('labpg');
  server = await startPostgres();
}, 120_000);
afterAll(() => {
  server?.stop();
  rmSync(work, { recursive: true, force: true });
});

const hex = (s: string, alg = 'sha256') => createHash(alg).update(s).digest('hex');

function syntheticCase(number: string, n: number): Contribution {
  return {
    caseUuid: `uuid-${number}`, caseNumber: number, caseExaminer: 'E', shareFileNames: false, toolVersion: 't',
    items: Array.from({ length: n }, (_, i) => ({
      sha256: hex(`${number}/${i}`), sha1: hex(`${number}/${i}`, 'sha1'), md5: hex(`${number}/${i}`, 'md5'), size: i, mediaType: 'image/jpeg',
      exhibits: ['EX\t1'], pdq: hex(`pdq ${number}/${i}`), pdqQuality: 90, pdqDihedral: null, blockhash: null, videoHashes: null,
      category: '1', scheme: 'vic-us' as const, decidedBy: 'E\\back\nslash', decidedAt: 'now', listHits: [], series: ['S'], victims: [], tags: ['t'],
      fileNames: null,
    })),
  };
}

describe('the lab library on PostgreSQL', () => {
  it('has the same tables and columns as on SQLite, at the same migration version', async () => {
    const url = await server.newDatabase('parity');
    const store = await openLabStore(url);
    await store.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const pgCols = (await c.query<{ t: string; c: string }>(`SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`)).rows.map((r) => `${r.t}.${r.c}`);
    const pgVersions = (await c.query('SELECT version, name FROM schema_migration ORDER BY version')).rows;
    await c.end();
    const lib = openLibrary(join(work, 'parity-lib'));
    const tables = (lib.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    const sqliteCols = tables.flatMap((t) => (lib.db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(t) as { name: string }[]).map((col) => `${t}.${col.name}`));
    const sqliteVersions = lib.db.prepare('SELECT version, name FROM schema_migration ORDER BY version').all();
    lib.close();
    expect(pgCols).toEqual(sqliteCols);
    expect(pgVersions).toEqual(sqliteVersions);
    expect(pgCols).toContain('lab_item.pdq_dihedral');
  });

  it('two examiners contributing at once lose nothing, and a reader never sees half a contribution', async () => {
    const url = await server.newDatabase('concurrent');
    // both workstations open (and migrate) a new library at the same moment
    const [a, b, reader] = await Promise.all([openLabStore(url), openLabStore(url), openLabStore(url)]);
    try {
      const ca = syntheticCase('A-1', 20000);
      const cb = syntheticCase('B-1', 20000);
      const probe = [Buffer.from(ca.items[0]!.sha256, 'hex'), Buffer.from(ca.items[19999]!.sha256, 'hex'),
        Buffer.from(cb.items[0]!.sha256, 'hex'), Buffer.from(cb.items[19999]!.sha256, 'hex')];
      const seen: number[] = [];
      let done = false;
      const watch = (async () => {
        while (!done) {
          const found = await reader.itemsBySha256(probe);
          const perCase = (n: string) => found.filter((f) => f.caseNumber === n).length;
          seen.push(perCase('A-1'), perCase('B-1'));
        }
      })();
      const [ra, rb] = await Promise.all([a.contribute(ca, 'Ann'), b.contribute(cb, 'Bob')]);
      done = true;
      await watch;
      expect(seen.every((n) => n === 0 || n === 2)).toBe(true);
      expect([ra.libraryVersion, rb.libraryVersion].sort()).toEqual([1, 2]);
      expect((await reader.cases()).map((c) => [c.caseNumber, c.itemCount])).toEqual([['A-1', 20000], ['B-1', 20000]]);
      const set = await reader.pdqSet(50);
      expect(set.itemIds.length).toBe(40000);
      expect(new Set(set.itemIds).size).toBe(40000);
      const audit = await reader.audit();
      expect(audit.map((e) => e.seq)).toEqual([1, 2]);
      expect(audit[1]!.prevHash).toBe(audit[0]!.hash);
      // text with tabs, newlines and backslashes goes through COPY unchanged
      const one = (await reader.itemsBySha256([Buffer.from(ca.items[5]!.sha256, 'hex')]))[0]!;
      expect(one).toMatchObject({ exhibits: ['EX\t1'], decidedBy: 'E\\back\nslash', series: ['S'] });
    } finally {
      await Promise.all([a.close(), b.close(), reader.close()]);
    }
  });

  it('a failed contribution leaves the library as it was', async () => {
    const url = await server.newDatabase('atomic');
    const store: LabStore = await openLabStore(url);
    try {
      await store.contribute(syntheticCase('C-1', 10), 'Ann');
      const bad = syntheticCase('C-1', 10);
      bad.items[7]!.scheme = 'nonsense' as 'vic-us';
      await expect(store.contribute(bad, 'Ann')).rejects.toThrow(/cannot contribute case C-1/);
      expect(await store.version()).toBe(1);
      expect((await store.cases())[0]!.itemCount).toBe(10);
      expect((await store.itemsBySha256([Buffer.from(hex('C-1/3'), 'hex')]))).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('the CLI runs the same commands against postgres://, and the password never reaches output or an audit log', async () => {
    const url = await server.newDatabase('cli');
    const env = { XDG_DATA_HOME: join(work, 'xdg') };
    const src = join(work, 'cli-src');
    mkdirSync(src, { recursive: true });
    const pic = await drawScene({ seed: 5, title: 'field' }, 640, 480);
    writeFileSync(join(src, 'a.jpg'), pic);
    const src3 = join(work, 'cli-src3');
    mkdirSync(src3, { recursive: true });
    writeFileSync(join(src3, 'small.jpg'), await editPicture(pic, 'resized'));
    const one = initCase(join(work, 'cli-1'), { caseNumber: 'CLI-1', examiner: 'Ann' });
    await runIntake(one, src, { exhibit: 'EX-7', workers: 1 });
    categorise(one.db, [1], '1', 'Ann', 'test');
    one.close();
    expect(kestrel(['init', join(work, 'cli-3'), '--case-number', 'CLI-3', '--examiner', 'Bob']).status).toBe(0);
    expect(kestrel(['intake', join(work, 'cli-3'), src3, '--exhibit', 'EX-1']).status).toBe(0);

    const outputs: string[] = [];
    const run = (args: string[], extraEnv: Record<string, string> = {}) => {
      const r = kestrel(args, { env: { ...env, ...extraEnv } });
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    const contributed = run(['library', 'contribute', join(work, 'cli-1'), '--library', url, '--json']);
    expect(contributed.stderr).toBe('');
    expect(JSON.parse(contributed.stdout)).toMatchObject({ engine: 'postgres', caseNumber: 'CLI-1', items: 1, library: redactConnection(url) });
    // the environment variable names the library as well as the flag
    const matched = run(['match', join(work, 'cli-3'), '--json'], { KESTREL_LIBRARY: url });
    expect(matched.status).toBe(0);
    const lines = jsonLines(matched.stdout);
    expect(lines[0]).toMatchObject({ kind: 'case', path: 'small.jpg', case: 'CLI-1', exhibit: 'EX-7', category: '1', scheme: 'vic-us', algorithm: 'pdq', examiner: 'Ann' });
    expect(lines.at(-1)).toMatchObject({ summary: { cases: { engine: 'postgres', caseMatches: 1 } } });
    run(['library', 'contribute', join(work, 'cli-3'), '--library', url]);
    const links = JSON.parse(run(['library', 'links', '--json', '--library', url]).stdout) as { links: unknown[] };
    expect(links.links).toEqual([expect.objectContaining({ a: 'CLI-1', b: 'CLI-3', exact: 0, nearDuplicate: 1 })]);
    const w = run(['library', 'withdraw', 'CLI-1', '--reason', 'entered in error', '--examiner', 'Lab manager', '--library', url]);
    expect(w.stdout).toMatch(/withdrew case CLI-1: 1 item/);
    const again = jsonLines(run(['match', join(work, 'cli-3'), '--json', '--library', url]).stdout);
    expect(again).toHaveLength(1);
    expect(run(['library', 'audit', 'verify', '--library', url]).stdout).toMatch(/^OK: 3 entries/);
    run(['library', 'audit', 'show', '--library', url]);
    run(['audit', 'show', join(work, 'cli-1')]);
    run(['audit', 'show', join(work, 'cli-3')]);
    const badPassword = run(['library', 'cases', '--library', url.replace(encodeURIComponent(server.password), 'wrong-Secret-123')]);
    expect(badPassword.status).toBe(1);
    expect(badPassword.stderr).toMatch(/cannot connect to the lab library: password authentication failed/);
    expect(badPassword.stderr).not.toContain('wrong-Secret-123');
    expect(outputs.join('\n')).toContain('127.0.0.1');
    expect(outputs.join('\n')).not.toContain(server.password);
  });
});
