import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openSqlite } from '../../../native/catalog/sqlite.js';
import { CATALOGUE_FILE } from '../../../native/catalog/case.js';
import { kestrel, tempDir } from '../../helpers/cli.js';
import { entryHash } from '../../../native/audit/log.js';
import { canonicalJson } from '../../../native/util/canonicalJson.js';
import { makeSource } from '../../helpers/sources.js';

/** A case with a dozen audit entries (init, exhibits, intakes) made through the real CLI. */
function auditedCase(): string {
  const c = join(tempDir('audit'), 'case');
  expect(kestrel(['init', c, '--case-number', 'A-1', '--examiner', 'Auditor']).status).toBe(0);
  for (const ex of ['E1', 'E2', 'E3']) {
    const src = tempDir(`src-${ex}`);
    makeSource(src, { files: 3, folders: 1, maxSize: 100 });
    expect(kestrel(['intake', c, src, '--exhibit', ex]).status).toBe(0);
  }
  return c;
}

/** What someone with the database file in hand could do: the append-only triggers are no obstacle. */
function tamper(c: string, sql: string, ...params: unknown[]): void {
  const db = openSqlite(join(c, CATALOGUE_FILE));
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  db.prepare(sql).run(...params);
  db.close();
}

describe('kestrel audit verify', () => {
  it('reports OK for an untouched log', () => {
    const c = auditedCase();
    const r = kestrel(['audit', 'verify', c, '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, entries: 10 });
  });

  it('refuses updates and deletes through SQL while the triggers stand', () => {
    const c = auditedCase();
    const db = openSqlite(join(c, CATALOGUE_FILE));
    expect(() => db.prepare("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
    db.close();
  });

  it('names an altered entry', () => {
    const c = auditedCase();
    tamper(c, `UPDATE audit_log SET details = replace(details, '"E2"', '"E9"') WHERE seq = 5`);
    const r = kestrel(['audit', 'verify', c]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: entry 5 \(exhibit\.add\) altered/);
  });

  it('names a removed entry, with or without the later entries renumbered', () => {
    const gap = auditedCase();
    tamper(gap, 'DELETE FROM audit_log WHERE seq = 4');
    expect(kestrel(['audit', 'verify', gap]).stdout).toMatch(/^FAILED: entry 4 removed/);

    const renumbered = auditedCase();
    tamper(renumbered, 'DELETE FROM audit_log WHERE seq = 4');
    tamper(renumbered, 'UPDATE audit_log SET seq = seq - 1 WHERE seq > 4');
    const r = kestrel(['audit', 'verify', renumbered]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: 1 entry removed before entry 4/);
  });

  it('names an entry inserted with a valid hash, whose followers were renumbered', () => {
    const c = auditedCase();
    const db = openSqlite(join(c, CATALOGUE_FILE));
    const sixth = db.prepare('SELECT * FROM audit_log WHERE seq = 6').get() as { at: string; hash: string };
    db.close();
    const forged = { seq: 7, at: sixth.at, actor: 'Auditor', action: 'category.set', details: { category: '0' }, prevHash: sixth.hash };
    tamper(c, 'UPDATE audit_log SET seq = seq + 100 WHERE seq > 6');
    tamper(c, 'UPDATE audit_log SET seq = seq - 99 WHERE seq > 100');
    tamper(c, 'INSERT INTO audit_log (seq, at, actor, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
      forged.seq, forged.at, forged.actor, forged.action, canonicalJson(forged.details), forged.prevHash, entryHash(forged));
    const r = kestrel(['audit', 'verify', c]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: 1 entry inserted before entry 8/);
  });
});
