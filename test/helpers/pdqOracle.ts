import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { REPO_ROOT } from './cli.js';

/** Meta's C++ PDQ hasher, built from ../shared/tools/pdq-cpp into its cache folder (reused when unchanged). */
export function buildPdqOracle(): string {
  const script = resolve(REPO_ROOT, '..', 'shared', 'tools', 'pdq-cpp', 'build.sh');
  const out = execFileSync('nice', ['-n', '10', 'bash', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').at(-1)!;
}

export interface OracleHash {
  hash: string;
  quality: number;
}

/**
 * The reference's hash and quality of each file, by path. The reference ends its whole run on an
 * image with 2 or 4 channels (see its README), so callers give it opaque RGB or grey files only.
 * An all-zero hash is how it reports a file it could not read: that is an error here, unless the
 * caller made the files itself and knows some to be flat (a flat picture hashes to zeros too).
 */
export function oracleHashes(oracle: string, files: readonly string[], options: { flatAllowed?: boolean } = {}): Map<string, OracleHash> {
  const out = execFileSync('nice', ['-n', '10', oracle, '-i'], { input: files.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 << 20 });
  const result = new Map<string, OracleHash>();
  for (const line of out.trim().split('\n')) {
    const [hash, quality, ...name] = line.split(',');
    const file = name.join(',');
    if (!hash || (/^0+$/.test(hash) && !options.flatAllowed)) throw new Error(`the PDQ reference could not read ${file}`);
    result.set(file, { hash, quality: Number(quality) });
  }
  for (const f of files) if (!result.has(f)) throw new Error(`the PDQ reference gave no line for ${f}`);
  return result;
}
