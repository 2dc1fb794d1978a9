import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../util/version.js';
import { KestrelError, describeError } from '../util/result.js';
import { registerInit } from './commands/init.js';
import { registerAudit } from './commands/audit.js';
import { registerIntake } from './commands/intake.js';
import { registerDemo } from './commands/demo.js';
import { registerServe } from './commands/serve.js';
import { registerExport } from './commands/export.js';
import { registerVerify } from './commands/verify.js';
import { registerHash } from './commands/hash.js';
import { registerHashset } from './commands/hashset.js';
import { registerMatch } from './commands/match.js';
import { registerVpdq } from './commands/vpdq.js';
import { registerLibrary } from './commands/library.js';
import { registerKey, useKeyOptions } from './commands/key.js';
import { registerCompare } from './commands/compare.js';
import { registerCase } from './commands/case.js';

export function buildProgram(): Command {
  const program = new Command('kestrel')
    .description('Offline evidence intake, hashing and known-material matching')
    .version(TOOL_VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerInit(program);
  registerAudit(program);
  registerIntake(program);
  registerDemo(program);
  registerServe(program);
  registerExport(program);
  registerVerify(program);
  registerHash(program);
  registerHashset(program);
  registerMatch(program);
  registerVpdq(program);
  registerLibrary(program);
  registerKey(program);
  registerCompare(program);
  registerCase(program);
  useKeyOptions(program);
  return program;
}

/**
 * Runs the CLI. User errors print one line naming the path and the cause, with a non-zero exit;
 * anything else is a bug and keeps its stack.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof KestrelError) {
      process.stderr.write(`kestrel: ${err.message}\n`);
      return 1;
    }
    if (isStorageError(err)) {
      process.stderr.write(`kestrel: database write failed (${err.code}): ${err.message}\n`);
      return 1;
    }
    if (isSystemError(err)) {
      process.stderr.write(`kestrel: ${err.path ?? ''}${err.path ? ': ' : ''}${describeError(err)}\n`);
      return 1;
    }
    process.stderr.write(`kestrel: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    return 70;
  }
}

function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && 'syscall' in err;
}

/** SQLite's own failures (a full disk, an I/O error) are the machine's state, not a bug in Kestrel. */
function isStorageError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown }).code;
  return err instanceof Error && typeof code === 'string' && /^SQLITE_(FULL|IOERR|CANTOPEN|READONLY|BUSY|LOCKED|CORRUPT|NOTADB)/.test(code);
}
