/**
 * The picture types the intake analyses, by the MIME type the magic-byte sniffer gives. HEIC is
 * listed although this build's decoder may not read it: it is recorded with the decoder's refusal,
 * so the examiner sees which pictures were not hashed perceptually.
 */
export const ANALYSABLE_IMAGE_TYPES: readonly string[] = [
  'image/jpeg', 'image/png', 'image/apng', 'image/gif', 'image/webp', 'image/tiff', 'image/bmp',
  'image/avif', 'image/heic', 'image/heic-sequence', 'image/heif', 'image/heif-sequence',
];

const ANALYSABLE = new Set(ANALYSABLE_IMAGE_TYPES);

export function isAnalysableImage(mime: string): boolean {
  return ANALYSABLE.has(mime);
}

/** Files larger than this are not held in memory for image analysis (no picture format we read comes close). */
export const MAX_IMAGE_BYTES = 512 * 1024 * 1024;

const ISO_BMFF_IMAGE_BRANDS = new Set(['avif', 'avis', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

/**
 * A quick look at a file's first bytes to decide, before reading the rest, whether to keep its
 * bytes for image analysis. The sniffer has the last word once the file is read; this only has to
 * say yes to every format in ANALYSABLE_IMAGE_TYPES.
 */
export function mayBeImage(head: Uint8Array): boolean {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  const ascii = (i: number, s: string) => at(i, ...Array.from(s, (ch) => ch.charCodeAt(0)));
  return (
    at(0, 0xff, 0xd8, 0xff) ||
    at(0, 0x89, 0x50, 0x4e, 0x47) ||
    ascii(0, 'GIF8') ||
    (ascii(0, 'RIFF') && ascii(8, 'WEBP')) ||
    at(0, 0x49, 0x49, 0x2a, 0x00) ||
    at(0, 0x4d, 0x4d, 0x00, 0x2a) ||
    ascii(0, 'BM') ||
    (ascii(4, 'ftyp') && ISO_BMFF_IMAGE_BRANDS.has(String.fromCharCode(...head.subarray(8, 12))))
  );
}
