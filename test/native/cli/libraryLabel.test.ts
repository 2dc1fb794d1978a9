import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE, jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { openCase } from '../../../native/catalog/case.js';

describe('kestrel library label', () => {
  it('names a series on items by SHA-256, audit-logged, takes it back, and refuses unknown items', () => {
    const src = tempDir('label-src');
    mkdirSync(src, { recursive: true });
    const pic = join(REFERENCE, 'pdq', 'bridge-mods', 'aaa-orig.jpg');
    copyFileSync(pic, join(src, 'a.jpg'));
    const sha = createHash('sha256').update(readFileSync(pic)).digest('hex');
    const caseDir = join(tempDir('label-case'), 'case');
    expect(kestrel(['init', caseDir, '--case-number', '2026-0101', '--examiner', 'P. de Vries']).status).toBe(0);
    expect(kestrel(['intake', caseDir, src, '--exhibit', 'EX-01']).status).toBe(0);

    let r = kestrel(['library', 'label', caseDir, '--series', 'Harbour', '--sha256', sha.toUpperCase(), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ kind: 'series', label: 'Harbour', items: 1, changed: 1, removed: false }]);
    const c = openCase(caseDir);
    try {
      expect(c.db.prepare('SELECT kind, label, examiner FROM item_label').raw().all()).toEqual([['series', 'Harbour', 'P. de Vries']]);
      expect(c.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'label.add'").pluck().get()).toBe(1);
    } finally {
      c.close();
    }
    r = kestrel(['library', 'label', caseDir, '--series', 'Harbour', '--sha256', sha, '--remove']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('removed series Harbour from 1 of 1 item(s)\n');
    r = kestrel(['library', 'label', caseDir, '--victim', 'V-1', '--sha256', '0'.repeat(64)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`no item with SHA-256 ${'0'.repeat(64)}`);
    r = kestrel(['library', 'label', caseDir, '--series', 'A', '--victim', 'B', '--sha256', sha]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('give one of --series NAME or --victim NAME');
  });
});
