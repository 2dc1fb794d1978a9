import type { Db } from '../catalog/sqlite.js';

/**
 * What the lab library said about a content of this case, as the case recorded it (lab_match):
 * another case holds the same bytes (exact, SHA-256) or a near-duplicate (PDQ within the threshold),
 * and what that case's examiner made of it. Intelligence for the examiner, never a decision: it is
 * kept apart from list hits everywhere it is shown or exported.
 */
export interface CaseHit {
  /** The other case's number and the exhibit(s) it was found in there. */
  case: string;
  exhibit: string;
  category: string | null;
  scheme: string | null;
  /** Who categorised it there and when (or when it was contributed, for an uncategorised list hit). */
  examiner: string | null;
  date: string | null;
  algorithm: 'sha256' | 'pdq';
  distance: number;
  threshold: number;
  /** For PDQ hits, which of this content's 8 dihedral variants matched (0 = as displayed). */
  dihedral: number | null;
  series: string[];
  victims: string[];
  libraryVersion: number;
  matchedAt: string;
  /** "seen in case 2025-0412, exhibit EX-03, categorised 1 (vic-us) by J. Jansen on 2026-03-02, exact (SHA-256)". */
  sentence: string;
}

interface Raw {
  content_id: number; case_number: string; exhibit: string; category: string | null; scheme: string | null; examiner: string | null;
  decided_at: string | null; contributed_at: string; algorithm: 'sha256' | 'pdq'; distance: number; threshold: number; dihedral: number | null;
  series: string; victims: string; library_version: number; matched_at: string;
}

const COLUMNS = `content_id, case_number, exhibit, category, scheme, examiner, decided_at, contributed_at, algorithm, distance, threshold,
  dihedral, series, victims, library_version, matched_at`;
// Exact before near-duplicate, nearest first, then by case: the strongest evidence leads.
const ORDER = "CASE algorithm WHEN 'sha256' THEN 0 ELSE 1 END, distance, case_number, exhibit, library_item";

export function caseHitsOf(db: Db, contentId: number): CaseHit[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM lab_match WHERE content_id = ? ORDER BY ${ORDER}`).all(contentId) as Raw[]).map(toHit);
}

/** Every content's cross-case hits, for the case package. */
export function caseHitsByContent(db: Db): Map<number, CaseHit[]> {
  const out = new Map<number, CaseHit[]>();
  for (const r of db.prepare(`SELECT ${COLUMNS} FROM lab_match ORDER BY content_id, ${ORDER}`).iterate() as Iterable<Raw>) {
    const list = out.get(r.content_id) ?? [];
    list.push(toHit(r));
    out.set(r.content_id, list);
  }
  return out;
}

function toHit(r: Raw): CaseHit {
  const hit: Omit<CaseHit, 'sentence'> = {
    case: r.case_number, exhibit: r.exhibit, category: r.category, scheme: r.scheme, examiner: r.examiner,
    date: r.decided_at ?? r.contributed_at, algorithm: r.algorithm, distance: r.distance, threshold: r.threshold, dihedral: r.dihedral,
    series: JSON.parse(r.series) as string[], victims: JSON.parse(r.victims) as string[], libraryVersion: r.library_version, matchedAt: r.matched_at,
  };
  return { ...hit, sentence: seenInSentence(hit) };
}

/** How the match was made, in words: "exact (SHA-256)" or "near-duplicate, PDQ distance 12 <= 31, mirrored variant 4". */
export function howMatched(h: Pick<CaseHit, 'algorithm' | 'distance' | 'threshold' | 'dihedral'>): string {
  if (h.algorithm === 'sha256') return 'exact (SHA-256)';
  return `near-duplicate, PDQ distance ${h.distance} <= ${h.threshold}${h.dihedral ? `, dihedral variant ${h.dihedral}` : ''}`;
}

export function seenInSentence(h: Omit<CaseHit, 'sentence'>): string {
  const day = h.date ? h.date.slice(0, 10) : null;
  const what = h.category !== null
    ? `categorised ${h.category} (${h.scheme ?? 'unknown scheme'})${h.examiner ? ` by ${h.examiner}` : ''}${day ? ` on ${day}` : ''}`
    : `not categorised there${day ? `, contributed on ${day}` : ''}`;
  const labels = [...h.series.map((s) => `series ${s}`), ...h.victims.map((v) => `victim ${v}`)];
  return `seen in case ${h.case}, exhibit ${h.exhibit}, ${what}, ${howMatched(h)}${labels.length ? `; ${labels.join(', ')}` : ''}`;
}
