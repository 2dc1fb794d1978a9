import type { Finding, PackageData } from './collect.js';
import type { SchemeId } from '../catalog/schemes.js';
import type { Carried } from '../matching/carried.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/version.js';

/**
 * Project VIC VICS 2.0, Cases form: one Case whose Media are the findings (one per unique content)
 * and whose MediaFiles are every place that content was found. Since a finding's category may be
 * of another scheme than VIC US, every Media also names its scheme and code (CategoryScheme,
 * CategoryCode) so that a number is never read in the wrong scheme.
 * PDQ, blockhash and SHA-256 travel in AlternativeHashes, as VICS 2.0 carries hashes it has no field for.
 */
const VICS_MODEL_BASE = 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml';

/** The VICS 2.0 data models: US and UK carry their schemes' numbers, CUSTOM defers to CategoryScheme. */
export type VicsModel = 'US' | 'UK' | 'Default' | 'CUSTOM';

/**
 * The context URL in the form VICS 2.0 producers write it. `Media` is the form IPED reads (the Media
 * directly under `value`), `Cases` the form with case details around them.
 */
export function vicsContext(model: VicsModel, form: 'Cases' | 'Media'): string {
  return `${VICS_MODEL_BASE}/${model}/$metadata#${form}`;
}

/** The model whose numbering every category given fits; a mix of schemes, or DHS and custom ones, need CUSTOM. */
export function vicsModelFor(schemes: Iterable<SchemeId>): VicsModel {
  const set = new Set(schemes);
  if (set.size === 0) return 'Default';
  if (set.size > 1) return 'CUSTOM';
  const [only] = set;
  return only === 'vic-us' ? 'US' : only === 'caid-uk' ? 'UK' : 'CUSTOM';
}

/** How booleans are written: JSON booleans, or the strings "true"/"false" as the distributions write them. */
export type VicsBooleans = 'json' | 'string';

export function vicsBool(value: boolean | null | undefined, style: VicsBooleans): boolean | string | null {
  if (value === null || value === undefined) return null;
  return style === 'json' ? value : value ? 'true' : 'false';
}

export interface VicsOptions {
  form?: 'Cases' | 'Media';
  booleans?: VicsBooleans;
}

export const ALT_HASH_SHA256 = 'SHA256';
export const ALT_HASH_PDQ = 'PDQ';
export const ALT_HASH_BLOCKHASH = 'Blockhash';
export const ALT_HASH_PHOTODNA = 'PhotoDNA';

export function buildVics(data: PackageData, options: VicsOptions = {}): unknown {
  const booleans = options.booleans ?? 'json';
  const model = vicsModelFor(data.findings.flatMap((f) => (f.category ? [f.category.scheme] : [])));
  const media = data.findings.map((f, i) => mediaOf(f, i + 1, booleans));
  if (options.form === 'Media') return { '@odata.context': vicsContext(model, 'Media'), value: media };
  return {
    '@odata.context': vicsContext(model, 'Cases'),
    value: [
      {
        CaseID: data.info.caseUuid,
        CaseNumber: data.info.caseNumber,
        ContactName: data.info.examiner,
        CaseDescription: data.info.description ?? '',
        SourceApplicationName: TOOL_NAME,
        SourceApplicationVersion: TOOL_VERSION,
        Media: media,
      },
    ],
  };
}

function mediaOf(f: Finding, mediaId: number, booleans: VicsBooleans): Record<string, unknown> {
  // Every AlternativeHashes and MediaFiles entry names its Media's MD5, as the 2.0 producers write it
  // (consumers join the nested entries to their Media by it).
  const md5 = f.md5.toUpperCase();
  const alternative: { HashName: string; HashValue: string; MD5: string }[] = [{ HashName: ALT_HASH_SHA256, HashValue: f.sha256, MD5: md5 }];
  if (f.image?.pdq) {
    alternative.push({ HashName: ALT_HASH_PDQ, HashValue: f.image.pdq, MD5: md5 });
  }
  if (f.image?.blockhash) alternative.push({ HashName: ALT_HASH_BLOCKHASH, HashValue: f.image.blockhash, MD5: md5 });
  // PhotoDNA only as a list holding this very file gave it: Kestrel never computes it.
  const carried = f.carried;
  if (carried.photoDna) alternative.push({ HashName: ALT_HASH_PHOTODNA, HashValue: carried.photoDna, MD5: md5 });
  const cat = f.category;
  const dateUpdated = f.decision?.decidedAt ?? carried.dateUpdated;
  const tags = [...(carried.tags ? [carried.tags] : []), ...f.tags];
  return {
    MediaID: mediaId,
    Category: vicsCategory(cat),
    CategoryScheme: cat?.scheme ?? null,
    CategoryCode: cat?.code ?? null,
    IsPrecategorized: vicsBool(cat?.source === 'hash list', booleans),
    ...(dateUpdated !== undefined ? { DateUpdated: dateUpdated } : {}),
    MD5: md5,
    SHA1: f.sha1.toUpperCase(),
    MediaSize: f.size,
    MimeType: f.detectedType,
    ...(f.image?.pdq && f.image.pdqQuality !== null ? { PDQQuality: f.image.pdqQuality } : {}),
    ...(f.image?.width != null && f.image.height != null ? { Width: f.image.width, Height: f.image.height } : {}),
    ...(f.video?.width != null && f.video.height != null && !f.image ? { Width: f.video.width, Height: f.video.height } : {}),
    ...carriedVics(carried, booleans),
    // VICS 2.0 Tags is one string; IPED and Griffeye read it so. The list's tags come first, as given.
    Tags: tags.join(', '),
    Comments: f.notes.map((n) => `${n.examiner}, ${n.createdAt}: ${n.text}`).join('\n'),
    AlternativeHashes: alternative,
    // An OData instance annotation, which VICS readers that do not know it skip: the other cases of the
    // lab library holding this Media, kept apart from its category and from list hits.
    ...(f.caseHits.length ? { '@kestrel.seenInCases': f.caseHits.map((h) => ({
      CaseNumber: h.case, SourceID: h.exhibit, CategoryScheme: h.scheme, CategoryCode: h.category, Examiner: h.examiner, Date: h.date,
      Algorithm: h.algorithm, Distance: h.distance, Threshold: h.threshold, Series: h.series, Victims: h.victims, Statement: h.sentence,
    })) } : {}),
    ...videoAnnotations(f),
    MediaFiles: f.instances.map((inst) => ({
      MD5: md5,
      FileName: baseName(inst.pathText),
      FilePath: inst.pathText,
      SourceID: inst.exhibitLabel,
      Created: inst.birthtime,
      Written: inst.mtime,
      Accessed: inst.atime,
      Changed: inst.ctime,
      FileSize: inst.size,
      // Kestrel's additions for a file from a disk image or an archive (absent for live folder files):
      // VICS has no field for where a file system kept it, and readers pass unknown fields over.
      ...(inst.flags.length ? { Flags: inst.flags.join('; ') } : {}),
      ...(inst.inode ? { FileSystemAddress: inst.inode, FileSystemType: inst.fsType } : {}),
    })),
  };
}

