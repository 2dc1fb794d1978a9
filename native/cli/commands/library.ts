import type { Command } from 'commander';
import { openCase } from '../../catalog/case.js';
import { KestrelError } from '../../util/result.js';
import { openLabStore } from '../../lab/open.js';
import { contributeCase } from '../../lab/contribute.js';
import { libraryLinks } from '../../lab/links.js';
import { addLabel, removeLabel } from '../../lab/labels.js';
import { verifyChain } from '../../audit/log.js';
import { DEFAULT_PDQ_THRESHOLD } from '../../matching/matcher.js';
import type { LabStore } from '../../lab/store.js';
import { printJsonLine } from '../output.js';

export const LAB_LIBRARY_HELP = 'lab library: a folder, or postgres://user@host/db for a lab server (default: $KESTREL_LIBRARY, else the per-user data folder)';

async function withStore<T>(spec: string | undefined, work: (s: LabStore) => Promise<T>): Promise<T> {
  const store = await openLabStore(spec);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export function registerLibrary(program: Command): void {
  const lib = program.command('library').description('the lab library: cases contributed by examiners (hashes and decisions, never images)');
  lib.command('contribute')
    .description('register a case\'s categorised and matched contents in the lab library (replaces its earlier contribution)')
    .argument('<CASE_DIR>')
    .option('--examiner <NAME>', 'who contributes (default: the case\'s examiner)')
    .option('--share-file-names', 'also share the file names (base names only); off by default')
    .option('--library <SPEC>', LAB_LIBRARY_HELP)
    .option('--json', 'print the outcome as JSON')
    .action(async (dir: string, opts: { examiner?: string; shareFileNames?: boolean; library?: string; json?: boolean }) => {
      const c = openCase(dir);
      try {
        const summary = await withStore(opts.library, (s) => contributeCase(c, s, opts.examiner ?? c.info.examiner,
          { shareFileNames: opts.shareFileNames ?? false }));
        if (opts.json) printJsonLine(summary);
        else {
          process.stdout.write(`contributed case ${summary.caseNumber} to ${summary.library}: ${summary.items} item(s) ` +
            `(${summary.categorised} categorised), replacing ${summary.replaced}; library version ${summary.libraryVersion}\n`);
        }
      } finally {
        c.close();
      }
    });
  lib.command('label')
    .description('name a series or a victim (pseudonymous) on items of a case, by SHA-256 or near-duplicate group; contributed with the hashes')
    .argument('<CASE_DIR>')
    .option('--series <NAME>', 'the series label')
    .option('--victim <NAME>', 'the victim label (a pseudonym, never a real name)')
    .option('--sha256 <HEX...>', 'the items, by SHA-256')
    .option('--group <ID>', 'every member of this near-duplicate group')
    .option('--remove', 'take the label off instead')
    .option('--examiner <NAME>', 'who names it (default: the case\'s examiner)')
    .option('--json', 'print the outcome as JSON')
    .action((dir: string, opts: { series?: string; victim?: string; sha256?: string[]; group?: string; remove?: boolean; examiner?: string; json?: boolean }) => {
      if ((opts.series === undefined) === (opts.victim === undefined)) throw new KestrelError('give one of --series NAME or --victim NAME', 'E_USAGE');
      if (!opts.sha256?.length && opts.group === undefined) throw new KestrelError('give the items: --sha256 HEX... or --group ID', 'E_USAGE');
      const kind = opts.series !== undefined ? 'series' : 'victim';
      const label = (opts.series ?? opts.victim)!;
      const c = openCase(dir);
      try {
        const ids: number[] = [];
        for (const hex of opts.sha256 ?? []) {
          const id = c.db.prepare('SELECT id FROM content WHERE sha256 = ?').pluck().get(hex.toLowerCase()) as number | undefined;
          if (id === undefined) throw new KestrelError(`${dir}: no item with SHA-256 ${hex} in this case`, 'E_NO_CONTENT');
          ids.push(id);
        }
        if (opts.group !== undefined) {
          const members = c.db.prepare('SELECT content_id FROM near_duplicate_member WHERE group_id = ? ORDER BY content_id').pluck().all(Number(opts.group)) as number[];
          if (members.length === 0) throw new KestrelError(`${dir}: no near-duplicate group ${opts.group} in this case`, 'E_NO_GROUP');
          ids.push(...members);
        }
        const unique = [...new Set(ids)];
        const examiner = opts.examiner ?? c.info.examiner;
        const changed = opts.remove ? removeLabel(c.db, unique, kind, label, examiner) : addLabel(c.db, unique, kind, label, examiner);
        if (opts.json) printJsonLine({ kind, label: label.trim(), items: unique.length, changed, removed: Boolean(opts.remove) });
        else process.stdout.write(`${opts.remove ? 'removed' : 'named'} ${kind} ${label.trim()} ${opts.remove ? 'from' : 'on'} ${changed} of ${unique.length} item(s)\n`);
      } finally {
        c.close();
      }
    });
  lib.command('withdraw')
    .description('withdraw a case from the lab library (court order, error): its items leave every cross-case hit')
    .argument('<CASE_NUMBER>')
    .requiredOption('--reason <TEXT>', 'why (recorded in the library\'s audit log)')
    .requiredOption('--examiner <NAME>', 'who withdraws it')
    .option('--library <SPEC>', LAB_LIBRARY_HELP)
    .option('--json', 'print the outcome as JSON')
    .action(async (caseNumber: string, opts: { reason: string; examiner: string; library?: string; json?: boolean }) => {
      if (!opts.reason.trim()) throw new KestrelError('--reason must say why the case is withdrawn', 'E_USAGE');
      const r = await withStore(opts.library, (s) => s.withdraw(caseNumber, opts.reason, opts.examiner));
      if (opts.json) printJsonLine(r);
      else process.stdout.write(`withdrew case ${r.caseNumber}: ${r.itemsRemoved} item(s) removed; library version ${r.libraryVersion}\n`);
    });
  lib.command('cases')
    .description('the cases in the lab library, with who contributed them and when')
    .option('--library <SPEC>', LAB_LIBRARY_HELP)
    .option('--json', 'one JSON object per case')
    .action(async (opts: { library?: string; json?: boolean }) => {
      const cases = await withStore(opts.library, (s) => s.cases());
      for (const c of cases) {
        if (opts.json) printJsonLine(c);
        else {
          process.stdout.write(`${c.caseNumber}  ${c.itemCount} item(s)  examiner ${c.caseExaminer}  contributed ${c.contributedAt} by ${c.contributedBy}` +
            `${c.withdrawnAt ? `  WITHDRAWN ${c.withdrawnAt} by ${c.withdrawnBy}: ${c.withdrawReason}` : ''}\n`);
        }
      }
      if (!opts.json && cases.length === 0) process.stdout.write('no cases in the library\n');
    });
  lib.command('links')
    .description('seriality: cases linked by shared material (exact and near-duplicate), with series and proposed series members')
    .option('--pdq-threshold <BITS>', 'largest PDQ distance that links two items', (v) => Number(v), DEFAULT_PDQ_THRESHOLD)
    .option('--library <SPEC>', LAB_LIBRARY_HELP)
    .option('--json', 'print the cases, links and proposals as one JSON object')
    .action(async (opts: { pdqThreshold: number; library?: string; json?: boolean }) => {
      const s = await withStore(opts.library, (store) => libraryLinks(store, { pdqThreshold: opts.pdqThreshold }));
      if (opts.json) { printJsonLine(s); return; }
      process.stdout.write(`${s.cases.length} case(s), ${s.links.length} link(s) (library version ${s.libraryVersion})\n`);
      for (const l of s.links) {
        process.stdout.write(`${l.a} -- ${l.b}: ${l.items} item(s) (${l.exact} exact, ${l.nearDuplicate} near-duplicate)` +
          `${l.series.length ? `; series ${l.series.join(', ')}` : ''}\n`);
      }
      for (const p of s.proposals) {
        process.stdout.write(`proposal: ${p.caseNumber} ${p.sha256.slice(0, 16)}… may belong to series ${p.series} ` +
          `(like ${p.fromCase} ${p.fromSha256.slice(0, 16)}…, ${p.algorithm} distance ${p.distance})\n`);
      }
    });
  const audit = lib.command('audit').description('the lab library\'s own audit log');
  audit.command('show')
    .option('--library <SPEC>', LAB_LIBRARY_HELP)
    .action(async (opts: { library?: string }) => {
      for (const e of await withStore(opts.library, (s) => s.audit())) printJsonLine(e);
    });
  audit.command('verify')
    .option('--library <SPEC>', LAB_LIBRARY_HELP)
    .action(async (opts: { library?: string }) => {
      const v = verifyChain(await withStore(opts.library, (s) => s.audit()));
      if (v.ok) process.stdout.write(`OK: ${v.entries} entries, head ${v.head}\n`);
      else {
        process.stdout.write(`NOT OK: ${v.message}\n`);
        process.exitCode = 1;
      }
    });
}
