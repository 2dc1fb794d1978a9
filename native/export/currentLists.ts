import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LIBRARY_FILE, libraryDir, listHashLists, openLibrary } from '../hashsets/library.js';
import type { CurrentList } from './reviewBasis.js';

/** The lists in the hash library now, read-only; none when there is no library yet. */
export function currentLists(explicit?: string): CurrentList[] {
  if (!existsSync(join(libraryDir(explicit), LIBRARY_FILE))) return [];
  const lib = openLibrary(explicit, { readonly: true });
  try {
    return listHashLists(lib).map((l) => ({ uid: l.uid, name: l.name, version: l.version, importedAt: l.importedAt }));
  } finally {
    lib.close();
  }
}
