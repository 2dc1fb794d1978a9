import sharp from 'sharp';
import type { Pixels } from '../hashing/pixels.js';
import { BMP_DECODER, BmpError, decodeBmp, isBmp } from './bmp.js';

/** Raster formats sharp decodes for us (its names); anything else it recognises (SVG, PDF) is refused. */
const RASTER_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif', 'avif', 'jp2', 'jxl']);

export interface DecodedImage {
  /** The decoder's name for the format. */
  format: string;
  /** Size as displayed, after EXIF orientation (the first frame of an animation or multi-page file). */
  width: number;
  height: number;
  /** EXIF orientation 1–8 as the decoder read and applied it; null when the file carries none. */
  orientation: number | null;
  /**
   * The decoded pixels of the whole image at full size: RGB for an opaque colour picture,
   * otherwise with an alpha channel (RGBA, or grey and alpha) whose colour values are kept as
   * stored, never premultiplied. Every hash and the thumbnail are made from these, so a file is
   * decoded once. Upright, unless asked for as stored (`pixels.orientation` then says how to turn them).
   */
  pixels: Pixels;
}

/** Thrown with the decoder's own message when the bytes are not an image we can decode. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

/**
 * For callers that already keep every core busy with pictures of their own (the intake's reader
 * threads, one per core): libvips then works on each picture with one thread instead of splitting
 * each resize across threads that are busy anyway. Measured on the intake of 64 12-megapixel JPEGs:
 * 4-10% less CPU and wall time in three alternating pairs. libvips's setting is process-wide.
 */
export function decodeOneThreadPerPicture(): void {
  sharp.concurrency(1);
}

export const DECODER = { name: 'sharp', version: sharp.versions.sharp, libvips: sharp.versions.vips, bmp: BMP_DECODER } as const;

interface Source {
  format: string;
  width: number;
  height: number;
  orientation: number | null;
  /** Three colour channels and no alpha: no alpha channel is added (it would be 255 everywhere). */
  opaqueColour: boolean;
  /** Reads the picture (upright unless asked for as stored); sharp either decodes the file or takes pixels decoded elsewhere. */
  pipeline: ReturnType<typeof sharp>;
  /** The orientation still to apply to what the pipeline gives (1: upright already). */
  storedOrientation: number;
}

export interface DecodeOptions {
  /**
   * The pixels as the file stores them, with the EXIF orientation to apply (`pixels.orientation`),
   * for readers that map their positions through it (PDQ and its extras, the working copy, the
   * preview): libvips takes about as long to turn a 12 MP picture held sideways as to decode it.
   */
  asStored?: boolean;
}

/**
 * Decodes an image once, upright. BMP, which sharp cannot read, is decoded by bmp-ts and its
 * pixels then take the same way through sharp as any other picture's. Embedded ICC profiles are not applied: the PDQ reference hashes
 * the stored pixel values, and so do we. A file with damaged pixel data fails (sharp's default,
 * failOn 'warning') rather than yielding hashes of a half-grey picture, and so does a JPEG, PNG or
 * GIF cut short (truncation below).
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  // A truncated PNG or GIF is refused as a truncated JPEG is (libvips fails on that one itself): a
  // PNG without IEND or a GIF cut mid-animation still shows pixels, but the file is not whole.
  const cut = pngOrGifTruncation(bytes);
  if (cut) throw new DecodeError(cut);
  try {
    const source = isBmp(bytes) ? bmpSource(bytes) : await sharpSource(bytes, options.asStored === true);
    const { width, height } = source;
    // Decoded whole, never reduced on load: the PDQ reference takes its 512x512 samples from the
    // full picture, and a JPEG decoded at 1/2-1/8 scale (shrink-on-load) or a WebP scaled on load
    // gives each sample a blend of its neighbours instead (measured up to 36 bits off on 12 MP
    // photos, 62 on a 4096-pixel WebP). No resize either: libvips premultiplies alpha to resize,
    // which would zero the colour of transparent pixels at one size and keep it at another.
    let pipeline = source.pipeline;
    if (!source.opaqueColour) pipeline = pipeline.ensureAlpha();
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return {
      format: source.format,
      width,
      height,
      orientation: source.orientation,
      pixels: {
        data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels,
        orientation: source.storedOrientation,
      },
    };
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    if (err instanceof BmpError) throw new DecodeError(err.message);
    throw new DecodeError(failureMessage(bytes, err instanceof Error ? err.message : String(err)));
  }
}

async function sharpSource(bytes: Uint8Array, asStored: boolean): Promise<Source> {
  const meta = await sharp(bytes).metadata();
  if (!meta.format || !RASTER_FORMATS.has(meta.format)) {
    throw new DecodeError(`unsupported image format${meta.format ? ` (${meta.format})` : ''}`);
  }
  if (meta.format === 'heif' && meta.compression === 'hevc') {
    // sharp's libheif decodes AV1 (AVIF) only: HEVC is left out of its build for patent reasons.
    throw new DecodeError('HEIC (HEVC-coded HEIF) cannot be decoded: the bundled HEIF decoder reads AVIF only');
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.pageHeight ?? meta.height;
  if (!width || !height) throw new DecodeError('image has no dimensions');
  const orientation = meta.orientation ?? null;
  // Only JPEG is left unturned: camera photos are where the cost is, and JPEG's orientation is its
  // EXIF tag alone (HEIF carries its own transforms, which its decoder applies).
  const turn = meta.format === 'jpeg' && orientation !== null && orientation >= 2 && orientation <= 8 ? orientation : 1;
  return {
    format: meta.format, width, height, orientation, opaqueColour: meta.channels === 3 && !meta.hasAlpha,
    pipeline: sharp(bytes, { autoOrient: !asStored || turn === 1, ignoreIcc: true }),
    storedOrientation: asStored ? turn : 1,
  };
}

/** BMP carries no EXIF orientation: its rows are stored upright (bottom-up or top-down). */
function bmpSource(bytes: Uint8Array): Source {
  const pixels = decodeBmp(bytes);
  const { width, height, channels } = pixels;
  return {
    format: 'bmp', width, height, orientation: null, opaqueColour: false,
    pipeline: sharp(pixels.data, { raw: { width, height, channels: channels as 4 } }), storedOrientation: 1,
  };
}

