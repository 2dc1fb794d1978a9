import type { Command } from 'commander';
import { openCase } from '../../catalog/case.js';
import { isSchemeId, SCHEMES } from '../../catalog/schemes.js';
import { appendAudit } from '../../audit/log.js';
import { changeScheme, schemeChangeImpact } from '../../review/schemeChange.js';
import { KestrelError } from '../../util/result.js';
import { printJsonLine } from '../output.js';

export function registerCase(program: Command): void {
  const cmd = program.command('case').description('settings of a case');
  cmd
    .command('scheme')
    .description(`change the case's category scheme (${Object.keys(SCHEMES).join(', ')}). Decisions are never converted: those made in another scheme stay in it, shown as such until decided again. Without --yes nothing changes when any would stay: the command says how many and exits 1`)
    .argument('<CASE_DIR>')
    .argument('<SCHEME>')
    .option('--yes', 'confirm the change leaving decisions in their old scheme')
    .option('--examiner <NAME>', 'who changes it (recorded in the audit log; default: the case\'s examiner)')
    .option('--json', 'one JSON object: from, to, stay, byScheme [{scheme, decisions}], changed')
    .action((dir: string, scheme: string, opts: { yes?: boolean; examiner?: string; json?: boolean }) => {
      if (!isSchemeId(scheme)) throw new KestrelError(`${scheme}: not a category scheme (${Object.keys(SCHEMES).join(', ')})`, 'E_USAGE');
      const c = openCase(dir);
      try {
        const impact = schemeChangeImpact(c.db, scheme);
        const stays = `${impact.stay} decision${impact.stay === 1 ? '' : 's'} stay${impact.stay === 1 ? 's' : ''} in ${impact.stay === 1 ? 'its' : 'their'} old scheme` +
          (impact.byScheme.length ? ` (${impact.byScheme.map((r) => `${r.decisions} in ${r.scheme}`).join(', ')})` : '');
        const changing = impact.from !== scheme;
        if (changing && impact.stay > 0 && !opts.yes) {
          if (opts.json) printJsonLine({ ...impact, changed: false });
          process.stderr.write(`kestrel: changing ${c.dir} from ${impact.from} to ${scheme}: ${stays}; nothing was changed: run again with --yes to confirm\n`);
          process.exitCode = 1;
          return;
        }
        if (changing) {
          const examiner = opts.examiner ?? c.info.examiner;
          // As the Settings screen records it: the change with its count, then the settings written.
          c.db.transaction(() => {
            changeScheme(c.db, scheme, examiner, impact.stay);
            appendAudit(c.db, 'review.settings', { categoryScheme: scheme, confirmDecisionsInOtherSchemes: impact.stay }, examiner);
          })();
        }
        if (opts.json) printJsonLine({ ...impact, changed: changing });
        else process.stdout.write(changing ? `${c.dir}: category scheme ${impact.from} -> ${scheme}; ${stays}\n` : `${c.dir}: the category scheme is already ${scheme}\n`);
      } finally {
        c.close();
      }
    });
}
