import type { FileHandle } from 'node:fs/promises';
import { Reader } from '@zip.js/zip.js';

/** Random access to the zip through one file handle, so a package of many gigabytes is never held in memory. */
export class FileHandleReader extends Reader<FileHandle> {
  constructor(private readonly handle: FileHandle, size: number) {
    super(handle);
    this.size = size;
  }

  override async readUint8Array(index: number, length: number): Promise<Uint8Array> {
    const data = new Uint8Array(Math.max(0, Math.min(length, this.size - index)));
    let done = 0;
    while (done < data.length) {
      const { bytesRead } = await this.handle.read(data, done, data.length - done, index + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return data.subarray(0, done);
  }
}
