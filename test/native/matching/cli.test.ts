import { describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { initCase } from '../../../native/catalog/case.js';
import { jsonLines, kestrel, tempDir } from '../../helpers/cli.js';

describe('kestrel hashset and kestrel match', () => {
  it('import, list, match --json with the contract field names, remove; bad lists fail with the line', () => {
    const dir = tempDir('cli');
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
      expect(imp.status).toBe(0);
      expect(JSON.parse(imp.stdout)).toMatchObject({ name: 'hot', version: 1, format: 'text', recordsImported: 1, hashes: { md5: 1 } });

      const bad = kestrel(['hashset', 'import', join(dir, 'bad.md5'), ...lib]);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/bad\.md5: line 2: "not-a-hash" is not an MD5, SHA-1 or SHA-256 in hex/);

      const listed = kestrel(['hashset', 'list', '--json'], { env: { KESTREL_LIBRARY: join(dir, 'lib') } });
      expect(jsonLines(listed.stdout).map((l) => l['name'])).toEqual(['hot']);

      const m = kestrel(['match', join(dir, 'case'), '--json', ...lib]);
      expect(m.status).toBe(0);
      const lines = jsonLines(m.stdout);
      expect(lines).toHaveLength(2);
      expect(Object.keys(lines[0]!)).toEqual(['kind', 'path', 'sha256', 'list', 'algorithm', 'distance', 'threshold', 'category', 'scheme', 'known', 'via']);
      expect(lines[0]).toEqual({ kind: 'list', path: 'dir/x.txt', sha256: 'aa', list: 'hot', algorithm: 'md5', distance: 0, threshold: 0, category: null, scheme: null, known: false, via: null });
      expect(lines[1]).toMatchObject({ summary: { lists: 1, matches: 1, exactMatches: 1, alertMatches: 1, cases: { engine: 'sqlite', caseMatches: 0 } } });

      const rm = kestrel(['hashset', 'remove', 'hot', ...lib]);
      expect(rm.stdout).toContain('removed hot version 1');
      expect(kestrel(['hashset', 'list', ...lib]).stdout).toContain('no hash lists');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
