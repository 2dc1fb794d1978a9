import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface NativeListing { names: Buffer[]; noAtime: boolean }
interface FsNoAtime { readdirNoAtime(path: Buffer): NativeListing }

/**
 * The addon built from fsnoatime.c by `npm run build` (Linux only), or null where it was not built.
 * Its build folder sits beside the C source: reached from here when running from source (tests,
 * tsx) and from dist/native/fsnoatime once compiled.
 */
function loadAddon(): { addon: FsNoAtime | null; why: string } {
  if (process.platform !== 'linux') return { addon: null, why: 'not available on this platform' };
  const require = createRequire(import.meta.url);
  for (const candidate of ['./build/Release/fsnoatime.node', '../../../native/fsnoatime/build/Release/fsnoatime.node']) {
    try {
      return { addon: require(candidate) as FsNoAtime, why: '' };
    } catch (err) {
      // A build that exists but does not load is no reason to refuse an intake: readdir is read-only
      // too, and the audit log says which listing was used and why.
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') return { addon: null, why: `did not load: ${(err as Error).message.split('\n')[0]}` };
    }
  }
  return { addon: null, why: 'not built' };
}

const { addon, why } = loadAddon();

/** How folders are listed in this process, in the words the audit log records. */
export const LISTING_METHOD = addon
  ? 'O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_NOATIME where permitted (native): folder access times kept'
  : `readdir (native O_NOATIME listing ${why}): folder access times may move on a writable mount`;

/**
 * The names in a folder as the bytes on disk, '.' and '..' left out. With the addon the folder is
 * opened with O_NOATIME, so listing it leaves its access time alone; `noAtime` is false where the
 * kernel refused that flag (a folder neither ours nor readable with CAP_FOWNER) or the addon is
 * missing. Errors are thrown with `code` and `syscall`, as Node's fs errors are.
 */
export function listFolder(path: Buffer): NativeListing {
  if (addon) return addon.readdirNoAtime(path);
  return { names: readdirSync(path, { encoding: 'buffer' }), noAtime: false };
}
