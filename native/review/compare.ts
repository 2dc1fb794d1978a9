import type { OpenCase } from '../catalog/case.js';
import { hammingHex } from '../hashing/hamming.js';
import { displayPath } from '../util/pathBytes.js';
import { KestrelError } from '../util/result.js';
import { caseScheme, currentCategory } from './decisions.js';

/**
 * Side-by-side comparisons for the review: two items of the case, or one item beside the evidence
 * of what it matched on a list (whose own picture Kestrel never has). Both are rows aligned field
 * by field, each marked same or different, so the screen and the CLI print the same judgement.
 */

export interface CompareRow {
  /** Stable key of the field: md5, sha1, sha256, pdq, blockhash, width, height, size, type, name, exif.make ... */
  field: string;
  label: string;
  a: string | null;
  b: string | null;
  /** Both present and equal; null when either side has no value (nothing to compare). */
  same: boolean | null;
}

export interface CompareSide {
  id: number;
  sha256: string;
  name: string;
  path: string;
  exhibitLabel: string | null;
  type: string;
  hasThumbnail: boolean;
  category: string | null;
}

export interface PdqDistance {
  /** Hamming distance between the two PDQ hashes of the pictures as displayed. */
  asDisplayed: number;
  /**
   * The smallest distance between any of the 8 dihedral variants of one picture and the other as
   * displayed, either way round: the distance near-duplicate grouping uses (native/matching/matcher.ts).
   */
  nearest: number;
  /** Which variant gave `nearest` (0 = as displayed) and of which side. */
  dihedral: number;
  turned: 'a' | 'b';
}

export interface ItemComparison {
  a: CompareSide;
  b: CompareSide;
  pdq: PdqDistance | null;
  blockhashDistance: number | null;
  /** Both in one near-duplicate group: the group, and each side's stored distance to its representative. */
  group: { id: number; representative: number | null; aToRepresentative: number | null; bToRepresentative: number | null } | null;
  rows: CompareRow[];
}

export interface MatchSideBySide {
  list: string;
  listVersion: number;
  listSha256: string;
  known: boolean;
  algorithm: string;
  distance: number;
  threshold: number;
  dihedral: number | null;
  category: string | null;
  scheme: string | null;
  /** Left: the item; right: the list entry. The matched hash is the first row. */
  rows: CompareRow[];
}

export interface MatchComparison {
  item: CompareSide;
  matches: MatchSideBySide[];
}

interface ContentRow { id: number; sha256: string; sha1: string; md5: string; size: number; detected_type: string }
interface ImageRow {
  width: number | null; height: number | null; pdq: string | null; pdq_quality: number | null; pdq_dihedral: string | null;
  blockhash: string | null; exif: string | null; thumbnail: string | null;
}

interface Loaded {
  side: CompareSide;
  content: ContentRow;
  image: ImageRow | undefined;
  exif: Record<string, string>;
  names: string[];
  group: { group_id: number; representative_distance: number | null } | undefined;
}

function load(c: OpenCase, contentId: number): Loaded {
  const content = c.db.prepare('SELECT id, sha256, sha1, md5, size, detected_type FROM content WHERE id = ?').get(contentId) as ContentRow | undefined;
  if (!content) throw new KestrelError(`content ${contentId}: no such item in this case`, 'E_NO_CONTENT');
  const image = c.db.prepare(
    'SELECT width, height, pdq, pdq_quality, pdq_dihedral, blockhash, exif, thumbnail FROM image_data WHERE content_id = ?',
  ).get(contentId) as ImageRow | undefined;
  const files = c.db.prepare(
    'SELECT f.path, e.label FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id WHERE f.content_id = ? ORDER BY f.id',
  ).all(contentId) as { path: Buffer; label: string }[];
  const paths = files.map((f) => displayPath(f.path));
  const names = [...new Set(paths.map((p) => p.slice(p.lastIndexOf('/') + 1)))];
  const group = c.db.prepare('SELECT group_id, representative_distance FROM near_duplicate_member WHERE content_id = ?').get(contentId) as
    { group_id: number; representative_distance: number | null } | undefined;
  return {
    side: {
      id: content.id, sha256: content.sha256, name: names[0] ?? '', path: paths[0] ?? '', exhibitLabel: files[0]?.label ?? null,
      type: content.detected_type, hasThumbnail: Boolean(image?.thumbnail), category: currentCategory(c.db, contentId),
    },
    content, image, exif: flatExif(image?.exif ?? null), names, group,
  };
}