/**
 * A video Media: what it is (duration, codecs, frame rate, how its frames were hashed) and its vPDQ
 * matches against listed videos, as OData instance annotations beside the standard fields, which
 * VICS readers that do not know them skip. A list's category through a video match is the Media's
 * Category as for any list hit; these say how the video met the listed one.
 */
function videoAnnotations(f: Finding): Record<string, unknown> {
  const v = f.video;
  return {
    ...(v ? { '@kestrel.video': {
      DurationSeconds: v.durationSec, VideoCodec: v.videoCodec, AudioCodec: v.audioCodec, FrameRate: v.frameRate, Container: v.container,
      SecondsPerHash: v.secondsPerHash, FramesHashed: v.framesHashed, ...(v.decodeError ? { DecodeError: v.decodeError } : {}),
    } } : {}),
    ...(f.videoMatches.length ? { '@kestrel.videoMatches': f.videoMatches.map((m) => ({
      Algorithm: m.algorithm, AlgorithmVersion: m.algorithmVersion, List: m.list, ListVersion: m.listVersion, ListedVideo: m.entry,
      Match: m.match, Containment: m.containment,
      QueryMatchPercent: m.queryMatchPercent, ComparedMatchPercent: m.comparedMatchPercent,
      QueryCoveragePercent: m.queryCoveragePercent, ComparedCoveragePercent: m.comparedCoveragePercent,
      QueryRanges: m.queryRanges, ComparedRanges: m.comparedRanges, MinDistance: m.minDistance, BlackBarsCut: m.variant === 1,
      DistanceThreshold: m.distanceThreshold, QualityThreshold: m.qualityThreshold, MatchPercentThreshold: m.matchPercentThreshold,
      CategoryScheme: m.scheme, CategoryCode: m.category, MatchedAt: m.matchedAt,
    })) } : {}),
  };
}

/** The VICS fields a list carried (Series, the victim and offender flags, IsDistributed, RelativeFilePath), when it did. */
export function carriedVics(c: Carried, booleans: VicsBooleans): Record<string, unknown> {
  return {
    ...(c.series !== undefined ? { Series: c.series } : {}),
    ...(c.victimIdentified !== undefined ? { VictimIdentified: vicsBool(c.victimIdentified, booleans) } : {}),
    ...(c.offenderIdentified !== undefined ? { OffenderIdentified: vicsBool(c.offenderIdentified, booleans) } : {}),
    ...(c.isDistributed !== undefined ? { IsDistributed: vicsBool(c.isDistributed, booleans) } : {}),
    ...(c.relativeFilePath !== undefined ? { RelativeFilePath: c.relativeFilePath } : {}),
  };
}

/**
 * VIC US and DHS categories are numbers in VICS (DHS CAT-2 is written 2, as DHS lists do); CAID
 * and custom codes are written as they are. CategoryScheme always says which scheme the value is in.
 */
export function vicsCategory(cat: { scheme: SchemeId; code: string } | null): number | string | null {
  if (!cat) return null;
  if (cat.scheme === 'vic-us' && /^\d+$/.test(cat.code)) return Number(cat.code);
  if (cat.scheme === 'dhs' && /^CAT-\d+$/.test(cat.code)) return Number(cat.code.slice(4));
  if (cat.scheme === 'caid-uk' && UK_NUMBER[cat.code] !== undefined) return UK_NUMBER[cat.code]!;
  return cat.code;
}

/** The UK model's numbers for the CAID categories, as the importer reads them. */
const UK_NUMBER: Readonly<Record<string, number>> = { A: 1, B: 2, C: 3, N: 4 };

function baseName(pathText: string): string {
  const i = pathText.lastIndexOf('/');
  return i < 0 ? pathText : pathText.slice(i + 1);
}
