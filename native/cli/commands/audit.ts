import type { Command } from 'commander';
import { openCase } from '../../catalog/case.js';
import { readAudit, verifyChain } from '../../audit/log.js';
import { printJsonLine } from '../output.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the case audit log');
  audit
    .command('verify')
    .description('check the hash chain of the audit log; names the first entry altered, removed or inserted')
    .argument('<CASE_DIR>')
    .option('--json', 'print the verdict as JSON')
    .action((dir: string, opts: { json?: boolean }) => {
      const c = openCase(dir, { readonly: true });
      try {
        const verdict = verifyChain(readAudit(c.db));
        if (opts.json) printJsonLine(verdict);
        else if (verdict.ok) process.stdout.write(`OK: ${verdict.entries} entries, chain head ${verdict.head}\n`);
        else process.stdout.write(`FAILED: ${verdict.message}\n`);
        if (!verdict.ok) process.exitCode = 1;
      } finally {
        c.close();
      }
    });
  audit
    .command('show')
    .description('print the audit log, one JSON object per line')
    .argument('<CASE_DIR>')
    .action((dir: string) => {
      const c = openCase(dir, { readonly: true });
      try {
        for (const e of readAudit(c.db)) printJsonLine(e);
      } finally {
        c.close();
      }
    });
}
