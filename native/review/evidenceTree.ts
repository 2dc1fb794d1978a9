import type { Db } from '../catalog/sqlite.js';
import { displayPath } from '../util/pathBytes.js';

/**
 * The evidence tree: an exhibit's catalogued paths seen as folders, one level at a time. A disk
 * image's first level is its volumes (`partition 2 (ntfs, offset 65536)`), then the file system's
 * folders, `$OrphanFiles` among them; an archive is a folder named `name!` holding its members.
 * Folders are found from the paths themselves (raw bytes, so a name that is not UTF-8 is a node of
 * its own), by skipping through the (exhibit_id, path) index: one lookup per child, never a read
 * of the whole exhibit.
 */
export interface TreeNode {
  /** The last path component as text (\xNN for bytes that are not UTF-8). */
  name: string;
  /** The node's raw path bytes as hex: the tree's and the grid filter's key. */
  path: string;
  kind: 'volume' | 'folder' | 'archive' | 'orphans';
  /** Files at any depth below it, and how many of those are deleted. */
  files: number;
  deleted: number;
  /** Whether it has folders below it (to offer expanding it). */
  hasFolders: boolean;
}

const SLASH = 0x2f;

/** Everything below a node: paths from `prefix/` up to, not including, `prefix0` ('0' follows '/'). */
export function belowRange(path: Buffer): { lo: Buffer; hi: Buffer } {
  return { lo: Buffer.concat([path, Buffer.from('/')]), hi: Buffer.concat([path, Buffer.from('0')]) };
}

export function treeChildren(db: Db, exhibitId: number, parentHex: string): TreeNode[] {
  const parent = Buffer.from(parentHex, 'hex');
  const prefix = parent.length === 0 ? parent : Buffer.concat([parent, Buffer.from('/')]);
  const next = db.prepare('SELECT path, entry_type FROM file_instance WHERE exhibit_id = ? AND path >= ? ORDER BY path LIMIT 1');
  const isImage = (db.prepare('SELECT source_kind FROM exhibit WHERE id = ?').get(exhibitId) as { source_kind: string } | undefined)?.source_kind === 'image';
  const names = new Map<string, Buffer>();
  // The first row at or after the cursor decides: a row inside a child folder names that folder and
  // the scan jumps past all of it; a row directly in the parent is a folder entry or a file stepped over.
  let cursor: Buffer = prefix;
  for (;;) {
    const row = next.get(exhibitId, cursor) as { path: Buffer; entry_type: string } | undefined;
    if (!row || !row.path.subarray(0, prefix.length).equals(prefix)) break;
    const rest = row.path.subarray(prefix.length);
    const slash = rest.indexOf(SLASH);
    if (slash < 0) {
      if (row.entry_type === 'directory') names.set(rest.toString('hex'), Buffer.from(rest));
      // The smallest key after this path: the path followed by a zero byte.
      cursor = Buffer.concat([row.path, Buffer.alloc(1)]);
      continue;
    }
    const child = Buffer.from(rest.subarray(0, slash));
    names.set(child.toString('hex'), child);
    cursor = belowRange(Buffer.concat([prefix, child])).hi;
  }
  const counts = db.prepare(
    `SELECT count(*) AS files, coalesce(sum(deleted), 0) AS deleted FROM file_instance
      WHERE exhibit_id = ? AND path >= ? AND path < ? AND entry_type = 'file'`,
  );
  const folders = db.prepare(
    `SELECT 1 FROM file_instance WHERE exhibit_id = ? AND path >= ? AND path < ?
       AND (entry_type = 'directory' OR instr(substr(path, ?), X'2f') > 0) LIMIT 1`,
  );
  return [...names.values()].sort(Buffer.compare).map((name) => {
    const path = Buffer.concat([prefix, name]);
    const { lo, hi } = belowRange(path);
    const n = counts.get(exhibitId, lo, hi) as { files: number; deleted: number };
    const text = displayPath(name);
    const kind: TreeNode['kind'] = isImage && parent.length === 0 ? 'volume'
      : text.endsWith('!') ? 'archive'
        : text === '$OrphanFiles' ? 'orphans' : 'folder';
    return {
      name: text, path: path.toString('hex'), kind, files: n.files, deleted: n.deleted,
      hasFolders: folders.get(exhibitId, lo, hi, lo.length + 1) !== undefined,
    };
  });
}
