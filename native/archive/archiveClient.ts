import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HelperSupervisor, type HelperIncident } from '../helpers/supervisor.js';

export interface ArchiveMember {
  path: string; isDir: boolean; size: number | null; packed: number | null; encrypted: boolean; mtime: string | null; method: string | null;
}
export interface ArchiveListing {
  type: string | null; physicalSize: number | null; encryptedHeaders: boolean; errors: string[]; members: ArchiveMember[];
}

/** The archive helper process (archive.helper.ts) under the supervisor. */
export class ArchiveClient {
  private readonly helper: HelperSupervisor;

  /** memoryMb: the most memory 7-Zip's WASM heap may take (archive.helper.ts). */
  constructor(options: { timeoutMs?: number; memoryMb?: number; onIncident?: (i: HelperIncident) => void } = {}) {
    const js = fileURLToPath(new URL('./archive.helper.js', import.meta.url));
    const ts = fileURLToPath(new URL('./archive.helper.ts', import.meta.url));
    // Built code runs the compiled helper; from sources (tests, benches) Node loads it through tsx.
    const args = existsSync(js) ? [js] : ['--import', 'tsx', ts];
    this.helper = new HelperSupervisor({
      name: 'archive',
      command: process.execPath,
      args: ['--max-old-space-size=512', ...args],
      env: { ...process.env, TZ: 'UTC', KESTREL_ARCHIVE_WASM_MB: String(options.memoryMb ?? 1024) },
      requestTimeoutMs: options.timeoutMs ?? 600_000,
      maxRestarts: 50,
      onIncident: options.onIncident,
    });
  }

  get incidents(): readonly HelperIncident[] {
    return this.helper.incidents;
  }

  async version(): Promise<string> {
    return String((await this.helper.request({ op: 'version' })).header['version']);
  }

  async list(path: string, label: string): Promise<ArchiveListing> {
    return (await this.helper.request({ op: 'list', path }, undefined, { label })).header as unknown as ArchiveListing;
  }

  async extract(path: string, out: string, label: string): Promise<{ errors: string[] }> {
    return (await this.helper.request({ op: 'extract', path, out }, undefined, { label })).header as unknown as { errors: string[] };
  }

  close(): Promise<void> {
    return this.helper.close();
  }
}
