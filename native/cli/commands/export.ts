import type { Command } from 'commander';
import { openCase } from '../../catalog/case.js';
import { KestrelError } from '../../util/result.js';
import { readPassphraseFile } from '../../examiners/keys.js';
import { printJsonLine } from '../output.js';
import { currentLists } from '../../export/currentLists.js';
import { describeUnmatched } from '../../export/reviewBasis.js';

interface ExportFlags {
  media: string;
  passphraseFile?: string;
  zip?: boolean;
  examiner?: string;
  vicsBooleans: string;
  library?: string;
  json?: boolean;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a case package for the prosecutor: manifest, audit log, findings (VICS, CASE/UCO, CSV), report (HTML, PDF); no image unless --media encrypted')
    .argument('<CASE_DIR>')
    .argument('<OUT>', 'new folder for the package')
    .option('--media <MODE>', 'none: no media (default); encrypted: the findings\' media in an AES-256 zip', 'none')
    .option('--passphrase-file <F>', 'file holding the passphrase for --media encrypted (otherwise it is asked for)')
    .option('--zip', 'also write OUT.zip, a zip of the package folder')
    .option('--examiner <NAME>', 'who exports (defaults to the case examiner)')
    .option('--vics-booleans <STYLE>', 'booleans in findings.vics.json: json (default) or string ("true"/"false", as the VICS distributions write them)', 'json')
    .option('--library <DIR>', 'hash library whose lists every exhibit should have been matched against (default: $KESTREL_LIBRARY, else the per-user data folder)')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, out: string, flags: ExportFlags) => {
      if (flags.vicsBooleans !== 'json' && flags.vicsBooleans !== 'string') throw new KestrelError(`--vics-booleans ${flags.vicsBooleans}: expected json or string`, 'E_USAGE');
      if (flags.media !== 'none' && flags.media !== 'encrypted') {
        throw new KestrelError(`--media ${flags.media}: expected none or encrypted`, 'E_USAGE');
      }
      if (flags.media === 'none' && flags.passphraseFile) {
        throw new KestrelError('--passphrase-file is only used with --media encrypted', 'E_USAGE');
      }
      const passphrase = flags.media === 'encrypted' ? await readPassphrase(flags.passphraseFile) : undefined;
      const c = openCase(dir);
      try {
        // Loaded on use: the PDF and font code is heavy, and every other command would pay for it at start.
        const { exportCase } = await import('../../export/exportCase.js');
        const r = await exportCase(c, out, {
          media: flags.media,
          ...(passphrase !== undefined ? { passphrase } : {}),
          zip: flags.zip ?? false,
          ...(flags.examiner ? { examiner: flags.examiner } : {}),
          vicsBooleans: flags.vicsBooleans,
          currentLists: currentLists(flags.library),
        });
        for (const p of r.removedPartials) process.stderr.write(`kestrel: removed ${p}, left by an export that was interrupted\n`);
        for (const u of r.unmatchedExhibits ?? []) process.stderr.write(`kestrel: warning: ${describeUnmatched(u)}\n`);
        if (!r.signedBy) {
          process.stderr.write('kestrel: the package is not signed (no examiner key unlocked: `kestrel key create`, then --key-passphrase-file F); `kestrel verify` will refuse it\n');
        }
        if (flags.json) {
          printJsonLine({ dir: r.dir, zip: r.zip, manifestSha256: r.manifestSha256, packageHash: r.packageHash, findings: r.findings, files: r.files.length + 1, auditSeq: r.auditSeq, signedBy: r.signedBy, unmatchedExhibits: r.unmatchedExhibits ?? [] });
        } else {
          process.stdout.write(
            `package written to ${r.dir}${r.zip ? ` and ${r.zip}` : ''}: ${r.findings} findings, ${r.files.length + 1} files\n`
            + `package hash ${r.packageHash}\n`
            + `manifest SHA-256 ${r.manifestSha256} (recorded in the case audit log, entry ${r.auditSeq})\n`
            + (r.signedBy ? `signed by ${r.signedBy.examiner}, key ${r.signedBy.fingerprint}\n` : ''),
          );
        }
      } finally {
        c.close();
      }
    });
}

/** From the file (its first line), or asked for twice on the terminal without echo. Never stored. */
async function readPassphrase(file: string | undefined): Promise<string> {
  if (file !== undefined) return readPassphraseFile(file);
  if (!process.stdin.isTTY) {
    throw new KestrelError('--media encrypted needs --passphrase-file F, or a terminal to ask for the passphrase', 'E_PASSPHRASE');
  }
  const first = await askHidden('Passphrase for the media zip: ');
  const second = await askHidden('Repeat the passphrase: ');
  if (first !== second) throw new KestrelError('the two passphrases differ', 'E_PASSPHRASE');
  return first;
}

function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new KestrelError('cancelled', 'E_CANCELLED'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