/** EXIF as dotted keys to text (gps.latitude ...), so two pictures' fields line up one a row. */
function flatExif(json: string | null): Record<string, string> {
  if (!json) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { unparseable: json };
  }
  const out: Record<string, string> = {};
  const walk = (value: unknown, prefix: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else if (value !== null && value !== undefined) {
      out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  };
  walk(parsed, '');
  return out;
}

function row(field: string, label: string, a: string | number | null | undefined, b: string | number | null | undefined): CompareRow {
  const x = a === null || a === undefined ? null : String(a);
  const y = b === null || b === undefined ? null : String(b);
  return { field, label, a: x, b: y, same: x === null || y === null ? null : x === y };
}

function dihedrals(image: ImageRow | undefined): string[] {
  if (!image?.pdq_dihedral) return image?.pdq ? [image.pdq] : [];
  const parsed = JSON.parse(image.pdq_dihedral) as unknown;
  return Array.isArray(parsed) ? parsed.filter((h): h is string => typeof h === 'string') : [];
}

function pdqDistance(a: ImageRow | undefined, b: ImageRow | undefined): PdqDistance | null {
  if (!a?.pdq || !b?.pdq) return null;
  let best = { nearest: hammingHex(a.pdq, b.pdq), dihedral: 0, turned: 'a' as 'a' | 'b' };
  for (const [turned, variants, other] of [['a', dihedrals(a), b.pdq], ['b', dihedrals(b), a.pdq]] as const) {
    variants.forEach((h, i) => {
      const d = hammingHex(h, other);
      if (d < best.nearest) best = { nearest: d, dihedral: i, turned };
    });
  }
  return { asDisplayed: hammingHex(a.pdq, b.pdq), ...best };
}

/** Two items of the case side by side: hashes, distances, dimensions, size, names and EXIF aligned. */
export function compareItems(c: OpenCase, aId: number, bId: number): ItemComparison {
  const a = load(c, aId);
  const b = load(c, bId);
  const rows: CompareRow[] = [
    row('md5', 'MD5', a.content.md5, b.content.md5),
    row('sha1', 'SHA-1', a.content.sha1, b.content.sha1),
    row('sha256', 'SHA-256', a.content.sha256, b.content.sha256),
    row('pdq', 'PDQ', a.image?.pdq, b.image?.pdq),
    row('pdqQuality', 'PDQ quality', a.image?.pdq_quality, b.image?.pdq_quality),
    row('blockhash', 'Blockhash', a.image?.blockhash, b.image?.blockhash),
    row('width', 'Width (px)', a.image?.width, b.image?.width),
    row('height', 'Height (px)', a.image?.height, b.image?.height),
    row('size', 'Size (bytes)', a.content.size, b.content.size),
    row('type', 'Type', a.content.detected_type, b.content.detected_type),
    row('name', 'File name', a.names.join(', '), b.names.join(', ')),
    row('path', 'First path', a.side.path, b.side.path),
    row('exhibit', 'Exhibit', a.side.exhibitLabel, b.side.exhibitLabel),
    row('category', 'Category', a.side.category, b.side.category),
  ];
  const exifKeys = [...new Set([...Object.keys(a.exif), ...Object.keys(b.exif)])].sort();
  for (const k of exifKeys) rows.push(row(`exif.${k}`, `EXIF ${k}`, a.exif[k], b.exif[k]));
  const sameGroup = a.group && b.group && a.group.group_id === b.group.group_id ? a.group.group_id : null;
  const representative = sameGroup === null ? null
    : (c.db.prepare('SELECT representative FROM near_duplicate_group WHERE id = ?').get(sameGroup) as { representative: number | null }).representative;
  return {
    a: a.side,
    b: b.side,
    pdq: pdqDistance(a.image, b.image),
    blockhashDistance: a.image?.blockhash && b.image?.blockhash && a.image.blockhash.length === b.image.blockhash.length
      ? hammingHex(a.image.blockhash, b.image.blockhash) : null,
    group: sameGroup === null ? null : {
      id: sameGroup, representative,
      aToRepresentative: a.group?.representative_distance ?? null, bToRepresentative: b.group?.representative_distance ?? null,
    },
    rows,
  };
}

