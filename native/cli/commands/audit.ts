import type { Command } from 'commander';
import { openCase } from '../../catalog/case.js';
import { readAudit, verifyChain } from '../../audit/log.js';
import { verifyAuditSignatures } from '../../audit/signing.js';
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
        const entries = readAudit(c.db);
        const verdict = verifyChain(entries);
        // A case log may end with entries not signed yet (no key unlocked since); a bad signature always fails.
        const sig = verifyAuditSignatures(entries);
        const misSigned = sig.problems.filter((p) => !p.startsWith('unsigned'));
        const ok = verdict.ok && misSigned.length === 0;
        if (opts.json) printJsonLine({ ...verdict, ok, signatures: sig });
        else {
          const lines = [ok ? `OK: ${verdict.entries} entries, chain head ${verdict.ok ? verdict.head : ''}` : `FAILED: ${verdict.ok ? misSigned[0] : verdict.message}`];
          for (const s of sig.signers) lines.push(`signed by ${s.examiner}, key ${s.fingerprint} (${s.signatures} signature${s.signatures === 1 ? '' : 's'})`);
          for (const p of sig.problems) lines.push(`SIGNATURE: ${p}`);
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        if (!ok) process.exitCode = 1;
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
