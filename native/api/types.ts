import type { VideoDetail } from '../review/videoDetail.js';
export type { VideoDetail, VideoFrameMark, VideoMatchEvidence } from '../review/videoDetail.js';
import type { Channel } from './channels.js';
import type { Request, ItemFilter, ItemSort, Wellbeing } from './schemas.js';
import type { CategoryDef, SchemeId } from '../catalog/schemes.js';
import type { AuditEntry, AuditVerdict } from '../audit/log.js';
import type { Result } from '../util/result.js';
import type { HashListInfo } from '../hashsets/library.js';
import type { ShareResult } from '../hashsets/shareExport.js';
import type { ImportedCopy } from '../hashsets/importer.js';
import type { MatchSummary } from '../matching/matcher.js';
import type { ItemRow } from '../review/items.js';
import type { DecisionHistoryRow, UndoOutcome as UndoResult } from '../review/decisions.js';
import type { ViewSource } from '../review/original.js';
import type { DerivedUsage } from '../catalog/derivedUsage.js';
import type { SchemeChangeImpact } from '../review/schemeChange.js';
import type { CompareRow, CompareSide, ItemComparison, MatchComparison, MatchSideBySide, PdqDistance } from '../review/compare.js';
import type { Seriality } from '../lab/links.js';
import type { CaseHit } from '../lab/caseHits.js';
export type { CaseHit } from '../lab/caseHits.js';
import type { ActionOutcome, HistoryState } from '../review/history.js';
import type { TreeNode } from '../review/evidenceTree.js';
import type { ExhibitProvenance } from '../disk/provenance.js';
import type { ExaminerProfile } from '../examiners/profiles.js';
import type { Problem as PackageProblem, Verdict as PackageVerdict } from '../export/verify.js';

export type { ItemRow, DecisionHistoryRow, UndoResult, ViewSource, DerivedUsage, Seriality, TreeNode, ExhibitProvenance };
export type { SchemeChangeImpact };
export type { CompareRow, CompareSide, ItemComparison, MatchComparison, MatchSideBySide, PdqDistance };

/** What undoLast or redoLast did, and what the examiner can still undo and redo. */
export interface ActionResult extends ActionOutcome {
  history: HistoryState;
}

export type { Channel, Request, ItemFilter, ItemSort, Wellbeing, CategoryDef, SchemeId, AuditEntry, AuditVerdict, Result, HashListInfo, MatchSummary, PackageProblem, PackageVerdict, ShareResult, ImportedCopy };

export interface CaseSummary {
  dir: string;
  caseUuid: string;
  caseNumber: string;
  examiner: string;
  description: string | null;
  createdAt: string;
  scheme: SchemeId;
  schemeName: string;
  categories: CategoryDef[];
}

/** Counted on request, not with every summary: over a million items they take a moment. */
export interface CaseCounts {
  contents: number;
  files: number;
  exhibits: number;
  matched: number;
  categorised: number;
  errors: number;
}

export interface AppInfo {
  version: string;
  /** The case open in this session, if any. */
  case: CaseSummary | null;
  /** The folder the session was started with when it holds no case yet: the UI offers to create one there. */
  suggestedCaseDir: string | null;
  libraryDir: string;
  /** Who the session records decisions, notes and exports as: the working profile, else the case's lead examiner. */
  examiner: string | null;
  /** The examiner profile working now; null until one is chosen (the UI asks at start). */
  profile: ProfileInfo | null;
  /** The engine's rule for the passphrase of encrypted media in a case package, for the export form to state. */
  minPassphraseLength: number;
}

export interface Settings {
  categoryScheme: SchemeId;
  /** Contribute the case to the lab library at each export unless the export says otherwise (remembered in the case; off until chosen). */
  contributeAtExport: boolean;
}

/** An examiner profile on this workstation (native/examiners/profiles.ts). */
export type ProfileInfo = Omit<ExaminerProfile, 'format' | 'version'>;

/** A signing key a profile can point to. */
export interface KeyInfo {
  examiner: string;
  fingerprint: string;
  createdAt: string;
}

export interface ProfileList {
  /** Most recently used first: the first is the one to offer. */
  profiles: ProfileInfo[];
  keys: KeyInfo[];
}

export interface IntakeRunInfo {
  id: number;
  sourcePath: string;
  startedAt: string;
  finishedAt: string | null;
  status: string;
}

