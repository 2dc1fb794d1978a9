import { canonicalJson } from '../util/canonicalJson.js';

/**
 * What a known-material list says about an item beyond its hashes and category, as the VICS and ICSE
 * readers keep it in an entry's details. It is the list's word (a victim identified, a series name, a
 * PhotoDNA value Kestrel never computes), so it is passed on as given and only where the case file is
 * the listed file: an exact MD5, SHA-1 or SHA-256 match, never a perceptual one.
 */
export interface Carried {
  photoDna?: string;
  series?: string;
  victimIdentified?: boolean;
  offenderIdentified?: boolean;
  isDistributed?: boolean;
  relativeFilePath?: string;
  dateUpdated?: string;
  tags?: string;
}

const TEXT_FIELDS = ['photoDna', 'relativeFilePath', 'dateUpdated'] as const;
const FLAG_FIELDS = ['victimIdentified', 'offenderIdentified', 'isDistributed'] as const;

export const EXACT_ALGORITHMS: ReadonlySet<string> = new Set(['md5', 'sha1', 'sha256']);

/** The carried part of an entry's details (JSON text from the library), as canonical JSON, or null when there is none. */
export function carriedJson(details: string | null): string | null {
  if (details === null) return null;
  const d = JSON.parse(details) as Record<string, unknown>;
  const out: Carried = {};
  for (const k of TEXT_FIELDS) if (typeof d[k] === 'string' && d[k] !== '') out[k] = d[k];
  for (const k of FLAG_FIELDS) if (typeof d[k] === 'boolean') out[k] = d[k];
  // VICS Series may be a number; Tags a string or an array: both go on as the string VICS consumers read.
  if ((typeof d['series'] === 'string' && d['series'] !== '') || typeof d['series'] === 'number') out.series = String(d['series']);
  if (typeof d['tags'] === 'string' && d['tags'] !== '') out.tags = d['tags'];
  else if (Array.isArray(d['tags']) && d['tags'].length > 0) out.tags = d['tags'].map(String).join(', ');
  return Object.keys(out).length === 0 ? null : canonicalJson(out);
}

/**
 * One item's carried data from all its exact matches, in the order given (lists in the order they
 * were first matched): each field from the first list that has it.
 */
export function mergeCarried(all: readonly Carried[]): Carried {
  const out: Carried = {};
  for (const c of all) {
    for (const [k, v] of Object.entries(c) as [keyof Carried, Carried[keyof Carried]][]) {
      if (out[k] === undefined && v !== undefined) (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}
