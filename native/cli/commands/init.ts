import type { Command } from 'commander';
import { initCase } from '../../catalog/case.js';
import { printJsonLine } from '../output.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a case: a catalogue database and a folder for derived files')
    .argument('<CASE_DIR>', 'new or empty folder for the case')
    .requiredOption('--case-number <N>', 'the case or job number')
    .requiredOption('--examiner <NAME>', 'the examiner responsible')
    .option('--description <TEXT>', 'free text describing the case')
    .option('--json', 'print the case record as JSON')
    .action((dir: string, opts: { caseNumber: string; examiner: string; description?: string; json?: boolean }) => {
      const c = initCase(dir, opts);
      try {
        if (opts.json) printJsonLine({ caseDir: c.dir, ...c.info });
        else process.stdout.write(`created case ${c.info.caseNumber} in ${c.dir}\n`);
      } finally {
        c.close();
      }
    });
}
