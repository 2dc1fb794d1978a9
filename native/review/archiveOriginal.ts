import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { OpenCase } from '../catalog/case.js';
import { ArchiveClient } from '../archive/archiveClient.js';
import { nameMembers, tryOpenStored } from '../archive/memberNames.js';
import { MAX_IMAGE_BYTES } from '../image/formats.js';
import { locateLoose } from './original.js';
import type { ImageRead } from './imageOriginal.js';

/**
 * The viewer's way into archives: a member of an archive that is itself a loose file of the
 * evidence is extracted again by the archive helper (7-Zip in WASM, one process kept while the case
 * is open) into a temporary folder inside the case folder, read, checked against its catalogued
 * SHA-256 and the folder removed. The archive passed its limits at intake (archive_state
 * 'expanded'); members of nested archives or of archives inside disk images are not read again
 * (the stored preview is shown).
 */

/** Archives larger than this are not extracted again to show one picture. */
export const MAX_VIEW_ARCHIVE_BYTES = 512 * 1024 * 1024;

interface MemberRow {
  path: Buffer; path_text: string; label: string; source_path: string;
  parent_path: Buffer; parent_state: string | null; parent_address: string | null; grandparent: number | null;
}

export class ArchiveReaders {
  private client: ArchiveClient | null = null;

  async read(c: OpenCase, contentId: number, sha256: string): Promise<ImageRead | { unreachable: string[] }> {
    const rows = c.db.prepare(
      `SELECT f.path, f.path_text, e.label, e.source_path, p.path AS parent_path, p.archive_state AS parent_state,
         p.address AS parent_address, p.archive_parent AS grandparent
       FROM file_instance f JOIN file_instance p ON p.id = f.archive_parent JOIN exhibit e ON e.id = f.exhibit_id
       WHERE f.content_id = ? AND f.read_state = 'done' AND f.encrypted = 0 ORDER BY f.id`,
    ).all(contentId) as MemberRow[];
    const reasons: string[] = [];
    for (const row of rows) {
      if (row.grandparent !== null || row.parent_address !== null) {
        reasons.push(`${row.path_text}: a member of a nested archive or of an archive inside a disk image is not extracted again`);
        continue;
      }
      if (row.parent_state !== 'expanded') {
        reasons.push(`${row.path_text}: its archive was not expanded at intake (${row.parent_state ?? 'pending'})`);
        continue;
      }
      try {
        const bytes = await this.extractMember(c, row);
        if (createHash('sha256').update(bytes).digest('hex') !== sha256) {
          reasons.push(`${row.path_text}: extracted again, its bytes do not have the catalogued SHA-256`);
          continue;
        }
        return { bytes, exhibitLabel: row.label, path: row.path_text };
      } catch (err) {
        reasons.push(`${row.path_text}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return { unreachable: reasons };
  }

  private async extractMember(c: OpenCase, row: MemberRow): Promise<Buffer> {
    const archive = locateLoose({ source_path: row.source_path, path: row.parent_path }).toString();
    const size = statSync(archive).size;
    if (size > MAX_VIEW_ARCHIVE_BYTES) throw new Error(`its archive is larger than ${MAX_VIEW_ARCHIVE_BYTES} bytes: not extracted again to show one picture`);
    const root = join(c.dir, 'tmp', 'view');
    mkdirSync(root, { recursive: true });
    const out = mkdtempSync(join(root, 'x-'));
    try {
      this.client ??= new ArchiveClient({ timeoutMs: 120_000 });
      const listing = await this.client.list(archive, row.path_text);
      const name = row.path.subarray(row.parent_path.length + 2);
      const opened = await tryOpenStored(archive, listing.type);
      const stored = opened !== null && 'note' in opened ? null : opened;
      let onDisk: string;
      let errors: string[] = [];
      try {
        const member = nameMembers(stored, listing.members).members.find((m) => m.name.equals(name));
        if (!member) throw new Error('no longer listed in its archive');
        if (member.diskPath === null && stored) {
          onDisk = join(out, `stored-${member.index}`);
          await stored.extract(member.index, onDisk);
        } else {
          errors = (await this.client.extract(archive, out, row.path_text)).errors;
          onDisk = resolve(out, member.diskPath ?? '');
          if (!onDisk.startsWith(out + sep)) throw new Error('member path leaves the extraction folder');
        }
      } finally {
        await stored?.close();
      }
      let stat;
      try {
        stat = statSync(onDisk);
      } catch {
        throw new Error(`member not extracted${errors.length ? `: ${errors.join('; ')}` : ''}`);
      }
      if (stat.size > MAX_IMAGE_BYTES) throw new Error(`larger than ${MAX_IMAGE_BYTES} bytes`);
      return readFileSync(onDisk);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.close();
  }
}
