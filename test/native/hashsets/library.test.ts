import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../../native/catalog/sqlite.js';
import { migrate, schemaVersion } from '../../../native/catalog/migrate.js';
import { libraryMigrations } from '../../../native/hashsets/migrations/index.js';
import { openLibrary, listHashLists, LIBRARY_FILE } from '../../../native/hashsets/library.js';
import { importHashList } from '../../../native/hashsets/importer.js';

describe('hash library schema', () => {
  it('migration 1 creates the library tables in a real file, and a newer library is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-libm-'));
    try {
      const db = openSqlite(join(dir, LIBRARY_FILE));
      expect(migrate(db, libraryMigrations, 'hash library', 'lib', 1)).toBe(1);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['entry', 'hash_block', 'hash_list']));
      const future = libraryMigrations.length + 1;
      db.prepare("INSERT INTO schema_migration VALUES (?, 'from the future', 'x')").run(future);
      db.close();
      expect(() => openLibrary(dir)).toThrow(new RegExp(`schema version ${future}, newer than this Kestrel understands`));
      const again = openSqlite(join(dir, LIBRARY_FILE));
      expect(schemaVersion(again)).toBe(future);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an interrupted import', () => {
  it('leaves the library as it was when the process is killed mid-import', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-kill-'));
    try {
      const small = join(dir, 'small.md5');
      writeFileSync(small, '0cc175b9c0f1b6a831c399e269772661  a.txt\n');
      const lib = openLibrary(join(dir, 'lib'));
      importHashList(lib, small, { name: 'kept' });
      lib.close();

      const big = join(dir, 'big.md5');
      const out = createWriteStream(big);
      for (let i = 0; i < 40; i++) {
        const lines: string[] = [];
        const bytes = randomBytes(16 * 50_000);
        for (let k = 0; k < 50_000; k++) lines.push(`${bytes.subarray(k * 16, k * 16 + 16).toString('hex')}  f${k}`);
        out.write(`${lines.join('\n')}\n`);
      }
      await new Promise<void>((r) => out.end(r));

      const script = `
        import { openLibrary } from ${JSON.stringify(new URL('../../../native/hashsets/library.ts', import.meta.url).href)};
        import { importHashList } from ${JSON.stringify(new URL('../../../native/hashsets/importer.ts', import.meta.url).href)};
        const lib = openLibrary(${JSON.stringify(join(dir, 'lib'))});
        process.stdout.write('start\\n');
        importHashList(lib, ${JSON.stringify(big)}, { name: 'big' });
        process.stdout.write('done\\n');`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          output += d.toString();
          // Give it time to write part of the list, then kill it without warning.
          if (output.includes('start')) setTimeout(() => child.kill('SIGKILL'), 1500);
        });
        child.on('exit', () => resolve());
      });
      expect(output).not.toContain('done');

      const after = openLibrary(join(dir, 'lib'));
      try {
        expect(listHashLists(after).map((l) => l.name)).toEqual(['kept']);
        expect(after.db.prepare('SELECT count(*) AS n FROM entry').get()).toEqual({ n: 1 });
        expect(after.db.prepare('SELECT count(*) AS n FROM hash_block').get()).toEqual({ n: 1 });
      } finally {
        after.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
