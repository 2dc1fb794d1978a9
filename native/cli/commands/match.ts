import type { Command } from 'commander';
import { openCase } from '../../catalog/case.js';
import { openLibrary } from '../../hashsets/library.js';
import { DEFAULT_BLOCKHASH_THRESHOLD, DEFAULT_PDQ_THRESHOLD, matchCase, matchLines } from '../../matching/matcher.js';
import { printJsonLine } from '../output.js';

export function registerMatch(program: Command): void {
  program
    .command('match')
    .description('match a case against every list in the hash library (exact MD5/SHA-1/SHA-256, perceptual PDQ and blockhash)')
    .argument('<CASE_DIR>')
    .option('--pdq-threshold <BITS>', 'largest PDQ distance that matches', (v) => Number(v), DEFAULT_PDQ_THRESHOLD)
    .option('--blockhash-threshold <BITS>', 'largest blockhash distance that matches', (v) => Number(v), DEFAULT_BLOCKHASH_THRESHOLD)
    .option('--library <DIR>', 'hash library folder (default: $KESTREL_LIBRARY, else the per-user data folder)')
    .option('--examiner <NAME>', 'who ran the match (recorded in the audit log)')
    .option('--json', 'one JSON object per (file, match), then a summary line')
    .action(async (dir: string, opts: { pdqThreshold: number; blockhashThreshold: number; library?: string; examiner?: string; json?: boolean }) => {
      const c = openCase(dir);
      try {
        const lib = openLibrary(opts.library);
        try {
          const summary = await matchCase(c, lib, {
            pdqThreshold: opts.pdqThreshold,
            blockhashThreshold: opts.blockhashThreshold,
            ...(opts.examiner ? { examiner: opts.examiner } : {}),
          });
          if (opts.json) {
            for (const line of matchLines(c.db)) printJsonLine(line);
            printJsonLine({ summary });
          } else {
            process.stdout.write(
              `matched ${c.dir} against ${summary.lists} list(s) (${summary.listsMatched} needed work, ${summary.listsUpToDate} up to date): ` +
              `${summary.newMatches} new match(es); ${summary.matches} in all on ${summary.matchedContents} content(s) ` +
              `(${summary.alertMatches} alert, ${summary.knownMatches} known-file); ${summary.pdqSkippedLowQuality} picture(s) with PDQ quality below 50 skipped; ` +
              `${summary.nearDuplicateGroups} near-duplicate group(s)\n`);
          }
        } finally {
          lib.close();
        }
      } finally {
        c.close();
      }
    });
}
