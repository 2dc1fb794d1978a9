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
   * The decoded, upright pixels as RGBA: the whole image, or for a large one a reduced copy (see
   * reducedSize). Every hash and the thumbnail are made from these, so a file is decoded once.
   */
  pixels: Pixels;
}

/** Thrown with the decoder's own message when the bytes are not an image we can decode. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

export const DECODER = { name: 'sharp', version: sharp.versions.sharp, libvips: sharp.versions.vips, bmp: BMP_DECODER } as const;

interface Source {
  format: string;
  width: number;
  height: number;
  orientation: number | null;
  /** Reads the picture upright; sharp either decodes the file or takes pixels decoded elsewhere. */
  pipeline: ReturnType<typeof sharp>;
}

/**
 * Decodes an image once, upright. BMP, which sharp cannot read, is decoded by bmp-ts and its
 * pixels then take the same way through sharp as any other picture's. Embedded ICC profiles are not applied: the PDQ reference hashes
 * the stored pixel values, and so do we. A file with damaged pixel data fails (sharp's default,
 * failOn 'warning') rather than yielding hashes of a half-grey picture.
 */
export async function decodeImage(bytes: Uint8Array): Promise<DecodedImage> {
  const warnings: string[] = [];
  try {
    const source = isBmp(bytes) ? bmpSource(bytes) : await sharpSource(bytes);
    const { width, height } = source;
    let pipeline = source.pipeline;
    pipeline.on('warning', (w: string) => warnings.push(w));
    const reduced = reducedSize(width, height);
    if (reduced) {
      // Asking for a reduction lets sharp decode a JPEG at 1/2, 1/4 or 1/8 scale (shrink-on-load);
      // nearest neighbour takes the rest, keeping samples unblended like the reference's resize.
      pipeline = pipeline.resize(reduced.width, reduced.height, { fit: 'fill', kernel: 'nearest' });
    }
    const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return {
      format: source.format,
      width,
      height,
      orientation: source.orientation,
      pixels: { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels },
    };
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    if (err instanceof BmpError) throw new DecodeError(err.message);
    throw new DecodeError(decoderMessage(err instanceof Error ? err.message : String(err), warnings));
  }
}

async function sharpSource(bytes: Uint8Array): Promise<Source> {
  const meta = await sharp(bytes).metadata();
  if (!meta.format || !RASTER_FORMATS.has(meta.format)) {
    throw new DecodeError(`unsupported image format${meta.format ? ` (${meta.format})` : ''}`);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.pageHeight ?? meta.height;
  if (!width || !height) throw new DecodeError('image has no dimensions');
  return { format: meta.format, width, height, orientation: meta.orientation ?? null, pipeline: sharp(bytes, { autoOrient: true, ignoreIcc: true }) };
}

/** BMP carries no EXIF orientation: its rows are stored upright (bottom-up or top-down). */
function bmpSource(bytes: Uint8Array): Source {
  const pixels = decodeBmp(bytes);
  const { width, height, channels } = pixels;
  return { format: 'bmp', width, height, orientation: null, pipeline: sharp(pixels.data, { raw: { width, height, channels: channels as 4 } }) };
}

/**
 * sharp reports damaged pixel data as a generic "warning treated as error", with the decoder's
 * own words on the next line, or (when several pictures are decoded at once) delivered as a
 * warning event instead. Either way the examiner gets the decoder's words.
 */
function decoderMessage(message: string, warnings: readonly string[]): string {
  const lines = [...message.split('\n'), ...warnings].map((l) => l.trim()).filter((l) => l.length > 0);
  const generic = /^Warning treated as error/i;
  const specific = lines.filter((l) => !generic.test(l));
  if (specific.length > 0) return [...new Set(specific)].join('; ');
  return 'damaged image data: the decoder gave a warning and no further detail';
}

/** The shorter side of the reduced copy of a large image; a multiple of 16 (see reducedSize). */
const WORKING_SHORT_SIDE = 576;

/**
 * The size to decode a large image at, or null to decode it whole. Only images at least twice
 * WORKING_SHORT_SIDE on their shorter side are reduced: below that JPEG shrink-on-load cannot help,
 * and the whole image gives PDQ exactly the reference's samples. The reduced copy keeps the aspect
 * ratio with both sides multiples of 16, which lets blockhash take its exact-blocks path; its
 * 576-pixel short side leaves each of the reference's 512 samples a pixel of its own (measured
 * within a few bits of hashing the full decode on 12-megapixel photos).
 */
function reducedSize(width: number, height: number): { width: number; height: number } | null {
  const short = Math.min(width, height);
  if (short < 2 * WORKING_SHORT_SIDE) return null;
  const scale = WORKING_SHORT_SIDE / short;
  return {
    width: Math.max(16, Math.round((width * scale) / 16) * 16),
    height: Math.max(16, Math.round((height * scale) / 16) * 16),
  };
}