const ALGORITHM_LABEL: Readonly<Record<string, string>> = { md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256', pdq: 'PDQ', blockhash: 'Blockhash' };

/**
 * An item beside each list entry it matched: the entry's hash against the item's hash of the same
 * algorithm (for a perceptual match, the dihedral variant that matched), the distance and threshold,
 * the list's category and scheme beside the examiner's decision, the entry's label beside the
 * item's file names. The list entry's picture is never available; this is the evidence instead.
 */
export function compareMatches(c: OpenCase, contentId: number): MatchComparison {
  const item = load(c, contentId);
  const matches = c.db.prepare(
    `SELECT u.list_name, u.list_version, u.list_sha256, m.entry_record, m.entry_hash, m.entry_media_id, m.entry_label,
       m.algorithm, m.distance, m.threshold, m.dihedral, m.category, m.scheme, m.known, m.matched_at
     FROM hash_match m JOIN hashlist_use u ON u.id = m.use_id WHERE m.content_id = ? ORDER BY m.known, m.distance, u.list_name, m.id`,
  ).all(contentId) as {
    list_name: string; list_version: number; list_sha256: string; entry_record: number; entry_hash: string; entry_media_id: string | null;
    entry_label: string | null; algorithm: string; distance: number; threshold: number; dihedral: number | null; category: string | null;
    scheme: string | null; known: number; matched_at: string;
  }[];
  const ours: Record<string, string | null | undefined> = {
    md5: item.content.md5, sha1: item.content.sha1, sha256: item.content.sha256, pdq: item.image?.pdq, blockhash: item.image?.blockhash,
  };
  const variants = dihedrals(item.image);
  const scheme = caseScheme(c.db);
  return {
    item: item.side,
    matches: matches.map((m) => {
      const our = m.algorithm === 'pdq' && m.dihedral !== null && m.dihedral > 0 ? variants[m.dihedral] : ours[m.algorithm];
      const label = `${ALGORITHM_LABEL[m.algorithm] ?? m.algorithm}${m.algorithm === 'pdq' && m.dihedral ? ` (dihedral variant ${m.dihedral})` : ''}`;
      const entryRow = row(`hash.${m.algorithm}`, `${label}: matched hash`, our?.toLowerCase(), m.entry_hash.toLowerCase());
      const rows: CompareRow[] = [
        // A perceptual hash matches within a distance: equal only when the distance is 0.
        { ...entryRow, same: entryRow.same === null ? null : m.distance === 0 && entryRow.same },
        { field: 'distance', label: 'Distance (bits)', a: String(m.distance), b: `threshold ${m.threshold}`, same: null },
        {
          field: 'category', label: 'Category (examiner / list)', a: item.side.category,
          b: m.category === null ? null : `${m.category} (${m.scheme ?? '?'})`,
          same: item.side.category === null || m.category === null ? null : item.side.category === m.category && m.scheme === scheme,
        },
        {
          field: 'name', label: 'File names / list label', a: item.names.join(', ') || null, b: m.entry_label,
          same: m.entry_label === null ? null : item.names.includes(m.entry_label),
        },
        row('mediaId', 'Media ID', null, m.entry_media_id),
        row('record', 'Record in list file', null, m.entry_record),
        row('matchedAt', 'Matched at', null, m.matched_at),
      ];
      for (const alg of ['md5', 'sha1', 'sha256', 'pdq', 'blockhash']) {
        if (alg !== m.algorithm) rows.push(row(alg, ALGORITHM_LABEL[alg]!, ours[alg], null));
      }
      return {
        list: m.list_name, listVersion: m.list_version, listSha256: m.list_sha256, known: m.known === 1, algorithm: m.algorithm,
        distance: m.distance, threshold: m.threshold, dihedral: m.dihedral, category: m.category, scheme: m.scheme, rows,
      };
    }),
  };
}
