import type { PackageData } from './collect.js';
import { formatRanges } from './videoFindings.js';

export const CSV_COLUMNS = [
  'sha256', 'md5', 'sha1', 'size', 'detected_type', 'exhibit', 'path', 'modified', 'changed', 'accessed', 'created',
  'category_scheme', 'category', 'category_label', 'category_source', 'decided_by', 'decided_at',
  'matched_lists', 'match_algorithms', 'min_distance', 'pdq', 'pdq_quality', 'blockhash', 'flags', 'fs_address',
  'seen_in_cases', 'case_hit_algorithms', 'case_hit_min_distance', 'case_hits',
  'video_duration_sec', 'video_codec', 'video_width', 'video_height', 'video_frame_rate',
  'vpdq_matches', 'vpdq_match', 'vpdq_containment', 'query_match_percent', 'compared_match_percent',
  'query_coverage_percent', 'compared_coverage_percent', 'query_ranges', 'compared_ranges',
  'vpdq_min_distance', 'vpdq_thresholds', 'vpdq_version',
] as const;

/**
 * The vPDQ columns hold one value per video match, in the same order in every column, separated by
 * '; ' (a video seldom matches more than one listed video); time ranges are start-end seconds
 * separated by ', '. matched_lists and match_algorithms name the vPDQ lists too; min_distance is
 * that of hash matches only, a video match's closest frame distance is vpdq_min_distance.
 *
 * One row per place a finding was found (a finding: categorised, a list hit, or seen in another case) (RFC 4180: CRLF, fields quoted when they need it).
 * A cell that starts with = + - @ or a tab is prefixed with ' so that a spreadsheet shows it rather
 * than running it as a formula; the paths stay exact in the VICS and CASE/UCO files.
 */
export function buildCsv(data: PackageData): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const f of data.findings) {
    const lists = [...new Set([...f.matches, ...f.videoMatches].map((m) => (m.listVersion ? `${m.list} ${m.listVersion}` : m.list)))].sort();
    const algorithms = [...new Set([...f.matches, ...f.videoMatches].map((m) => m.algorithm))].sort();
    const vm = f.videoMatches;
    const each = (value: (v: (typeof vm)[number]) => string | number | null) => (vm.length ? vm.map((v) => String(value(v) ?? '')).join('; ') : null);
    const video = f.video;
    const minDistance = f.matches.length ? Math.min(...f.matches.map((m) => m.distance)) : null;
    // Cross-case hits are their own columns: a list hit and "seen in another case" are different evidence.
    const otherCases = [...new Set(f.caseHits.map((h) => h.case))].sort();
    const caseAlgorithms = [...new Set(f.caseHits.map((h) => h.algorithm))].sort();
    const caseMinDistance = f.caseHits.length ? Math.min(...f.caseHits.map((h) => h.distance)) : null;
    for (const inst of f.instances) {
      const row: (string | number | null)[] = [
        f.sha256, f.md5, f.sha1, f.size, f.detectedType, inst.exhibitLabel, inst.pathText,
        inst.mtime, inst.ctime, inst.atime, inst.birthtime,
        f.category?.scheme ?? null, f.category?.code ?? null, f.category?.label ?? null, f.category?.source ?? null,
        f.decision?.examiner ?? null, f.decision?.decidedAt ?? null,
        lists.join('; '), algorithms.join('; '), minDistance,
        f.image?.pdq ?? null, f.image?.pdqQuality ?? null, f.image?.blockhash ?? null,
        inst.flags.join('; '), inst.inode,
        otherCases.join('; '), caseAlgorithms.join('; '), caseMinDistance, f.caseHits.map((h) => h.sentence).join('\n'),
        video?.durationSec ?? null, video?.videoCodec ?? null, video?.width ?? null, video?.height ?? null, video?.frameRate ?? null,
        each((v) => `${v.list} ${v.listVersion}: ${v.entry}`), each((v) => v.match), each((v) => v.containment),
        each((v) => v.queryMatchPercent), each((v) => v.comparedMatchPercent), each((v) => v.queryCoveragePercent), each((v) => v.comparedCoveragePercent),
        each((v) => formatRanges(v.queryRanges)), each((v) => formatRanges(v.comparedRanges)), each((v) => v.minDistance),
        each((v) => `distance <= ${v.distanceThreshold}, quality >= ${v.qualityThreshold}, whole >= ${v.matchPercentThreshold}%`),
        each((v) => `vpdq ${v.algorithmVersion}`),
      ];
      lines.push(row.map(cell).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

function cell(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
