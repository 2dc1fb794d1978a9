import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DERIVED_DIR } from './case.js';

export interface DerivedUsage {
  thumbnails: { files: number; bytes: number };
  previews: { files: number; bytes: number };
}

/** Files and bytes below one folder of derived/, walked (the folders are <sha256[0:2]>/<sha256>.jpg). */
function usage(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.jpg')) { files += 1; bytes += statSync(p).size; }
    }
  };
  walk(dir);
  return { files, bytes };
}

/** What the case's thumbnails and stored previews cost on disk, as they are now. */
export function derivedUsage(caseDir: string): DerivedUsage {
  return {
    thumbnails: usage(join(caseDir, DERIVED_DIR, 'thumbnails')),
    previews: usage(join(caseDir, DERIVED_DIR, 'previews')),
  };
}
