import { createRequire } from 'node:module';
import { decode } from 'bmp-ts';
import type { Pixels } from '../hashing/pixels.js';

/** libvips as sharp ships it has no BMP loader, so BMP pixels come from bmp-ts (Jimp's BMP codec). */
export const BMP_DECODER = {
  name: 'bmp-ts',
  version: (createRequire(import.meta.url)('bmp-ts/package.json') as { version: string }).version,
} as const;

/** sharp's default limitInputPixels: a BMP is refused at the same size as any other picture. */
const MAX_PIXELS = 0x3fff * 0x3fff;

const FILE_HEADER = 14;
const INFO_HEADER_SIZES = new Set([40, 52, 56, 108, 124]);
const BIT_DEPTHS = new Set([1, 4, 8, 16, 24, 32]);
const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const COMPRESSION_NAMES: Record<number, string> = { 1: 'RLE8', 2: 'RLE4', 4: 'JPEG', 5: 'PNG', 11: 'CMYK', 12: 'CMYKRLE8', 13: 'CMYKRLE4' };

export function isBmp(bytes: Uint8Array): boolean {
  return bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/** Thrown with a one-line reason when a BMP's bytes cannot give its pixels. */
export class BmpError extends Error {
  override name = 'BmpError';
}

/**
 * A BMP's pixels as RGBA, top row first. The header is checked here before bmp-ts sees it, so that
 * a damaged or truncated file fails with a reason rather than an out-of-range read, and so that
 * variants bmp-ts decodes wrongly (run-length compression, 4-bit rows of odd width) are refused
 * instead of being hashed as a scrambled picture.
 */
export function decodeBmp(bytes: Uint8Array): Pixels {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < FILE_HEADER + 40) throw new BmpError(`truncated BMP: ${bytes.length} bytes, shorter than its headers`);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (!INFO_HEADER_SIZES.has(headerSize)) throw new BmpError(`unsupported BMP header (${headerSize} bytes)`);
  const width = view.getInt32(18, true);
  const storedHeight = view.getInt32(22, true);
  const bitsPerPixel = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const height = Math.abs(storedHeight);
  if (width <= 0 || height === 0) throw new BmpError(`BMP has no valid dimensions (${width}x${storedHeight})`);
  if (width * height > MAX_PIXELS) throw new BmpError(`BMP too large: ${width}x${height} pixels`);
  if (!BIT_DEPTHS.has(bitsPerPixel)) throw new BmpError(`unsupported BMP bit depth ${bitsPerPixel}`);
  const bitfields = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS;
  if (compression !== BI_RGB && !(bitfields && (bitsPerPixel === 16 || bitsPerPixel === 32))) {
    throw new BmpError(`unsupported BMP compression ${COMPRESSION_NAMES[compression] ?? compression} at ${bitsPerPixel} bits per pixel`);
  }
  if (bitsPerPixel === 4 && width % 2 === 1) throw new BmpError(`unsupported BMP: 4 bits per pixel with an odd width (${width})`);
  if (dataOffset < FILE_HEADER + headerSize) throw new BmpError(`damaged BMP: its pixel data offset ${dataOffset} lies inside its headers`);
  const rowBytes = Math.ceil((bitsPerPixel * width) / 32) * 4;
  const needed = dataOffset + rowBytes * height;
  if (bytes.length < needed) throw new BmpError(`truncated BMP: its ${width}x${height} pixels need ${needed} bytes, the file has ${bytes.length}`);

  let abgr: Uint8Array;
  try {
    abgr = decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).data;
  } catch (err) {
    throw new BmpError(`damaged BMP: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Only an alpha mask in the header makes the fourth byte transparency; bmp-ts leaves other
  // depths at 0. A mask whose alpha is 0 everywhere is treated as opaque, as browsers show it.
  const alphaMaskAt = FILE_HEADER + 52;
  const alphaMask = (headerSize >= 56 || compression === BI_ALPHABITFIELDS) && (bitsPerPixel === 16 || bitsPerPixel === 32) && alphaMaskAt + 4 <= dataOffset
    ? view.getUint32(alphaMaskAt, true)
    : 0;
  let keepAlpha = false;
  if (alphaMask !== 0) {
    for (let i = 0; i < abgr.length && !keepAlpha; i += 4) keepAlpha = abgr[i] !== 0;
  }
  // bmp-ts gives A,B,G,R per pixel; turned into RGBA in place.
  for (let i = 0; i < abgr.length; i += 4) {
    const a = abgr[i]!;
    const b = abgr[i + 1]!;
    abgr[i] = abgr[i + 3]!;
    abgr[i + 1] = abgr[i + 2]!;
    abgr[i + 2] = b;
    abgr[i + 3] = keepAlpha ? a : 255;
  }
  return { data: abgr, width, height, channels: 4 };
}
