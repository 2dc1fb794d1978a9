/**
 * THE contract between the review UI and the engine. Everything here is derived from native/api
 * (channel list, argument schemas, response types), so there is nothing to keep in sync by hand:
 * the preload, the Electron handlers, the loopback bridge and the renderer all import it from here.
 * The renderer imports types only.
 */
export { CHANNELS, IPC_PREFIX } from '../../native/api/channels.js';
export type { Channel } from '../../native/api/channels.js';
export type {
  AppInfo, AuditEntry, AuditPage, AuditVerdict, CaseCounts, CaseSummary, CategoriseResult, CategoryDef, DecisionHistoryRow,
  ExhibitInfo, ExportPackageResult, Facets, FileErrorRow, FileInstanceInfo, GroupDetail, GroupSummary, HashListInfo, ImportResult,
  IntakeProgress, IntakeRunInfo, ItemDetail, ItemFilter, ItemPage, ItemRow, ItemSort, KestrelApi, KestrelMedia,
  MatchEvidence, MatchSummary, VideoDetail, VideoFrameMark, VideoMatchEvidence, NoteInfo, PackageProblem, PackageVerdict, Request, Response, Responses, Result, SchemeId, Settings, UndoResult,
  CaseHit, DerivedUsage, Seriality, ShareResult, ViewSource, Wellbeing, TreeNode, ExhibitProvenance,
  SchemeChangeImpact, CompareRow, CompareSide, ItemComparison, MatchComparison, MatchSideBySide, PdqDistance,
  ProfileInfo, ProfileList, KeyInfo, ImportedCopy,
} from '../../native/api/types.js';

import type { KestrelApi, KestrelMedia } from '../../native/api/types.js';

/** What the preload puts on `window` (and what the browser transport builds): one object, two parts. */
export interface KestrelBridge {
  api: KestrelApi;
  media: KestrelMedia;
}

/** The name of the global the preload exposes. */
export const BRIDGE_GLOBAL = 'kestrel';

/** The app's own protocol in Electron: the renderer and thumbnails come from here and nowhere else. */
export const APP_ORIGIN = 'kestrel://app';
