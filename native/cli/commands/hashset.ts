import type { Command } from 'commander';
import { isSchemeId, type SchemeId } from '../../catalog/schemes.js';
import { KestrelError } from '../../util/result.js';
import { LIST_FORMATS, type HashListInfo, type ListFormat } from '../../hashsets/library.js';
import { hashListsIn, importListInto, removeListsFrom } from '../../lab/lists.js';
import { printJsonLine } from '../output.js';
import { registerHashsetExport } from './hashsetExport.js';

const LIBRARY_HELP = 'hash library folder, or postgres://… for a lab library on PostgreSQL (default: $KESTREL_LIBRARY, else the per-user data folder)';

export function registerHashset(program: Command): void {
  const hs = program.command('hashset').description('the lab-wide library of known-material and known-file hash lists');
  hs.command('import')
    .description('import a hash list as a new version in the library (format detected when not given); --format vpdq takes a vPDQ hash file (vpdq-hash-video .txt or python-threatexchange JSON) or a folder of them, one video per file, the file name as label')
    .argument('<FILE_OR_FOLDER>')
    .option('--format <FORMAT>', `one of ${LIST_FORMATS.join(', ')}`)
    .option('--name <NAME>', 'list name (default: the file name)')
    .option('--scheme <SCHEME>', 'category scheme of the list when the file does not tell it: vic-us, dhs, caid-uk or custom (VICS 2.0 files name theirs)')
    .option('--known', 'a list of known files (ignorable, never alerts); NSRL lists always are')
    .option('--skip-invalid', 'import the valid records of a list with bad ones and write a reject report')
    .option('--again', 'import a file the library already holds (same SHA-256) as a further version; refused otherwise')
    .option('--library <DIR>', LIBRARY_HELP)
    .option('--json', 'print the imported list as JSON')
    .action(async (file: string, opts: { format?: string; name?: string; scheme?: string; known?: boolean; skipInvalid?: boolean; again?: boolean; library?: string; json?: boolean }) => {
      if (opts.format !== undefined && !(LIST_FORMATS as readonly string[]).includes(opts.format)) {
        throw new KestrelError(`--format ${opts.format}: not one of ${LIST_FORMATS.join(', ')}`, 'E_USAGE');
      }
      if (opts.scheme !== undefined && !isSchemeId(opts.scheme)) throw new KestrelError(`--scheme ${opts.scheme}: not one of vic-us, dhs, caid-uk, custom`, 'E_USAGE');
      const r = await importListInto(opts.library, file, {
          ...(opts.format !== undefined ? { format: opts.format as ListFormat } : {}),
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          ...(opts.scheme !== undefined ? { scheme: opts.scheme as SchemeId } : {}),
          ...(opts.known ? { known: true } : {}),
          skipInvalid: opts.skipInvalid ?? false,
          ...(opts.again ? { again: true } : {}),
      });
      if (opts.json) printJsonLine(r.list);
      else {
        const l = r.list;
        const d = r.duplicateOf;
        if (d) process.stdout.write(`same bytes as ${d.name} version ${d.version} imported on ${d.importedAt}: imported again as asked (--again), recorded in the library audit log\n`);
        process.stdout.write(`imported ${l.name} version ${l.version} (${l.format}${l.formatVersion ? ` ${l.formatVersion}` : ''}): ` +
          `${l.recordsImported} of ${l.recordsRead} records, ${l.recordsRejected} rejected; ${describeHashes(l)}\n`);
        if (l.rejectReport) process.stdout.write(`reject report: ${l.rejectReport}\n`);
      }
    });
  registerHashsetExport(hs);
  hs.command('list')
    .description('the lists in the library with their provenance')
    .option('--library <DIR>', LIBRARY_HELP)
    .option('--json', 'one JSON object per list')
    .action(async (opts: { library?: string; json?: boolean }) => {
      const { where, lists } = await hashListsIn(opts.library);
      if (opts.json) for (const l of lists) printJsonLine(l);
      else if (lists.length === 0) process.stdout.write(`no hash lists in ${where}\n`);
      else for (const l of lists) {
        process.stdout.write(`${l.name} v${l.version}  ${l.format}${l.formatVersion ? ` ${l.formatVersion}` : ''}  ${l.known ? 'known-file list' : 'alert list'}` +
          `${l.scheme ? `  scheme ${l.scheme}` : ''}  ${l.recordsImported}/${l.recordsRead} records (${l.recordsRejected} rejected)  ${describeHashes(l)}` +
          `  imported ${l.importedAt}  sha256 ${l.fileSha256}  uid ${l.uid}\n`);
      }
    });
  hs.command('remove')
    .description('remove a list from the library (every version, or --version N); cases keep their matches')
    .argument('<NAME_OR_UID>')
    .option('--version <N>', 'only this version', (v) => Number(v))
    .option('--library <DIR>', LIBRARY_HELP)
    .option('--json', 'print the removed lists as JSON')
    .action(async (which: string, opts: { version?: number; library?: string; json?: boolean }) => {
      if (opts.version !== undefined && !Number.isInteger(opts.version)) throw new KestrelError('--version must be a whole number', 'E_USAGE');
      const removed = await removeListsFrom(opts.library, which, opts.version);
      if (opts.json) for (const l of removed) printJsonLine(l);
      else for (const l of removed) process.stdout.write(`removed ${l.name} version ${l.version}\n`);
    });
}

function describeHashes(l: HashListInfo): string {
  return Object.entries(l.hashes).map(([a, n]) => `${n} ${a}`).join(', ') || 'no hashes';
}
