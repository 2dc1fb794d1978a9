import { openLibrary } from '../hashsets/library.js';
import { SqliteLabStore } from './sqliteStore.js';
import type { LabStore } from './store.js';

export function isPostgresUrl(spec: string | undefined): spec is string {
  return spec !== undefined && /^postgres(ql)?:\/\//i.test(spec);
}

/**
 * Opens the lab library named by --library (a folder, or postgres://…), else by KESTREL_LIBRARY,
 * else the workstation's library folder. The PostgreSQL engine is loaded only when asked for.
 */
export async function openLabStore(explicit?: string): Promise<LabStore> {
  const spec = explicit ?? process.env['KESTREL_LIBRARY'];
  if (isPostgresUrl(spec)) {
    const { openPostgresLab } = await import('./postgres/pgStore.js');
    return openPostgresLab(spec);
  }
  return new SqliteLabStore(openLibrary(spec));
}
