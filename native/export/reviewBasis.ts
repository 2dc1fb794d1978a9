import type { Db } from '../catalog/sqlite.js';
import { SCHEMES, findCategory, type SchemeId } from '../catalog/schemes.js';
import type { Finding } from './collect.js';

/**
 * What a report must keep apart: what an examiner decided, what a list said and was not yet
 * reviewed, where the two disagree, and which exhibits the current lists never saw.
 */

/**
 * Most serious first, per scheme. Not the scheme's listing order: VIC US lists 0 (non-pertinent)
 * first and DHS lists CAT-0 (uncategorised) first.
 */
const SEVERITY: Record<SchemeId, readonly string[]> = {
  'vic-us': ['1', '2', '3', '4', '0'],
  dhs: ['CAT-1', 'CAT-2', 'CAT-3', 'CAT-4', 'CAT-5', 'CAT-0'],
  'caid-uk': ['A', 'B', 'C', 'N'],
  custom: [],
};

/**
 * A sort key for a category: material of concern before the rest, then the scheme's severity
 * order, then the scheme; 'not categorised' last.
 */
export function compareSeverity(a: { scheme: SchemeId | null; code: string | null }, b: { scheme: SchemeId | null; code: string | null }): number {
  if (a.scheme === null || a.code === null) return b.scheme === null || b.code === null ? 0 : 1;
  if (b.scheme === null || b.code === null) return -1;
  const alert = (s: SchemeId, c: string) => (findCategory(s, c)?.alert ? 0 : 1);
  const rank = (s: SchemeId, c: string) => {
    const i = SEVERITY[s].indexOf(c);
    return i < 0 ? SEVERITY[s].length : i;
  };
  return alert(a.scheme, a.code) - alert(b.scheme, b.code)
    || rank(a.scheme, a.code) - rank(b.scheme, b.code)
    || a.scheme.localeCompare(b.scheme)
    || a.code.localeCompare(b.code, 'en', { numeric: true });
}

export interface Disagreement {
  sha256: string;
  scheme: SchemeId;
  examinerSaid: string;
  examiner: string;
  decidedAt: string;
  listSaid: string;
  list: string;
  listVersion: string | null;
  entry: string;
}

/**
 * Every list entry whose category, in the scheme the examiner decided in, is not the examiner's.
 * A list category in another scheme is not compared: the same number means different things.
 */
export function disagreements(findings: Finding[]): Disagreement[] {
  const out: Disagreement[] = [];
  for (const f of findings) {
    const d = f.decision;
    if (!d) continue;
    for (const m of [...f.matches, ...f.videoMatches]) {
      if (m.scheme !== d.scheme || m.category === null || m.category === d.category) continue;
      out.push({
        sha256: f.sha256, scheme: d.scheme, examinerSaid: d.category, examiner: d.examiner, decidedAt: d.decidedAt,
        listSaid: m.category, list: m.list, listVersion: m.listVersion, entry: m.entry,
      });
    }
  }
  return out;
}

export interface ReviewCounts {
  /** Findings with a current examiner decision. */
  confirmed: number;
  /** Findings the lists agree on a category for, with no examiner decision yet. */
  listOnly: number;
  /** Findings matched without an agreed list category and not decided. */
  unreviewed: number;
}

export function reviewCounts(findings: Finding[]): ReviewCounts {
  let confirmed = 0;
  let listOnly = 0;
  for (const f of findings) {
    if (f.category?.source === 'examiner') confirmed += 1;
    else if (f.category?.source === 'hash list') listOnly += 1;
  }
  return { confirmed, listOnly, unreviewed: findings.length - confirmed - listOnly };
}

/** A list in the hash library as the export sees it. */
export interface CurrentList {
  uid: string;
  name: string;
  version: number;
  importedAt: string;
}

export interface UnmatchedExhibit {
  label: string;
  /** "NAME vVERSION" of each current list that never saw some of this exhibit's contents. */
  lists: string[];
}

/**
 * Exhibits with contents that one of the current lists was never matched against: the list was
 * imported (or a new version of it) after the exhibit's last match, or the exhibit was taken in
 * after it. Matching records, per list version, the highest content id it went through
 * (content_watermark); contents above it were never compared with that list.
 */
export function exhibitsNotMatched(db: Db, lists: CurrentList[]): UnmatchedExhibit[] {
  const watermark = new Map((db.prepare('SELECT list_uid, content_watermark FROM hashlist_use').all() as { list_uid: string; content_watermark: number }[])
    .map((u) => [u.list_uid, u.content_watermark]));
  const exhibits = db.prepare(
    'SELECT e.label, (SELECT max(f.content_id) FROM file_instance f WHERE f.exhibit_id = e.id) AS top FROM exhibit e ORDER BY e.label',
  ).all() as { label: string; top: number | null }[];
  const out: UnmatchedExhibit[] = [];
  for (const e of exhibits) {
    if (e.top === null) continue;
    const top = e.top;
    const missed = lists.filter((l) => (watermark.get(l.uid) ?? 0) < top).map((l) => `${l.name} v${l.version}`);
    if (missed.length) out.push({ label: e.label, lists: missed });
  }
  return out;
}

export function describeUnmatched(u: UnmatchedExhibit): string {
  return `exhibit ${u.label} was not matched against the current hash lists ${u.lists.join(', ')}; run kestrel match (or Match in the app) before relying on this package`;
}

export const schemeName = (s: SchemeId): string => SCHEMES[s].name;
