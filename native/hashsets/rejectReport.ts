import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDir, partialName, writeFailure, writeFileDurable } from '../util/durableFile.js';

export interface Reject { at: string; reason: string }

/**
 * Where the report of a list version's rejected records goes: the library folder's rejects folder
 * (for a list imported into a PostgreSQL library, that of the workstation that imported it).
 */
export function rejectReportPath(libraryFolder: string, name: string, version: number, uid: string): string {
  return join(libraryFolder, 'rejects', `${safeName(name)}-v${version}-${uid.slice(0, 8)}.tsv`);
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'list';
}

/** Whole or absent under its name, as every output (see durableFile.ts). */
export function writeRejectReport(reportPath: string, source: string, rejects: readonly Reject[]): void {
  mkdirSync(dirname(reportPath), { recursive: true });
  const body = [`# rejected records of ${source}`, 'where\treason', ...rejects.map((r) => `${r.at}\t${r.reason.replace(/[\t\n]/g, ' ')}`)].join('\n');
  const tmp = partialName(reportPath);
  try {
    writeFileDurable(tmp, Buffer.from(`${body}\n`, 'utf8'));
    renameSync(tmp, reportPath);
    fsyncDir(dirname(reportPath));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw writeFailure(reportPath, err, 'the report of rejected records was not written');
  }
}
