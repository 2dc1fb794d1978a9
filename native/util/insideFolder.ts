import { realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/** The real path of `relative` below `folder`, or null when it escapes it (.., symlinks) or does not exist. */
export function insideFolder(folder: string, relative: string): string | null {
  try {
    const root = realpathSync(folder);
    const file = realpathSync(resolve(root, relative));
    return file.startsWith(root + sep) ? file : null;
  } catch {
    return null;
  }
}
