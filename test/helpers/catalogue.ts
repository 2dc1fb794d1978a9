import { join } from 'node:path';
import { openSqlite } from '../../native/catalog/sqlite.js';
import { CATALOGUE_FILE } from '../../native/catalog/case.js';

export interface InstanceRow {
  path: Buffer; path_text: string; entry_type: string; size: number | null; mtime: string | null; ctime: string | null;
  atime: string | null; birthtime: string | null; mode: number | null; link_target_text: string | null;
  read_state: string; type_mismatch: number; error_code: string | null; sha256: string | null; sha1: string | null;
  md5: string | null; detected_type: string | null;
}

/** Everything an examiner sees of an exhibit's catalogue, without row ids or run numbers, in path order. */
export function catalogueOf(caseDir: string, exhibit: string): InstanceRow[] {
  const db = openSqlite(join(caseDir, CATALOGUE_FILE), { readonly: true, mustExist: true });
  try {
    return db.prepare(`
      SELECT f.path, f.path_text, f.entry_type, f.size, f.mtime, f.ctime, f.atime, f.birthtime, f.mode,
        f.link_target_text, f.read_state, f.type_mismatch, f.error_code, c.sha256, c.sha1, c.md5, c.detected_type
      FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id LEFT JOIN content c ON c.id = f.content_id
      WHERE e.label = ? ORDER BY f.path`).all(exhibit) as InstanceRow[];
  } finally {
    db.close();
  }
}

export function queryCase<T>(caseDir: string, sql: string, ...params: unknown[]): T[] {
  const db = openSqlite(join(caseDir, CATALOGUE_FILE), { readonly: true, mustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