export interface ExhibitInfo {
  id: number;
  label: string;
  description: string | null;
  sourcePath: string;
  createdAt: string;
  files: number;
  contents: number;
  errors: number;
  runs: IntakeRunInfo[];
  /** Set for a disk image: its format, segments, E01 verification and case metadata, volumes. */
  image: ExhibitProvenance | null;
}

export interface FileErrorRow {
  exhibitLabel: string;
  path: string;
  error: string;
  errorCode: string | null;
}

export interface IntakeProgress {
  jobId: number;
  label: string;
  source: string;
  /** interrupted: cancelled by the examiner; the same intake started again resumes where it stopped. */
  state: 'running' | 'complete' | 'failed' | 'interrupted';
  /** Whether this run continued an interrupted one of the same exhibit; known when it completes. */
  resumed: boolean | null;
  filesDone: number;
  filesTotal: number | null;
  bytesDone: number;
  bytesTotal: number | null;
  filesPerSecond: number;
  etaSeconds: number | null;
  errors: number;
  recentErrors: { path: string; error: string }[];
  message: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface Facets {
  fileTypes: { type: string; count: number }[];
  exhibits: { id: number; label: string }[];
  /** The list versions this case was matched against (hashlist_use), for the hash-list filter. */
  hashLists: { id: number; name: string; version: number; known: boolean }[];
  tags: string[];
}


/** A page of the grid. The total comes separately (countItems): over a million items the page is quick, the count is not. */
export interface ItemPage {
  offset: number;
  rows: ItemRow[];
}

export interface FileInstanceInfo {
  id: number;
  exhibitLabel: string;
  path: string;
  size: number | null;
  mtime: string | null;
  ctime: string | null;
  atime: string | null;
  birthtime: string | null;
  extension: string | null;
  typeMismatch: boolean;
  error: string | null;
  /** Where a disk image or an archive put it (native/catalog/entryFlags.ts); empty for a live folder file. */
  flags: string[];
  /** Inode or MFT entry-sequence[-attribute] in its file system, and that file system's type (disk images). */
  fsAddress: string | null;
  fsType: string | null;
}

export interface MatchEvidence {
  list: string;
  listVersion: number;
  listSha256: string;
  /** The record number of the entry in the list file, and its hash as listed. */
  entryRecord: number;
  entryHash: string;
  entryMediaId: string | null;
  entryLabel: string | null;
  algorithm: string;
  distance: number;
  threshold: number;
  /** For perceptual matches, which of the 8 dihedral variants matched (0 = as displayed). */
  dihedral: number | null;
  /**
   * A PDQ match made through an extra hash of the picture (the plain PDQ did not match): which one
   * ('trimmed', 'centre-90', ...), its kind, the part of the upright picture it covers and its
   * hash; `distance` is then that hash's. Null for a plain match.
   */
  via: { hash: string; kind: string; region: { left: number; top: number; width: number; height: number }; pdq: string } | null;
  category: string | null;
  scheme: string | null;
  known: boolean;
  matchedAt: string;
}


export interface NoteInfo {
  id: number;
  text: string;
  examiner: string;
  createdAt: string;
}

export interface ItemDetail {
  id: number;
  md5: string;
  sha1: string;
  sha256: string;
  size: number;
  type: string;
  image: {
    width: number | null;
    height: number | null;
    pdq: string | null;
    pdqQuality: number | null;
    blockhash: string | null;
    orientation: number | null;
    decodeError: string | null;
    algorithms: string | null;
  } | null;
  exif: Record<string, unknown> | null;
  hasThumbnail: boolean;
  instances: FileInstanceInfo[];
  matches: MatchEvidence[];
  /** What the lab library said: other cases holding it (never a decision, kept apart from list hits). */
  caseHits: CaseHit[];
  /** Series and victim labels named on it (pseudonymous). */
  labels: { kind: 'series' | 'victim'; label: string }[];
  decisions: DecisionHistoryRow[];
  category: string | null;
  notes: NoteInfo[];
  tags: string[];
  groupId: number | null;
  /** The current decision when it was made in a scheme the case no longer uses (category is then null). */
  otherSchemeDecision: { category: string; scheme: string } | null;
  /** A video's probe, hashed frames and vPDQ matches; null for anything that is not an analysed video. */
  video: VideoDetail | null;
}

export interface CategoriseResult {
  /** The new decisions, to pass to undoDecisions. */
  decisionIds: number[];
  /** The review action undoLast takes back whole (null when nothing changed). */
  actionId: number | null;
  scheme: SchemeId;
  category: string;
}

export interface GroupSummary {
  id: number;
  size: number;
  /** Members with a current decision in the case's scheme. */
  categorised: number;
  algorithm: string;
  threshold: number;
  /**
   * Distance at which a picture's extra PDQ hashes (border-trimmed, crops) were paired with another's
   * plain hash when the group was built; null for groups built before it was recorded.
   */
  extraThreshold: number | null;
  /** The largest distance of a member to the representative. */
  maxDistance: number;
  /** The member every other is within the threshold of (null for a group built before the rule had one). */
  representative: number | null;
  representativeHasThumbnail: boolean;
  /** How membership was decided (native/matching/nearDuplicateGroups.ts). */
  rule: string | null;
  /** Members with a hit on a list of concern. */
  hits: number;
}

export interface GroupDetail extends GroupSummary {
  /** distance: to the representative; nearest: to the nearest other member. */
  members: (ItemRow & { distance: number | null; nearest: number })[];
}

export interface ImportResult {
  list: HashListInfo;
  rejected: number;
  /** The earlier import of the same bytes, when they were imported again on purpose (audit-logged). */
  duplicateOf: ImportedCopy | null;
}

export interface AuditPage {
  total: number;
  entries: AuditEntry[];
  verdict: AuditVerdict;
}

export interface ExportPackageResult {
  dir: string;
  zip: string | null;
  media: 'none' | 'encrypted';
  packageHash: string;
  /** Also recorded in the case's audit log (entry auditSeq): compare it with what verify finds. */
  manifestSha256: string;
  findings: number;
  /** Files in the package, manifest.json included. */
  files: number;
  auditSeq: number;
  /** When asked for: the case's contribution to the lab library made after the package was written. */
  contributed: { items: number; categorised: number; libraryVersion: number; library: string } | null;
  /** Exhibits a list now in the hash library never saw: the report names them in a warning too. */
  unmatchedExhibits: { label: string; lists: string[] }[];
}

/** The response of each channel: the compiler refuses a channel without one. */
export interface Responses {
  appInfo: AppInfo;
  openCase: CaseSummary;
  createCase: CaseSummary;
  caseCounts: CaseCounts;
  getSettings: Settings;
  setSettings: Settings;
  listProfiles: ProfileList;
  createProfile: AppInfo;
  chooseProfile: AppInfo;
  updateProfile: AppInfo;
  listExhibits: ExhibitInfo[];
  listFileErrors: { total: number; rows: FileErrorRow[] };
  startIntake: IntakeProgress;
  intakeStatus: IntakeProgress;
  cancelIntake: IntakeProgress;
  facets: Facets;
  queryItems: ItemPage;
  countItems: { total: number };
  getItem: ItemDetail;
  categorise: CategoriseResult;
  undoDecisions: UndoResult;
  undoLast: ActionResult;
  redoLast: ActionResult;
  addNote: NoteInfo;
  addTag: { changed: number };
  removeTag: { changed: number };
  addLabel: { changed: number };
  removeLabel: { changed: number };
  listGroups: { total: number; groups: GroupSummary[] };
  getGroup: GroupDetail;
  listHashLists: HashListInfo[];
  importHashList: ImportResult;
  findImportedCopy: ImportedCopy | null;
  exportHashset: ShareResult;
  runMatch: MatchSummary;
  listAudit: AuditPage;
  exportPackage: ExportPackageResult;
  verifyPackage: PackageVerdict;
  viewSource: ViewSource;
  derivedUsage: DerivedUsage;
  libraryLinks: Seriality;
  compareItems: ItemComparison;
  compareMatches: MatchComparison;
  evidenceTree: TreeNode[];
  schemeChangeImpact: SchemeChangeImpact;
}

/** Indexing by every Channel makes a channel without a response type a compile error. */
export type Response<C extends Channel> = Responses[C];

/** The typed API the renderer holds, whichever transport is behind it. */
export type KestrelApi = { [C in Channel]: (request: Request<C>) => Promise<Result<Response<C>>> };

/** What a transport adds beside the calls: where a thumbnail can be loaded from. */
export interface KestrelMedia {
  thumbnailUrl(contentId: number): string;
  /** The original picture, read from the evidence by the engine (404 when not reachable: ask viewSource first). */
  originalUrl(contentId: number): string;
  /** The preview stored at intake (at most 2048 px). */
  previewUrl(contentId: number): string;
  /** A video original streamed read-only from the evidence with range requests (404 when not reachable). */
  videoUrl(contentId: number): string;
}
