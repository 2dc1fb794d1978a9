import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCase } from '../../../native/catalog/case.js';

const MAIN = new URL('../../../native/cli/main.ts', import.meta.url).href;

function kestrel(args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const script = `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(${JSON.stringify(args)});`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('kestrel hashset and kestrel match', () => {
  it('import, list, match --json with the contract field names, remove; bad lists fail with the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-cli-'));
    try {
      const c = initCase(join(dir, 'case'), { caseNumber: 'C', examiner: 'E' });
      const md5 = createHash('md5').update('x').digest('hex');
      c.db.transaction(() => {
        c.db.prepare("INSERT INTO exhibit (label, source_path, created_at) VALUES ('E1', '/s', 'now')").run();
        c.db.prepare("INSERT INTO intake_run (exhibit_id, source_path, started_at, status, tool_version) VALUES (1, '/s', 'now', 'complete', 't')").run();
        c.db.prepare("INSERT INTO content (sha256, sha1, md5, size, detected_type) VALUES ('aa', 'bb', ?, 1, 'text/plain')").run(md5);
        c.db.prepare("INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, content_id) VALUES (1, 1, ?, 'dir/x.txt', 'file', 'done', 1)").run(Buffer.from('dir/x.txt'));
      })();
      c.close();
      writeFileSync(join(dir, 'hot.md5'), `${md5.toUpperCase()}  x.txt\n`);
      writeFileSync(join(dir, 'bad.md5'), `${md5}  x.txt\nnot-a-hash  y.txt\n`);
      const lib = ['--library', join(dir, 'lib')];

      const imp = kestrel(['hashset', 'import', join(dir, 'hot.md5'), '--name', 'hot', '--json', ...lib]);
      expect(imp.code).toBe(0);
      expect(JSON.parse(imp.out)).toMatchObject({ name: 'hot', version: 1, format: 'text', recordsImported: 1, hashes: { md5: 1 } });

      const bad = kestrel(['hashset', 'import', join(dir, 'bad.md5'), ...lib]);
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(/bad\.md5: line 2: "not-a-hash" is not an MD5, SHA-1 or SHA-256 in hex/);

      const listed = kestrel(['hashset', 'list', '--json'], { KESTREL_LIBRARY: join(dir, 'lib') });
      expect(listed.out.trim().split('\n').map((l) => JSON.parse(l).name)).toEqual(['hot']);

      const m = kestrel(['match', join(dir, 'case'), '--json', ...lib]);
      expect(m.code).toBe(0);
      const lines = m.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(2);
      expect(Object.keys(lines[0]!)).toEqual(['path', 'sha256', 'list', 'algorithm', 'distance', 'threshold', 'category', 'scheme', 'known']);
      expect(lines[0]).toEqual({ path: 'dir/x.txt', sha256: 'aa', list: 'hot', algorithm: 'md5', distance: 0, threshold: 0, category: null, scheme: null, known: false });
      expect(lines[1]).toMatchObject({ summary: { lists: 1, matches: 1, exactMatches: 1, alertMatches: 1 } });

      const rm = kestrel(['hashset', 'remove', 'hot', ...lib]);
      expect(rm.out).toContain('removed hot version 1');
      expect(kestrel(['hashset', 'list', ...lib]).out).toContain('no hash lists');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
