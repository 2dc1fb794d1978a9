import { libraryDir, listHashLists, openLibrary, removeHashLists, type HashLibrary, type HashListInfo } from '../hashsets/library.js';
import { findImportedCopy, importHashList, type ImportedCopy, type ImportOptions, type ImportResult } from '../hashsets/importer.js';
import { listShareItems, writeShare, type ShareFilter, type ShareItem, type ShareOptions, type ShareResult } from '../hashsets/shareExport.js';
import { isPostgresUrl } from './open.js';
import type { PostgresLabStore } from './postgres/pgStore.js';

/**
 * Hash lists wherever the library is: a library folder (library.sqlite), or in lab mode a
 * PostgreSQL server (--library postgres://… or KESTREL_LIBRARY), with the same commands and results.
 * On PostgreSQL, matching and list exports read this workstation's mirror of the server's lists
 * (listMirror.ts), brought up to date first.
 */
function labSpec(explicit?: string): string | undefined {
  const spec = explicit ?? process.env['KESTREL_LIBRARY'];
  return isPostgresUrl(spec) ? spec : undefined;
}

async function withServer<T>(spec: string, use: (store: PostgresLabStore) => Promise<T>): Promise<T> {
  const { openPostgresLab } = await import('./postgres/pgStore.js');
  const store = await openPostgresLab(spec);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function withFolder<T>(explicit: string | undefined, use: (lib: HashLibrary) => T): T {
  const lib = openLibrary(explicit);
  try {
    return use(lib);
  } finally {
    lib.close();
  }
}

/** Where the lists are, fit to print: the library file, or the server without its password. */
export interface ListsAt { where: string; lists: HashListInfo[] }

export async function hashListsIn(explicit?: string): Promise<ListsAt> {
  const spec = labSpec(explicit);
  if (spec) return withServer(spec, async (s) => ({ where: s.location, lists: await s.hashLists() }));
  return withFolder(explicit, (lib) => ({ where: lib.file, lists: listHashLists(lib) }));
}

export async function importListInto(explicit: string | undefined, file: string, options: ImportOptions): Promise<ImportResult> {
  const spec = labSpec(explicit);
  if (spec) return withServer(spec, (s) => s.importList(file, options, libraryDir(explicit)));
  return withFolder(explicit, (lib) => importHashList(lib, file, options));
}

/** The library's earlier import of exactly this file (same SHA-256), asked before importing it. */
export async function importedCopyIn(explicit: string | undefined, file: string): Promise<ImportedCopy | null> {
  const spec = labSpec(explicit);
  if (spec) return withServer(spec, (s) => s.importedCopy(file));
  return withFolder(explicit, (lib) => findImportedCopy(lib, file));
}

/** Removes by uid when one list has it, else by name (every version, or one). */
export async function removeListsFrom(explicit: string | undefined, which: string, version?: number): Promise<HashListInfo[]> {
  const pick = (lists: readonly HashListInfo[]) =>
    lists.some((l) => l.uid === which) ? { uid: which } : { name: which, ...(version !== undefined ? { version } : {}) };
  const spec = labSpec(explicit);
  if (spec) return withServer(spec, async (s) => s.removeLists(pick(await s.hashLists())));
  return withFolder(explicit, (lib) => removeHashLists(lib, pick(listHashLists(lib))));
}

/** The library the matcher reads: the folder's, or this workstation's up-to-date mirror of the server's lists. */
export async function openListLibrary(explicit?: string): Promise<HashLibrary> {
  const spec = labSpec(explicit);
  if (!spec) return openLibrary(explicit);
  const { mirrorFolder } = await import('./postgres/listMirror.js');
  return withServer(spec, async (s) => (await s.mirrorLists(mirrorFolder(libraryDir(explicit), s.location))).lib);
}

/** Shares a library list; the export is recorded in the audit log of the library that holds the list. */
export async function shareListFrom(explicit: string | undefined, out: string, name: string, version: number | undefined,
  filter: (items: ShareItem[]) => ShareItem[], options: ShareOptions & ShareFilter, actor: string): Promise<ShareResult> {
  const spec = labSpec(explicit);
  if (!spec) {
    const lib = openLibrary(explicit);
    try {
      const { list, items } = listShareItems(lib, name, version);
      return await writeShare(out, filter(items), options, { kind: 'list', lib, list, actor });
    } finally {
      lib.close();
    }
  }
  const mirror = await openListLibrary(explicit);
  let shared;
  try {
    shared = listShareItems(mirror, name, version);
  } finally {
    mirror.close();
  }
  const { list, items } = shared;
  return withServer(spec, (s) => writeShare(out, filter(items), options,
    { kind: 'server', list, actor, append: (action, details, who) => s.appendAudit(action, details, who) }));
}
