import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKey, setSessionSigner, type PublicIdentity } from '../../native/examiners/keys.js';

export const TEST_KEY_PASSPHRASE = 'test key passphrase';

/**
 * An examiner signing key in a fresh folder, made the one this process and the `kestrel` commands
 * it starts sign with (through KESTREL_KEYS and KESTREL_KEY_PASSPHRASE, the non-interactive route).
 * scrypt cost 2^14 so that each command's unlock stays quick; the key file records it.
 */
export function useTestSigningKey(examiner = 'DC Jane Roe'): PublicIdentity & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-keys-'));
  const id = createKey({ examiner, passphrase: TEST_KEY_PASSPHRASE, dir, scryptLogN: 14 });
  process.env['KESTREL_KEYS'] = dir;
  process.env['KESTREL_KEY_PASSPHRASE'] = TEST_KEY_PASSPHRASE;
  setSessionSigner(undefined);
  return { ...id, dir };
}
