import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

function findPackageJson(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'kestrel' && pkg.version) return pkg.version;
    } catch {
      // keep climbing: this folder has no package.json of ours
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0-unknown';
    dir = parent;
  }
}

/** Recorded with every audit entry and export so that a result can be tied to the tool that made it. */
export const TOOL_NAME = 'Kestrel';
export const TOOL_VERSION: string = findPackageJson();