/**
 * What is recorded when a picture does not decode. It must be the same on every run: an intake
 * resumed after an interruption must give the same catalogue. libvips keeps one error buffer and
 * one warning stream for the whole process, so while the reader threads decode several pictures at
 * once its words for one file can arrive with another's call, or not at all. So structural damage
 * we can see for ourselves (a truncated JPEG, PNG or GIF) is named from the bytes; otherwise the
 * first specific line of the error this call threw is kept, without the process-wide warnings.
 */
function failureMessage(bytes: Uint8Array, message: string): string {
  const structural = truncation(bytes);
  if (structural) return structural;
  const specific = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^Warning treated as error/i.test(l) && !/^error in tile/i.test(l));
  return specific[0] ?? 'damaged image data: the decoder refused it without detail';
}

/**
 * Structural truncation seen from the bytes. PNG and GIF are walked chunk by chunk and block by block
 * to their end marker, so a file cut short is caught even when the decoder shows what it got (a PNG
 * without IEND, a GIF cut in the middle of its animation), and bytes appended after the end marker
 * are not mistaken for truncation.
 */
function truncation(b: Uint8Array): string | null {
  const n = b.length;
  if (n >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    // Encoders and cameras may pad after the end-of-image marker; look for it near the end.
    for (let i = n - 2; i >= Math.max(0, n - 4096); i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return null;
    return 'truncated JPEG: no end-of-image marker (premature end of JPEG image)';
  }
  return pngOrGifTruncation(b);
}

/** Exact for PNG and GIF (walked to their end marker); a JPEG's end is only looked for after a failure, since some cameras append more than 4 KiB after it. */
function pngOrGifTruncation(b: Uint8Array): string | null {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return pngTruncation(b);
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return gifTruncation(b);
  return null;
}

function pngTruncation(b: Uint8Array): string | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 8;
  while (at + 8 <= b.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
    const end = at + 12 + length;
    if (end > b.length) return `truncated PNG: the ${printableChunk(type)} chunk at byte ${at} needs ${end - at} bytes, ${b.length - at} remain; no IEND chunk`;
    if (type === 'IEND') return null;
    at = end;
  }
  return 'truncated PNG: no IEND chunk';
}

function printableChunk(type: string): string {
  return /^[A-Za-z]{4}$/.test(type) ? type : 'unnamed';
}

/** GIF89a/87a: header, logical screen (and its colour table), then blocks up to the trailer (0x3B). */
function gifTruncation(b: Uint8Array): string | null {
  const cut = 'truncated GIF: no trailer';
  let at = 13;
  if (b.length < at) return cut;
  if (b[10]! & 0x80) at += 3 * (1 << ((b[10]! & 0x07) + 1));
  const skipSubBlocks = (from: number): number | null => {
    let i = from;
    while (i < b.length) {
      const size = b[i]!;
      if (size === 0) return i + 1;
      i += 1 + size;
    }
    return null;
  };
  let frames = 0;
  while (at < b.length) {
    const block = b[at]!;
    if (block === 0x3b) return null;
    let next: number | null;
    if (block === 0x21) {
      next = at + 2 <= b.length ? skipSubBlocks(at + 2) : null;
    } else if (block === 0x2c) {
      if (at + 10 > b.length) return `${cut} (cut in the image descriptor of frame ${frames + 1})`;
      const packed = b[at + 9]!;
      const afterTable = at + 10 + (packed & 0x80 ? 3 * (1 << ((packed & 0x07) + 1)) : 0);
      // The LZW minimum code size, then the image data's sub-blocks.
      next = afterTable + 1 <= b.length ? skipSubBlocks(afterTable + 1) : null;
      if (next === null) return `${cut} (cut in frame ${frames + 1})`;
      frames += 1;
    } else {
      // Not a block GIF defines: damage the decoder judges; not a truncation.
      return null;
    }
    if (next === null) return cut;
    at = next;
  }
  return frames > 0 ? `${cut} (cut after frame ${frames})` : cut;
}
