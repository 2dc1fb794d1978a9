import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openSqlite, type Db } from './sqlite.js';
import { migrate } from './migrate.js';
import { caseMigrations } from './migrations/index.js';
import { appendAudit } from '../audit/log.js';
import { KestrelError, describeError } from '../util/result.js';
import { TOOL_VERSION } from '../util/version.js';

export const CATALOGUE_FILE = 'catalogue.sqlite';
/** Derived files (thumbnails, reports) live here, never beside the evidence. */
export const DERIVED_DIR = 'derived';

export interface CaseInfo {
  caseUuid: string;
  caseNumber: string;
  examiner: string;
  description: string | null;
  createdAt: string;
  toolVersion: string;
}

export interface OpenCase {
  dir: string;
  db: Db;
  info: CaseInfo;
  derivedDir: string;
  close(): void;
}

export interface InitOptions {
  caseNumber: string;
  examiner: string;
  description?: string;
}

export function initCase(dir: string, opts: InitOptions): OpenCase {
  const caseDir = resolve(dir);
  if (!opts.caseNumber.trim()) throw new KestrelError(`${caseDir}: a case number is required`);
  if (!opts.examiner.trim()) throw new KestrelError(`${caseDir}: an examiner name is required`);
  if (existsSync(join(caseDir, CATALOGUE_FILE))) {
    throw new KestrelError(`${caseDir}: a case already exists here`, 'E_CASE_EXISTS');
  }
  if (existsSync(caseDir)) {
    if (!statSync(caseDir).isDirectory()) throw new KestrelError(`${caseDir}: exists and is not a folder`);
    if (readdirSync(caseDir).length > 0) {
      throw new KestrelError(`${caseDir}: folder is not empty; a case needs a folder of its own`, 'E_CASE_DIR_NOT_EMPTY');
    }
  }
  try {
    mkdirSync(join(caseDir, DERIVED_DIR), { recursive: true });
  } catch (err) {
    throw new KestrelError(`${caseDir}: cannot create the case folder: ${describeError(err)}`);
  }
  const db = openSqlite(join(caseDir, CATALOGUE_FILE));
  try {
    migrate(db, caseMigrations, 'case catalogue', join(caseDir, CATALOGUE_FILE));
    const info: CaseInfo = {
      caseUuid: randomUUID(),
      caseNumber: opts.caseNumber,
      examiner: opts.examiner,
      description: opts.description ?? null,
      createdAt: new Date().toISOString(),
      toolVersion: TOOL_VERSION,
    };
    db.transaction(() => {
      db.prepare(
        `INSERT INTO case_info (id, case_uuid, case_number, examiner, description, created_at, tool_version)
         VALUES (1, ?, ?, ?, ?, ?, ?)`,
      ).run(info.caseUuid, info.caseNumber, info.examiner, info.description, info.createdAt, info.toolVersion);
      appendAudit(db, 'case.init', { ...info }, opts.examiner);
    })();
    return wrap(caseDir, db, info);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Opens an existing case, migrating it to this build's schema (and recording that in the audit log). */
export function openCase(dir: string, options: { readonly?: boolean } = {}): OpenCase {
  const caseDir = resolve(dir);
  const file = join(caseDir, CATALOGUE_FILE);
  if (!existsSync(caseDir)) throw new KestrelError(`${caseDir}: no such folder`, 'E_NO_CASE');
  if (!existsSync(file)) throw new KestrelError(`${caseDir}: not a Kestrel case (no ${CATALOGUE_FILE})`, 'E_NO_CASE');
  let db: Db;
  try {
    db = openSqlite(file, { mustExist: true, readonly: options.readonly ?? false });
  } catch (err) {
    throw new KestrelError(`${file}: cannot open the case catalogue: ${describeError(err)}`);
  }
  try {
    if (!options.readonly) {
      const before = db.prepare('SELECT max(version) AS v FROM schema_migration').get() as { v: number | null } | undefined;
      const after = migrate(db, caseMigrations, 'case catalogue', file);
      if (before?.v != null && after !== before.v) {
        db.transaction(() => appendAudit(db, 'case.migrate', { from: before.v, to: after, toolVersion: TOOL_VERSION }))();
      }
    }
    const info = readCaseInfo(db, file);
    return wrap(caseDir, db, info);
  } catch (err) {
    db.close();
    if (err instanceof KestrelError) throw err;
    throw new KestrelError(`${file}: not a usable Kestrel case: ${describeError(err)}`);
  }
}

function readCaseInfo(db: Db, file: string): CaseInfo {
  const row = db.prepare('SELECT * FROM case_info WHERE id = 1').get() as
    | { case_uuid: string; case_number: string; examiner: string; description: string | null; created_at: string; tool_version: string }
    | undefined;
  if (!row) throw new KestrelError(`${file}: case record missing`);
  return {
    caseUuid: row.case_uuid,
    caseNumber: row.case_number,
    examiner: row.examiner,
    description: row.description,
    createdAt: row.created_at,
    toolVersion: row.tool_version,
  };
}

function wrap(dir: string, db: Db, info: CaseInfo): OpenCase {
  return { dir, db, info, derivedDir: join(dir, DERIVED_DIR), close: () => db.close() };
}
