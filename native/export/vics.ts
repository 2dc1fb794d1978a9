import type { Finding, PackageData } from './collect.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/version.js';

/**
 * Project VIC VICS 2.0, Cases form: one Case whose Media are the findings (one per unique content)
 * and whose MediaFiles are every place that content was found. Since a finding's category may be
 * of another scheme than VIC US, every Media also names its scheme and code (CategoryScheme,
 * CategoryCode) so that a number is never read in the wrong scheme.
 * PDQ, blockhash and SHA-256 travel in AlternativeHashes, as VICS 2.0 carries hashes it has no field for.
 */
export const VICS_CONTEXT = 'http://github.com/ICMEC/ProjectVic/DataModels/2.0.xml/CUSTOM/$metadata#Cases';

export const ALT_HASH_SHA256 = 'SHA256';
export const ALT_HASH_PDQ = 'PDQ';
export const ALT_HASH_BLOCKHASH = 'Blockhash';

export function buildVics(data: PackageData): unknown {
  return {
    '@odata.context': VICS_CONTEXT,
    value: [
      {
        CaseID: data.info.caseUuid,
        CaseNumber: data.info.caseNumber,
        ContactName: data.info.examiner,
        CaseDescription: data.info.description ?? '',
        SourceApplicationName: TOOL_NAME,
        SourceApplicationVersion: TOOL_VERSION,
        Media: data.findings.map((f, i) => media(f, i + 1)),
      },
    ],
  };
}

function media(f: Finding, mediaId: number): Record<string, unknown> {
  const alternative: { HashName: string; HashValue: string }[] = [{ HashName: ALT_HASH_SHA256, HashValue: f.sha256 }];
  if (f.image?.pdq) {
    alternative.push({ HashName: ALT_HASH_PDQ, HashValue: f.image.pdq });
  }
  if (f.image?.blockhash) alternative.push({ HashName: ALT_HASH_BLOCKHASH, HashValue: f.image.blockhash });
  const cat = f.category;
  return {
    MediaID: mediaId,
    Category: vicsCategory(cat),
    CategoryScheme: cat?.scheme ?? null,
    CategoryCode: cat?.code ?? null,
    IsPrecategorized: cat?.source === 'hash list',
    MD5: f.md5.toUpperCase(),
    SHA1: f.sha1.toUpperCase(),
    MediaSize: f.size,
    MimeType: f.detectedType,
    ...(f.image?.pdq && f.image.pdqQuality !== null ? { PDQQuality: f.image.pdqQuality } : {}),
    ...(f.image?.width != null && f.image.height != null ? { Width: f.image.width, Height: f.image.height } : {}),
    Tags: f.tags,
    Comments: f.notes.map((n) => `${n.examiner}, ${n.createdAt}: ${n.text}`).join('\n'),
    AlternativeHashes: alternative,
    MediaFiles: f.instances.map((inst) => ({
      FileName: baseName(inst.pathText),
      FilePath: inst.pathText,
      SourceID: inst.exhibitLabel,
      Created: inst.birthtime,
      Written: inst.mtime,
      Accessed: inst.atime,
      Changed: inst.ctime,
      FileSize: inst.size,
    })),
  };
}

/**
 * VIC US and DHS categories are numbers in VICS (DHS CAT-2 is written 2, as DHS lists do); CAID
 * and custom codes are written as they are. CategoryScheme always says which scheme the value is in.
 */
function vicsCategory(cat: Finding['category']): number | string | null {
  if (!cat) return null;
  if (cat.scheme === 'vic-us' && /^\d+$/.test(cat.code)) return Number(cat.code);
  if (cat.scheme === 'dhs' && /^CAT-\d+$/.test(cat.code)) return Number(cat.code.slice(4));
  return cat.code;
}

function baseName(pathText: string): string {
  const i = pathText.lastIndexOf('/');
  return i < 0 ? pathText : pathText.slice(i + 1);
}
