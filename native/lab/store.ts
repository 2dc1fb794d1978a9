import type { AuditEntry } from '../audit/log.js';
import type { SchemeId } from '../catalog/schemes.js';

/**
 * The lab library's storage: one interface, two engines (SQLite in the workstation's library
 * folder, PostgreSQL for a lab). Everything above this interface (gathering a case's contribution,
 * cross-case matching, links) is engine-blind, so both engines give the same results and the same
 * test suite runs against both. Every method that changes the library does it in one transaction
 * with its library audit entry and a new library version.
 */
export interface LabStore {
  readonly engine: 'sqlite' | 'postgres';
  /** Where the library is, fit to print and to log: a folder, or a connection string without its password. */
  readonly location: string;
  /** Replaces the case's contribution (idempotent for the same case content). */
  contribute(c: Contribution, actor: string): Promise<ContributeOutcome>;
  withdraw(caseNumber: string, reason: string, actor: string): Promise<WithdrawOutcome>;
  version(): Promise<number>;
  cases(): Promise<LabCase[]>;
  /** Items of active (not withdrawn) cases whose SHA-256 is one of `hashes`. */
  itemsBySha256(hashes: readonly Buffer[]): Promise<LabItem[]>;
  itemsByIds(ids: readonly number[]): Promise<LabItem[]>;
  /** PDQ hashes of active cases with quality >= minQuality, packed for the in-process search. */
  pdqSet(minQuality: number): Promise<PdqSet>;
  /** Every active item, lightly: what the seriality view needs. */
  linkItems(): Promise<LinkItem[]>;
  audit(): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

export interface ContributedItem {
  sha256: string;
  sha1: string;
  md5: string;
  size: number;
  mediaType: string;
  exhibits: string[];
  pdq: string | null;
  pdqQuality: number | null;
  pdqDihedral: string[] | null;
  blockhash: string | null;
  videoHashes: unknown;
  category: string | null;
  scheme: SchemeId | null;
  decidedBy: string | null;
  decidedAt: string | null;
  listHits: { list: string; version: number; algorithm: string; category: string | null; scheme: string | null }[];
  series: string[];
  victims: string[];
  tags: string[];
  fileNames: string[] | null;
}

export interface Contribution {
  caseUuid: string;
  caseNumber: string;
  caseExaminer: string;
  shareFileNames: boolean;
  toolVersion: string;
  items: ContributedItem[];
}

export interface ContributeOutcome {
  caseNumber: string;
  items: number;
  /** Items the case had in the library before (0 on a first contribution). */
  replaced: number;
  libraryVersion: number;
}

export interface WithdrawOutcome {
  caseNumber: string;
  itemsRemoved: number;
  libraryVersion: number;
}

export interface LabCase {
  id: number;
  caseUuid: string;
  caseNumber: string;
  caseExaminer: string;
  contributedBy: string;
  firstContributedAt: string;
  contributedAt: string;
  itemCount: number;
  shareFileNames: boolean;
  toolVersion: string;
  withdrawnAt: string | null;
  withdrawnBy: string | null;
  withdrawReason: string | null;
}

export interface LabItem {
  id: number;
  caseUuid: string;
  caseNumber: string;
  contributedAt: string;
  sha256: string;
  exhibits: string[];
  category: string | null;
  scheme: SchemeId | null;
  decidedBy: string | null;
  decidedAt: string | null;
  series: string[];
  victims: string[];
}

export interface PdqSet {
  version: number;
  /** Packed 32-byte hashes in a SharedArrayBuffer (the search threads read it in place). */
  hashes: Uint8Array;
  itemIds: Float64Array;
  caseIds: Float64Array;
  /** lab_case.id to case uuid, for leaving a case's own items out. */
  caseUuids: Map<number, string>;
}

export interface LinkItem {
  id: number;
  caseId: number;
  sha256: string;
  pdq: string | null;
  pdqQuality: number | null;
  /** The 8 dihedral variants, so a mirrored or rotated copy links too. */
  pdqDihedral: string[] | null;
  series: string[];
}

/** lab_item row values shared by both engines' writers, in column order. */
export const ITEM_COLUMNS = [
  'case_id', 'sha256', 'sha1', 'md5', 'size', 'media_type', 'exhibits', 'pdq', 'pdq_quality', 'pdq_dihedral', 'blockhash',
  'video_hashes', 'category', 'scheme', 'decided_by', 'decided_at', 'list_hits', 'series', 'victims', 'tags', 'file_names',
] as const;

export function itemValues(caseId: number, it: ContributedItem): unknown[] {
  return [
    caseId,
    Buffer.from(it.sha256, 'hex'), Buffer.from(it.sha1, 'hex'), Buffer.from(it.md5, 'hex'),
    it.size, it.mediaType, JSON.stringify(it.exhibits),
    it.pdq === null ? null : Buffer.from(it.pdq, 'hex'), it.pdqQuality,
    it.pdqDihedral === null ? null : Buffer.from(it.pdqDihedral.join(''), 'hex'),
    it.blockhash === null ? null : Buffer.from(it.blockhash, 'hex'),
    it.videoHashes === null || it.videoHashes === undefined ? null : JSON.stringify(it.videoHashes),
    it.category, it.scheme, it.decidedBy, it.decidedAt,
    JSON.stringify(it.listHits), JSON.stringify(it.series), JSON.stringify(it.victims), JSON.stringify(it.tags),
    it.fileNames === null ? null : JSON.stringify(it.fileNames),
  ];
}

/** The audit details of a contribution: counts, never hashes or names. */
export function contributionDetails(c: Contribution, replaced: number, version: number): Record<string, unknown> {
  return {
    caseUuid: c.caseUuid, caseNumber: c.caseNumber, caseExaminer: c.caseExaminer, items: c.items.length,
    categorised: c.items.filter((i) => i.category !== null).length,
    withPdq: c.items.filter((i) => i.pdq !== null).length,
    shareFileNames: c.shareFileNames, replacedItems: replaced, libraryVersion: version, toolVersion: c.toolVersion,
  };
}

export interface ItemRow {
  id: number; case_uuid: string; case_number: string; contributed_at: string; sha256: Uint8Array; exhibits: string;
  category: string | null; scheme: SchemeId | null; decided_by: string | null; decided_at: string | null; series: string; victims: string;
}

export const ITEM_SELECT = `SELECT i.id, c.case_uuid, c.case_number, c.contributed_at, i.sha256, i.exhibits, i.category, i.scheme,
  i.decided_by, i.decided_at, i.series, i.victims FROM lab_item i JOIN lab_case c ON c.id = i.case_id`;

export function toItem(r: ItemRow): LabItem {
  return {
    id: Number(r.id), caseUuid: r.case_uuid, caseNumber: r.case_number, contributedAt: r.contributed_at,
    sha256: Buffer.from(r.sha256).toString('hex'), exhibits: JSON.parse(r.exhibits) as string[], category: r.category,
    scheme: r.scheme, decidedBy: r.decided_by, decidedAt: r.decided_at,
    series: JSON.parse(r.series) as string[], victims: JSON.parse(r.victims) as string[],
  };
}

export interface CaseRow {
  id: number | string; case_uuid: string; case_number: string; case_examiner: string; contributed_by: string;
  first_contributed_at: string; contributed_at: string; item_count: number | string; share_file_names: number;
  tool_version: string; withdrawn_at: string | null; withdrawn_by: string | null; withdraw_reason: string | null;
}

export function toCase(r: CaseRow): LabCase {
  return {
    id: Number(r.id), caseUuid: r.case_uuid, caseNumber: r.case_number, caseExaminer: r.case_examiner,
    contributedBy: r.contributed_by, firstContributedAt: r.first_contributed_at, contributedAt: r.contributed_at,
    itemCount: Number(r.item_count), shareFileNames: r.share_file_names === 1, toolVersion: r.tool_version,
    withdrawnAt: r.withdrawn_at, withdrawnBy: r.withdrawn_by, withdrawReason: r.withdraw_reason,
  };
}

export interface LinkRow {
  id: number | string; case_id: number | string; sha256: Uint8Array; pdq: Uint8Array | null; pdq_quality: number | null;
  pdq_dihedral: Uint8Array | null; series: string;
}

export function toLinkItem(r: LinkRow): LinkItem {
  const dihedral = r.pdq_dihedral ? Buffer.from(r.pdq_dihedral).toString('hex') : null;
  return {
    id: Number(r.id), caseId: Number(r.case_id), sha256: Buffer.from(r.sha256).toString('hex'),
    pdq: r.pdq ? Buffer.from(r.pdq).toString('hex') : null, pdqQuality: r.pdq_quality,
    pdqDihedral: dihedral ? Array.from({ length: 8 }, (_, k) => dihedral.slice(k * 64, k * 64 + 64)) : null,
    series: JSON.parse(r.series) as string[],
  };
}
