import type { Command } from 'commander';
import { printJsonLine } from '../output.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check a case package (folder or zip): names every file altered, removed or added, and whether the audit chain holds')
    .argument('<PACKAGE>')
    .option('--manifest-sha256 <HEX>', 'the manifest SHA-256 printed at export (or in the case audit log), to check the manifest itself against')
    .option('--signer <FINGERPRINT...>', 'accept only signatures by these examiner keys (the fingerprint printed on the report)')
    .option('--json', 'print the verdict as JSON')
    .action(async (pkg: string, flags: { manifestSha256?: string; signer?: string[]; json?: boolean }) => {
      // Loaded on use: the zip reader is heavy, and every other command would pay for it at start.
      const { verifyPackage } = await import('../../export/verify.js');
      const v = await verifyPackage(pkg, flags.manifestSha256, flags.signer ? { signers: flags.signer } : {});
      if (flags.json) {
        printJsonLine(v);
      } else {
        const lines: string[] = [];
        for (const p of v.problems) lines.push(`${p.kind.toUpperCase()}: ${p.file}: ${p.detail}`);
        lines.push(`audit chain: ${v.audit.holds ? '' : 'BROKEN: '}${v.audit.message}`);
        for (const p of v.signatures.problems) lines.push(`SIGNATURE: ${p}`);
        if (v.signatures.manifest) lines.push(`manifest signed by ${v.signatures.manifest.examiner}, key ${v.signatures.manifest.fingerprint}`);
        for (const s of v.signatures.audit) lines.push(`audit log signed by ${s.examiner}, key ${s.fingerprint} (${s.signatures} signature${s.signatures === 1 ? '' : 's'})`);
        if (v.manifestSha256) lines.push(`manifest SHA-256 ${v.manifestSha256}${flags.manifestSha256 ? '' : ' (compare with the value printed at export and recorded in the case audit log)'}`);
        if (v.packageHash) lines.push(`package hash ${v.packageHash}`);
        lines.push(v.ok
          ? `OK: ${v.filesChecked} files match the manifest; the audit chain holds`
          : `FAILED: ${v.problems.length} file problem${v.problems.length === 1 ? '' : 's'}${v.audit.holds ? '' : '; the audit chain does not hold'}${v.signatures.ok ? '' : '; signatures missing or invalid'}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (!v.ok) process.exitCode = 1;
    });
}
