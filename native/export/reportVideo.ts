import type { Finding, VideoMatchData } from './collect.js';
import type { Section } from './report.js';
import { formatRanges, percent, videoFacts, videoMatchKind } from './videoFindings.js';

/** A vPDQ match in a finding's Basis cell, one line, beside the lists' hash matches. */
export function videoBasis(v: VideoMatchData): string {
  return `${v.list} ${v.listVersion}: vpdq ${v.algorithmVersion} ${v.match === 'whole' ? 'whole' : 'partial'} match of ${v.entry}, `
    + `${percent(v.queryMatchPercent)} / ${percent(v.comparedMatchPercent)} of frames, this video ${formatRanges(v.queryRanges)} s`;
}

/**
 * The videos a list's video matched, one row per (seized video, listed video): whole or partial
 * and which side contains the other, the shares of matching frames on both sides, the matched time
 * ranges on both sides, the closest frame distance, the thresholds and the algorithm's version.
 */
export function videoReportSection(findings: readonly Finding[]): Section | null {
  const matched = findings.filter((f) => f.videoMatches.length > 0);
  if (matched.length === 0) return null;
  const rows: string[][] = [];
  for (const f of matched) {
    for (const v of f.videoMatches) {
      rows.push([
        f.sha256,
        f.instances.map((i) => `${i.exhibitLabel}: ${i.pathText}`).join('\n'),
        f.video ? videoFacts(f.video) : 'not analysed',
        `${v.entry} (${v.list} version ${v.listVersion})${v.category !== null && v.scheme ? `\nlist category ${v.category} (${v.scheme})` : ''}`,
        videoMatchKind(v),
        `this video ${percent(v.queryMatchPercent)} of its hashed frames (spanning ${percent(v.queryCoveragePercent)} of its length)\n`
          + `listed video ${percent(v.comparedMatchPercent)} of its frames (spanning ${percent(v.comparedCoveragePercent)} of its length)`,
        `this video ${formatRanges(v.queryRanges)} s\nlisted video ${formatRanges(v.comparedRanges)} s`,
        `closest frame distance ${v.minDistance}${v.variant === 1 ? ' (frames with black bars cut away)' : ''}\n`
          + `frame distance <= ${v.distanceThreshold}, frame quality >= ${v.qualityThreshold}, whole match >= ${v.matchPercentThreshold}% of frames`,
        `vPDQ ${v.algorithmVersion}, ${v.rule}; matched ${v.matchedAt}`,
      ]);
    }
  }
  const whole = matched.flatMap((f) => f.videoMatches).filter((v) => v.match === 'whole').length;
  return {
    title: 'Video matches (vPDQ)',
    blocks: [
      {
        kind: 'text',
        text: `${matched.length} video(s) matched listed videos by vPDQ: ${whole} whole and ${rows.length - whole} partial match(es). `
          + 'vPDQ hashes frames of both videos with PDQ and counts the frames of each that have a frame within the distance threshold in the other. '
          + 'A whole match needs the threshold share on both sides; a partial match means one video is a part of the other (a clip cut from it, '
          + 'or a longer recording holding it), and the time ranges say which part. The seized videos were hashed at the sampling stated, the listed ones as the list gives them.',
      },
      {
        kind: 'table',
        headers: ['SHA-256', 'Found at', 'Video', 'Listed video', 'Match', 'Frames matched', 'Matched time ranges', 'Distance and thresholds', 'Algorithm'],
        rows,
      },
    ],
  };
}
