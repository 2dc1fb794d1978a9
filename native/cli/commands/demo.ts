import type { Command } from 'commander';
import { existsSync, readdirSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { KestrelError } from '../../util/result.js';

const MARKER = '.kestrel-demo';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole job on sample data Kestrel draws itself: intake, hash lists, matching, case package, verification')
    .argument('[DIR]', 'folder for the demo (made anew on each run)', 'kestrel-demo')
    .action(async (dirArg: string) => {
      const dir = resolve(dirArg);
      prepare(dir);
      const say = (text: string) => process.stdout.write(`${text}\n`);
      say(`Kestrel demo in ${dir}`);
      say('Drawing sample pictures (landscapes of shapes) and their edited copies, with two hash lists to match them against...');
      // Loaded on use, so that other commands do not pay at start for the sample drawing code.
      const { makeSampleData } = await import('../../demo/sampleEvidence.js');
      const data = await makeSampleData(dir);
      const c = join(dir, 'case');
      const library = join(dir, 'library');
      const pkg = join(dir, 'package');
      // The demo's examiner key lives in the demo folder (never in the case or the package), so that
      // the demo leaves the user's own key folder alone; the passphrase file stands in for typing it.
      const keys = join(dir, 'examiner-keys');
      const pass = join(dir, 'demo-key-passphrase.txt');
      writeFileSync(pass, 'demo passphrase, not for real cases\n', { mode: 0o600 });
      process.env['KESTREL_KEYS'] = keys;
      say(`$ export KESTREL_KEYS=${shellWord(keys)}`);
      const signed = ['--key-passphrase-file', pass];
      // Each step is the command an examiner would type, run in this process and printed first.
      const steps: string[][] = [
        ['key', 'create', '--examiner', 'Demo Examiner', ...signed],
        ['init', c, '--case-number', 'DEMO-001', '--examiner', 'Demo Examiner', '--description', 'Demonstration case on drawn sample pictures'],
        ['intake', c, data.evidence, '--exhibit', 'EX-01', '--description', 'Sample "seized" folder made by kestrel demo', ...signed],
        ['hashset', 'import', data.knownMaterialList, '--library', library, '--name', 'Demo known-material list', '--scheme', 'vic-us'],
        ['hashset', 'import', data.knownFilesList, '--library', library, '--format', 'nsrl-legacy', '--name', 'Demo NSRL extract'],
        ['match', c, '--library', library, ...signed],
        ['export', c, pkg, ...signed],
        ['verify', pkg],
        ['audit', 'verify', c],
      ];
      const { main } = await import('../main.js');
      for (const step of steps) {
        say(`\n$ kestrel ${step.map((a) => shellWord(a)).join(' ')}`);
        const code = await main(step);
        if (code !== 0) throw new KestrelError(`demo stopped: \`kestrel ${step[0]}\` exited with code ${code}`);
      }
      say(`\nDone. Review the case in the browser UI:\n  npx kestrel serve ${shellWord(c)} --library ${shellWord(library)}`);
      say(`The package for the prosecutor is in ${pkg} (report.html, report.pdf, manifest.json).`);
    });
}

/** Refuses to empty a folder that is not an earlier demo's: the demo must never delete someone's files. */
function prepare(dir: string): void {
  if (existsSync(dir)) {
    if (!existsSync(join(dir, MARKER)) && readdirSync(dir).length > 0) {
      throw new KestrelError(`${dir}: exists and is not a Kestrel demo folder; name another folder`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'made by kestrel demo; emptied by the next run\n');
}

/** An argument as the user would type it here: paths below the current folder relative to it. */
function shellWord(arg: string): string {
  const rel = relative(process.cwd(), arg);
  const shown = arg.startsWith('/') && !rel.startsWith('..') ? rel || '.' : arg;
  return /^[\w./:=@-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}
