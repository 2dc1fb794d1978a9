import { blockhash, BLOCKHASH_ALGORITHM } from '../hashing/blockhash.js';
import { PDQ_ALGORITHM, PDQ_DIHEDRAL_NAMES, pdqUsableForMatching } from '../hashing/pdq/pdq.js';
import { PDQ_READ_DIM } from '../hashing/pdq/reading.js';
import { pdqWithExtras, PDQ_EXTRAS_ALGORITHM, STORED_EXTRAS, type ExtraHash } from '../hashing/pdq/extraHashes.js';
import { decodeImage, DecodeError, DECODER, type DecodedImage } from './decode.js';
import { readExif, EXIF_READER, type ExifSummary } from './exif.js';
import { makeThumbnail, THUMBNAIL, type Thumbnail } from './thumbnail.js';
import { workingCopy } from './workingCopy.js';
import { makePreview, PREVIEW, type Preview } from './preview.js';

/** Names and versions of everything that produced an analysis, stored with it. */
export const IMAGE_ALGORITHMS = {
  pdq: {
    ...PDQ_ALGORITHM,
    reading: `full decode, EXIF orientation applied, alpha dropped (colour values as stored), then nearest-neighbour ${PDQ_READ_DIM}x${PDQ_READ_DIM} when larger`,
    dihedralOrder: PDQ_DIHEDRAL_NAMES,
  },
  pdqExtras: PDQ_EXTRAS_ALGORITHM,
  blockhash: BLOCKHASH_ALGORITHM,
  decoder: DECODER,
  exif: EXIF_READER,
  thumbnail: THUMBNAIL,
  preview: PREVIEW,
} as const;

export interface ImageAnalysis {
  /** The decoder's format name; null when the bytes could not be decoded. */
  format: string | null;
  /** Size as displayed (after EXIF orientation). */
  width: number | null;
  height: number | null;
  orientation: number | null;
  pdq: string | null;
  pdqQuality: number | null;
  /** The 8 dihedral PDQ hashes, [0] the image as displayed. */
  pdqDihedral: string[] | null;
  /** False for a hash too featureless to match on (quality below 50), or no hash at all. */
  pdqUsable: boolean;
  /**
   * Extra PDQ hashes of parts of the picture (inside uniform borders, the crop set), for matching
   * that survives borders and crops; evidence beside the plain PDQ, never exported as PDQ.
   */
  pdqExtras: ExtraHash[] | null;
  blockhash: string | null;
  exif: ExifSummary | null;
  thumbnail: Thumbnail | null;
  /** The viewer's stored preview, shown when the original is not reachable. */
  preview: Preview | null;
  /** The decoder's message when the image could not be decoded; every hash is then null. */
  decodeError: string | null;
  algorithms: typeof IMAGE_ALGORITHMS;
}

/**
 * Everything the catalogue keeps about a picture, from its bytes, decoding it once. Never throws
 * for a bad image: a file that does not decode comes back with decodeError set, so that an intake
 * records it and goes on.
 */
export async function analyseImage(bytes: Uint8Array): Promise<ImageAnalysis> {
  const exifPending = readExif(bytes);
  let decoded: DecodedImage;
  try {
    decoded = await decodeImage(bytes, { asStored: true });
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return { ...empty(), exif: await exifPending, decodeError: err.message };
  }
  const working = workingCopy(decoded.pixels);
  // The thumbnail and preview are made on sharp's threads while this thread computes the hashes.
  const thumbnailPending = makeThumbnail(working);
  const previewPending = makePreview(decoded.pixels);
  const { plain: pdq, extras: pdqExtras } = pdqWithExtras(decoded.pixels, STORED_EXTRAS);
  const block = blockhash(working);
  const [thumbnail, preview, exif] = await Promise.all([thumbnailPending, previewPending, exifPending]);
  return {
    format: decoded.format,
    width: decoded.width,
    height: decoded.height,
    orientation: decoded.orientation,
    pdq: pdq.hash,
    pdqQuality: pdq.quality,
    pdqDihedral: pdq.dihedral,
    pdqUsable: pdqUsableForMatching(pdq.quality),
    pdqExtras,
    blockhash: block,
    exif,
    thumbnail,
    preview,
    decodeError: null,
    algorithms: IMAGE_ALGORITHMS,
  };
}

/**
 * The record for a picture that was not decoded at all (too large to hold, say), so that it is
 * catalogued as tried rather than left looking unprocessed.
 */
export function notAnalysed(reason: string): ImageAnalysis {
  return { ...empty(), exif: null, decodeError: reason };
}

function empty(): Omit<ImageAnalysis, 'exif' | 'decodeError'> {
  return {
    format: null, width: null, height: null, orientation: null, pdq: null, pdqQuality: null, pdqDihedral: null,
    pdqUsable: false, pdqExtras: null, blockhash: null, thumbnail: null, preview: null, algorithms: IMAGE_ALGORITHMS,
  };
}
