import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { openCase } from '../../catalog/case.js';
import { KestrelError } from '../../util/result.js';
import { shareListFrom } from '../../lab/lists.js';
import {
  SHARE_FORMATS, caseShareItems, filterShareItems, parseScheme, parseShareFormat, writeShare, type ShareResult,
} from '../../hashsets/shareExport.js';
import { printJsonLine } from '../output.js';

interface ExportFlags {
  format: string;
  case?: string;
  list?: string;
  listVersion?: string;
  scheme?: string;
  category?: string[];
  booleans?: string;
  library?: string;
  examiner?: string;
  json?: boolean;
}

export function registerHashsetExport(hs: Command): void {
  hs.command('export')
    .description('share hashes (never pictures, paths or notes): a case\'s categorised findings, or a library list, as a hash list for a trusted flagger or platform')
    .argument('<OUT>', 'file to write (must not exist)')
    .requiredOption('--format <FORMAT>', `one of ${SHARE_FORMATS.join(', ')} (vics: VICS 2.0 Cases; vics-media: the Media form IPED reads; te: ThreatExchange "pdq <hash>" lines)`)
    .option('--case <CASE_DIR>', 'export the case\'s categorised findings (recorded in its audit log)')
    .option('--list <NAME>', 'export a list of the hash library')
    .option('--list-version <N>', 'the list version (default: the newest)')
    .option('--scheme <SCHEME>', 'only items categorised in this scheme: vic-us, dhs, caid-uk or custom')
    .option('--category <CODE...>', 'only these categories of --scheme (e.g. 1 2, CAT-1, A B)')
    .option('--booleans <STYLE>', 'VICS booleans: string ("true"/"false", as the distributions write them; default) or json', 'string')
    .option('--library <DIR>', 'hash library folder for --list, or postgres://… for a lab library on PostgreSQL')
    .option('--examiner <NAME>', 'who exports (audit log actor; defaults to the case examiner, or for --list to the user name)')
    .option('--json', 'print the result as JSON')
    .action(async (out: string, flags: ExportFlags) => {
      const format = parseShareFormat(flags.format);
      if ((flags.case === undefined) === (flags.list === undefined)) throw new KestrelError('give exactly one of --case DIR or --list NAME', 'E_USAGE');
      if (flags.booleans !== 'string' && flags.booleans !== 'json') throw new KestrelError(`--booleans ${flags.booleans}: expected string or json`, 'E_USAGE');
      const filter = {
        ...(flags.scheme !== undefined ? { scheme: parseScheme(flags.scheme) } : {}),
        ...(flags.category?.length ? { categories: flags.category } : {}),
      };
      const options = { format, booleans: flags.booleans, ...filter, ...(flags.examiner ? { examiner: flags.examiner } : {}) } as const;
      let r: ShareResult;
      if (flags.case !== undefined) {
        const c = openCase(flags.case);
        try {
          r = await writeShare(out, filterShareItems(caseShareItems(c), filter), options, { kind: 'case', c, source: 'case findings' });
        } finally {
          c.close();
        }
      } else {
        const version = flags.listVersion === undefined ? undefined : Number(flags.listVersion);
        if (version !== undefined && !Number.isSafeInteger(version)) throw new KestrelError(`--list-version ${flags.listVersion}: not a whole number`, 'E_USAGE');
        r = await shareListFrom(flags.library, out, flags.list!, version, (items) => filterShareItems(items, filter), options, userInfo().username);
      }
      if (flags.json) printJsonLine(r);
      else process.stdout.write(`wrote ${r.items} items as ${r.format} to ${r.file}\nSHA-256 ${r.sha256} (recorded in the ${flags.case !== undefined ? 'case' : 'library'} audit log, entry ${r.auditSeq})\n`);
    });
}
