import type { Command } from 'commander';
import { openCase } from '../../catalog/case.js';
import { DEFAULT_BLOCKHASH_THRESHOLD, DEFAULT_PDQ_EXTRA_THRESHOLD, DEFAULT_PDQ_THRESHOLD, matchCase, matchLines } from '../../matching/matcher.js';
import { openLabStore } from '../../lab/open.js';
import { openListLibrary } from '../../lab/lists.js';
import { caseMatchLines, crossMatchCase } from '../../lab/crossMatch.js';
import { videoMatchLines } from '../../matching/videoMatcher.js';
import { printJsonLine } from '../output.js';
import { LAB_LIBRARY_HELP } from './library.js';

export function registerMatch(program: Command): void {
  program
    .command('match')
    .description('match a case against every list in the hash library (exact MD5/SHA-1/SHA-256, perceptual PDQ and blockhash, videos by vPDQ) and against the other cases of the lab library')
    .argument('<CASE_DIR>')
    .option('--pdq-threshold <BITS>', 'largest PDQ distance that matches', (v) => Number(v), DEFAULT_PDQ_THRESHOLD)
    .option('--blockhash-threshold <BITS>', 'largest blockhash distance that matches', (v) => Number(v), DEFAULT_BLOCKHASH_THRESHOLD)
    .option('--pdq-extra-threshold <BITS>', `largest distance for a PDQ match through an extra hash of a picture (border-trimmed, or one of its crops) when the plain PDQ does not match (default: ${DEFAULT_PDQ_EXTRA_THRESHOLD}, or --pdq-threshold if lower)`, (v) => Number(v))
    .option('--library <SPEC>', LAB_LIBRARY_HELP)
    .option('--examiner <NAME>', 'who ran the match (recorded in the audit log)')
    .option('--json', 'one JSON object per (file, match): "kind": "list" for hash-list hits ("via" names the extra hash, its region and hash when a PDQ match was made through one; videos: "algorithm": "vpdq" with "match" whole or partial, queryMatchPercent, comparedMatchPercent, queryRanges, comparedRanges), "kind": "case" for other cases; then a summary line')
    .action(async (dir: string, opts: { pdqThreshold: number; blockhashThreshold: number; pdqExtraThreshold?: number; library?: string; examiner?: string; json?: boolean }) => {
      const c = openCase(dir);
      try {
        const lib = await openListLibrary(opts.library);
        let summary;
        try {
          summary = await matchCase(c, lib, {
            pdqThreshold: opts.pdqThreshold,
            blockhashThreshold: opts.blockhashThreshold,
            ...(opts.pdqExtraThreshold !== undefined ? { pdqExtraThreshold: opts.pdqExtraThreshold } : {}),
            ...(opts.examiner ? { examiner: opts.examiner } : {}),
          });
        } finally {
          lib.close();
        }
        const store = await openLabStore(opts.library);
        let cases;
        try {
          cases = await crossMatchCase(c, store, { pdqThreshold: opts.pdqThreshold, ...(opts.examiner ? { examiner: opts.examiner } : {}) });
        } finally {
          await store.close();
        }
        if (opts.json) {
          for (const line of matchLines(c.db)) printJsonLine(line);
          for (const line of videoMatchLines(c.db)) printJsonLine(line);
          for (const line of caseMatchLines(c.db)) printJsonLine(line);
          printJsonLine({ summary: { ...summary, cases } });
        } else {
          process.stdout.write(
            `matched ${c.dir} against ${summary.lists} list(s) (${summary.listsMatched} needed work, ${summary.listsUpToDate} up to date): ` +
            `${summary.newMatches} new match(es); ${summary.matches} in all on ${summary.matchedContents} content(s) ` +
            `(${summary.alertMatches} alert, ${summary.knownMatches} known-file; ${summary.extraHashMatches} PDQ through an extra hash); ${summary.pdqSkippedLowQuality} picture(s) with PDQ quality below 50 skipped; ` +
            `${summary.nearDuplicateGroups} near-duplicate group(s); ` +
            `${summary.videoMatches} video match(es) by vPDQ (${summary.videoWholeMatches} whole, ${summary.videoPartialMatches} partial)\n` +
            `other cases in the lab library (${cases.casesInLibrary}): ${cases.caseMatches} hit(s) on ${cases.contentsSeenElsewhere} content(s) ` +
            `from ${cases.otherCases} case(s) (${cases.exactCaseMatches} exact, ${cases.perceptualCaseMatches} PDQ)\n`);
        }
      } finally {
        c.close();
      }
    });
}
