import type { Command } from 'commander';
import { digestFile } from '../../hashing/digests.js';
import { isAnalysableImage } from '../../image/formats.js';
import { sniff } from '../../intake/sniff.js';
import { PDQ_MIN_MATCH_QUALITY } from '../../hashing/pdq/pdq.js';
import { describeError } from '../../util/result.js';
import { printJsonLine } from '../output.js';

/** One line of `kestrel hash --json`; these names are a published contract. */
export interface HashRecord {
  path: string;
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
  pdq: string | null;
  pdqQuality: number | null;
  pdqDihedral: string[] | null;
  blockhash: string | null;
  width: number | null;
  height: number | null;
  error: string | null;
}

export function registerHash(program: Command): void {
  program
    .command('hash')
    .description(
      'MD5, SHA-1 and SHA-256 of each file and, for pictures, PDQ (quality, 8 dihedral variants), blockhash and size; '
        + 'exits non-zero only when no file could be read',
    )
    .argument('<FILE...>')
    .option('--json', 'one JSON object per line per file')
    .action(async (files: string[], opts: { json?: boolean }) => {
      let read = 0;
      for (const file of files) {
        const record = await hashFile(file);
        if (record.md5 !== null) read += 1;
        if (opts.json) printJsonLine(record);
        else process.stdout.write(describe(record));
      }
      if (read === 0) process.exitCode = 1;
    });
}

export async function hashFile(path: string): Promise<HashRecord> {
  const record: HashRecord = {
    path, md5: null, sha1: null, sha256: null, pdq: null, pdqQuality: null, pdqDihedral: null,
    blockhash: null, width: null, height: null, error: null,
  };
  let digests;
  try {
    digests = digestFile(path);
  } catch (err) {
    record.error = `cannot read: ${describeError(err)}`;
    return record;
  }
  Object.assign(record, { md5: digests.md5, sha1: digests.sha1, sha256: digests.sha256 });
  const type = await sniff(digests.head, digests.size);
  if (!isAnalysableImage(type.mime) || digests.bytes === null) {
    record.error = `not a picture this tool analyses (content is ${type.mime})`;
    return record;
  }
  // Loaded on use: the image decoder is heavy to load, and only this command needs it on the main thread.
  const { analyseImage } = await import('../../image/analyse.js');
  const a = await analyseImage(digests.bytes);
  if (a.decodeError !== null) {
    record.error = `cannot decode ${type.mime}: ${a.decodeError}`;
    return record;
  }
  return { ...record, pdq: a.pdq, pdqQuality: a.pdqQuality, pdqDihedral: a.pdqDihedral, blockhash: a.blockhash, width: a.width, height: a.height };
}

function describe(r: HashRecord): string {
  const lines = [r.path];
  if (r.md5) lines.push(`  md5        ${r.md5}`, `  sha1       ${r.sha1}`, `  sha256     ${r.sha256}`);
  if (r.pdq !== null && r.pdqQuality !== null) {
    const usable = r.pdqQuality >= PDQ_MIN_MATCH_QUALITY ? '' : `, below ${PDQ_MIN_MATCH_QUALITY}: not used for matching`;
    lines.push(`  pdq        ${r.pdq} (quality ${r.pdqQuality}${usable})`, `  blockhash  ${r.blockhash}`, `  size       ${r.width}x${r.height}`);
  }
  if (r.error) lines.push(`  error      ${r.error}`);
  return `${lines.join('\n')}\n`;
}
