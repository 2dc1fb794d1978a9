import { createHash } from 'node:crypto';
import { initCase } from '../../native/catalog/case.js';

/**
 * A case of `items` catalogued contents written straight into a real catalogue (one exhibit, one
 * instance each, no thumbnails): enough rows for the review grid to page and scroll, built in
 * milliseconds instead of an intake. Content i has id i and the SHA-256 of the text `item i`.
 */
export function buildSyntheticCase(dir: string, items: number, examiner = 'Examiner A'): void {
  const c = initCase(dir, { caseNumber: 'OP-E2E-DECISIONS', examiner });
  const db = c.db;
  const digest = (algo: string, i: number) => createHash(algo).update(`item ${i}`).digest('hex');
  try {
    db.transaction(() => {
      db.prepare("INSERT INTO exhibit (id, label, source_path, created_at) VALUES (1, 'EX-1', '/evidence/1', '2026-01-01T00:00:00Z')").run();
      db.prepare("INSERT INTO intake_run (id, exhibit_id, source_path, started_at, status, tool_version) VALUES (1, 1, '/evidence/1', '2026-01-01T00:00:00Z', 'complete', 'test')").run();
      const content = db.prepare('INSERT INTO content (id, sha256, sha1, md5, size, detected_type) VALUES (?, ?, ?, ?, ?, ?)');
      const inst = db.prepare(`INSERT INTO file_instance (exhibit_id, intake_run_id, path, path_text, entry_type, read_state, content_id, size, mtime)
        VALUES (1, 1, ?, ?, 'file', 'done', ?, ?, '2025-06-01T12:00:00.000000000Z')`);
      for (let i = 1; i <= items; i++) {
        const path = `/DCIM/IMG_${String(i).padStart(5, '0')}.bin`;
        content.run(i, digest('sha256', i), digest('sha1', i), digest('md5', i), 1000 + i, 'application/octet-stream');
        inst.run(Buffer.from(path), path, i, 1000 + i);
      }
    })();
  } finally {
    c.close();
  }
}
