import { join, resolve } from 'node:path';
import { initCase, openCase } from '../../../native/catalog/case.js';
import { runIntake, type IntakeSummary } from '../../../native/intake/intake.js';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';

export const DISK = resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'disk');

export function newCase(prefix: string): string {
  const dir = join(tempDir(prefix), 'case');
  initCase(dir, { caseNumber: 'T-11', examiner: 'Examiner' }).db.close();
  return dir;
}

export async function intake(caseDir: string, source: string, exhibit: string, extra: Partial<Parameters<typeof runIntake>[2]> = {}): Promise<IntakeSummary> {
  const c = openCase(caseDir);
  try {
    return await runIntake(c, source, { exhibit, examiner: 'Examiner', workers: 1, ...extra });
  } finally {
    c.close();
  }
}

