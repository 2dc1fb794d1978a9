import type { Command } from 'commander';
import { createKey, keysDir, listKeys, readPassphraseFile, setSessionPassphrase } from '../../examiners/keys.js';
import { KestrelError } from '../../util/result.js';
import { printJsonLine } from '../output.js';

const PASSPHRASE_HELP = 'file whose first line is the key passphrase (default: $KESTREL_KEY_PASSPHRASE)';

/**
 * --key-passphrase-file and --key are program options, so that every command that writes to the
 * audit log (intake, match, export, serve) signs its head with the examiner's key.
 */
export function useKeyOptions(program: Command): void {
  program
    .option('--key-passphrase-file <F>', `sign the audit log and packages with the examiner key; ${PASSPHRASE_HELP}`)
    .option('--key <FINGERPRINT>', 'which examiner key signs when there are several (default: $KESTREL_KEY, else the only one)')
    .hook('preAction', (root) => {
      const { keyPassphraseFile, key } = root.opts<{ keyPassphraseFile?: string; key?: string }>();
      if (keyPassphraseFile) setSessionPassphrase(readPassphraseFile(keyPassphraseFile), key);
      else if (key) process.env['KESTREL_KEY'] = key;
    });
}

function passphraseFor(root: Command): string {
  const { keyPassphraseFile } = root.opts<{ keyPassphraseFile?: string }>();
  if (keyPassphraseFile) return readPassphraseFile(keyPassphraseFile);
  const env = process.env['KESTREL_KEY_PASSPHRASE'];
  if (env) return env;
  throw new KestrelError('a key passphrase is needed: --key-passphrase-file F or $KESTREL_KEY_PASSPHRASE', 'E_PASSPHRASE');
}

export function registerKey(program: Command): void {
  const key = program.command('key').description(`examiner signing keys (Ed25519, passphrase-protected) in ${keysDir()} or $KESTREL_KEYS`);
  key
    .command('create')
    .description('make a signing key for an examiner; prints its fingerprint, which reports print and `verify --signer` checks')
    .requiredOption('--examiner <NAME>', 'whose key it is')
    .option('--json', 'print the result as JSON')
    .action((flags: { examiner: string; json?: boolean }) => {
      const k = createKey({ examiner: flags.examiner, passphrase: passphraseFor(program) });
      if (flags.json) printJsonLine(k);
      else process.stdout.write(`key created for ${k.examiner} in ${keysDir()}\nfingerprint ${k.fingerprint}\n`);
    });
  key
    .command('list')
    .description('the examiner keys on this workstation')
    .option('--json', 'print JSON lines')
    .action((flags: { json?: boolean }) => {
      for (const k of listKeys()) {
        if (flags.json) printJsonLine({ examiner: k.examiner, fingerprint: k.fingerprint, createdAt: k.createdAt, path: k.path });
        else process.stdout.write(`${k.fingerprint}  ${k.examiner}  (created ${k.createdAt})\n`);
      }
    });
}
