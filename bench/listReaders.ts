/**
 * bench/listReaders: the hash list readers on hostile shapes, against a baseline taken in the same
 * run: reading the same file front to back in 1 MiB chunks (what any reader must at least do).
 *   - a VICS record holding one 200 MB string (was built a character at a time: 50 MB took 1.75 GB);
 *   - a 256 MB text "list" with no line break (was quadratic: 122 s), refused at the 1 MiB line bound;
 *   - a 256 MB md5sum list of normal lines.
 * Each case runs in a child process so its peak RSS is its own. Prints one JSON object.
 *   npx tsx bench/listReaders.ts [--mb N]
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const mb = args.includes('--mb') ? Number(args[args.indexOf('--mb') + 1]) : 200;
const work = join(tmpdir(), 'kestrel-bench-readers');

if (args[0] === '--child') {
  const [, kind, file, lib] = args;
  const t = performance.now();
  let outcome = 'ok';
  if (kind === 'baseline') {
    const fd = openSync(file!, 'r');
    const buf = Buffer.allocUnsafe(1 << 20);
    while (readSync(fd, buf, 0, buf.length, null) > 0) { /* read only */ }
    closeSync(fd);
  } else {
    const { openLibrary } = await import('../native/hashsets/library.js');
    const { importHashList } = await import('../native/hashsets/importer.js');
    const l = openLibrary(lib!);
    try {
      importHashList(l, file!, kind === 'text' ? { format: 'text' } : {});
    } catch (err) {
      outcome = `refused: ${(err as Error).message.replace(/^.*?: /, '').slice(0, 80)}`;
    } finally {
      l.close();
    }
  }
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - t) / 1000, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), outcome }));
  process.exit(0);
}

function write(file: string, head: string, fill: Buffer, count: number, tail: string): void {
  const fd = openSync(file, 'w');
  writeSync(fd, head);
  for (let i = 0; i < count; i++) writeSync(fd, fill);
  writeSync(fd, tail);
  closeSync(fd);
}

function child(kind: string, file: string): { seconds: number; maxRssMb: number; outcome: string } {
  const lib = join(work, `lib-${kind}-${Math.random().toString(36).slice(2)}`);
  const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', kind, file, lib], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as { seconds: number; maxRssMb: number; outcome: string };
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const MB = Buffer.alloc(1 << 20, 0x78);
const vics = join(work, 'long-string.json');
write(vics, '{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media","value":[{"MD5":"0cc175b9c0f1b6a831c399e269772661","Category":1,"Comments":"', MB, mb, '"}]}');
const oneLine = join(work, 'one-line.md5');
write(oneLine, '', MB, 256, '');
const lines = join(work, 'lines.md5');
const block = Buffer.from(Array.from({ length: 16384 }, (_, i) => `${i.toString(16).padStart(32, '0')}  dir/file-${i}.jpg\n`).join(''));
write(lines, '', block, Math.round((256 << 20) / block.length), '');

const result = {
  vicsLongString: { stringMb: mb, baseline: child('baseline', vics), import: child('vics', vics) },
  textOneLine256Mb: { baseline: child('baseline', oneLine), import: child('text', oneLine) },
  text256MbOfLines: { baseline: child('baseline', lines), import: child('text', lines) },
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
