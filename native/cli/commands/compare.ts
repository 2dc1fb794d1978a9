import type { Command } from 'commander';
import { openCase, type OpenCase } from '../../catalog/case.js';
import { compareItems, type ItemComparison } from '../../review/compare.js';
import { KestrelError } from '../../util/result.js';
import { printJsonLine } from '../output.js';

/** An item named as the examiner sees it: its content id (the grid's), or its SHA-256 or MD5 in hex. */
export function resolveItem(c: OpenCase, spec: string): number {
  const found = /^[0-9]+$/.test(spec)
    ? c.db.prepare('SELECT id FROM content WHERE id = ?').pluck().all(Number(spec))
    : /^[0-9a-fA-F]{64}$/.test(spec)
      ? c.db.prepare('SELECT id FROM content WHERE sha256 = ?').pluck().all(spec.toLowerCase())
      : /^[0-9a-fA-F]{32}$/.test(spec)
        ? c.db.prepare('SELECT id FROM content WHERE md5 = ?').pluck().all(spec.toLowerCase())
        : null;
  if (found === null) throw new KestrelError(`${spec}: not an item id, SHA-256 or MD5`, 'E_USAGE');
  if (found.length === 0) throw new KestrelError(`${c.dir}: no item ${spec} in this case`, 'E_NOT_FOUND');
  if (found.length > 1) throw new KestrelError(`${c.dir}: MD5 ${spec} names ${found.length} items (an MD5 collision); name them by SHA-256`, 'E_AMBIGUOUS');
  return found[0] as number;
}

function text(r: ItemComparison): string {
  const lines = [`A: item ${r.a.id} ${r.a.path}${r.a.exhibitLabel ? ` (exhibit ${r.a.exhibitLabel})` : ''}`,
    `B: item ${r.b.id} ${r.b.path}${r.b.exhibitLabel ? ` (exhibit ${r.b.exhibitLabel})` : ''}`];
  if (r.pdq) {
    lines.push(`PDQ distance: ${r.pdq.nearest} (nearest dihedral variant${r.pdq.dihedral === 0 ? '' : `: ${r.pdq.dihedral} of ${r.pdq.turned.toUpperCase()}`}), ${r.pdq.asDisplayed} as displayed`);
  }
  if (r.blockhashDistance !== null) lines.push(`Blockhash distance: ${r.blockhashDistance}`);
  if (r.group) {
    lines.push(`Near-duplicate group ${r.group.id}: representative item ${r.group.representative ?? '-'}, ` +
      `A at ${r.group.aToRepresentative ?? '-'}, B at ${r.group.bToRepresentative ?? '-'}`);
  }
  const width = Math.max(...r.rows.map((row) => row.label.length));
  for (const row of r.rows) {
    const mark = row.same === null ? ' ' : row.same ? '=' : '≠';
    lines.push(`${mark} ${row.label.padEnd(width)}  ${row.a ?? '-'}  |  ${row.b ?? '-'}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('two items of a case side by side, as the Compare screen shows them: hashes, PDQ and blockhash distances, near-duplicate group, dimensions, size, names and every EXIF field aligned (= same, ≠ different)')
    .argument('<CASE_DIR>')
    .argument('<ITEM_A>', 'item id (as in the grid and kestrel match --json), SHA-256 or MD5')
    .argument('<ITEM_B>')
    .option('--json', 'one JSON object: a, b, pdq {asDisplayed, nearest, dihedral, turned}, blockhashDistance, group, rows [{field, label, a, b, same}]')
    .action((dir: string, itemA: string, itemB: string, opts: { json?: boolean }) => {
      const c = openCase(dir);
      try {
        const r = compareItems(c, resolveItem(c, itemA), resolveItem(c, itemB));
        if (opts.json) printJsonLine(r);
        else process.stdout.write(text(r));
      } finally {
        c.close();
      }
    });
}
