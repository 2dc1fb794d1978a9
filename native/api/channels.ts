/**
 * The names of the calls the review UI can make. Both transports use this one list: Electron IPC
 * (channel `kestrel:<name>`) and the loopback bridge (POST `/api/<name>` with the session cookie). The argument
 * schemas (schemas.ts) and the response types (types.ts) are keyed by it, so the compiler refuses
 * a call that lacks either.
 */
export const CHANNELS = [
  'appInfo',
  'openCase',
  'createCase',
  'caseCounts',
  'getSettings',
  'setSettings',
  'listProfiles',
  'createProfile',
  'chooseProfile',
  'updateProfile',
  'listExhibits',
  'listFileErrors',
  'startIntake',
  'intakeStatus',
  'cancelIntake',
  'facets',
  'queryItems',
  'countItems',
  'getItem',
  'categorise',
  'undoDecisions',
  'undoLast',
  'redoLast',
  'addNote',
  'addTag',
  'removeTag',
  'addLabel',
  'removeLabel',
  'listGroups',
  'getGroup',
  'listHashLists',
  'importHashList',
  'findImportedCopy',
  'exportHashset',
  'runMatch',
  'listAudit',
  'exportPackage',
  'verifyPackage',
  'viewSource',
  'derivedUsage',
  'libraryLinks',
  'compareItems',
  'compareMatches',
  'evidenceTree',
  'schemeChangeImpact',
] as const;

export type Channel = (typeof CHANNELS)[number];

export const IPC_PREFIX = 'kestrel:';

export function isChannel(name: string): name is Channel {
  return (CHANNELS as readonly string[]).includes(name);
}
