import type { OpenCase } from '../catalog/case.js';
import { ArchiveReaders } from './archiveOriginal.js';
import { ImageReaders, type ImageRead } from './imageOriginal.js';
import type { ContainerReaders } from './original.js';

/** The helpers the viewer reads originals through when they are inside containers: disk images first, then archives. */
export class EvidenceReaders implements ContainerReaders {
  private readonly images = new ImageReaders();
  private readonly archives = new ArchiveReaders();

  async read(c: OpenCase, contentId: number, sha256: string): Promise<ImageRead | { unreachable: string[] }> {
    const fromImage = await this.images.read(c, contentId, sha256);
    if ('bytes' in fromImage) return fromImage;
    const fromArchive = await this.archives.read(c, contentId, sha256);
    if ('bytes' in fromArchive) return fromArchive;
    return { unreachable: [...fromImage.unreachable, ...fromArchive.unreachable] };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.images.close(), this.archives.close()]);
  }
}
