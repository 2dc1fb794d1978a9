import { fileTypeFromBuffer, supportedExtensions } from 'file-type';

export interface Sniffed {
  mime: string;
  /** The canonical extension for the detected type; null when the type has none (text, unknown, empty). */
  ext: string | null;
}

/** How many bytes of a file's start the sniffer needs (file-type's own minimum for its signatures). */
export const SNIFF_BYTES = 4100;

/** The type of a file's content from its first bytes: magic numbers, never the name. */
export async function sniff(head: Uint8Array, size: number): Promise<Sniffed> {
  if (size === 0) return { mime: 'application/x-empty', ext: null };
  const found = await fileTypeFromBuffer(head);
  if (found) return { mime: found.mime, ext: found.ext };
  if (looksLikeText(head)) return { mime: 'text/plain', ext: null };
  return { mime: 'application/octet-stream', ext: null };
}

function looksLikeText(head: Uint8Array): boolean {
  if (head.includes(0)) return false;
  try {
    // A multi-byte character may be cut at the end of the sample: drop up to 3 trailing bytes.
    const sample = head.length > 3 ? head.subarray(0, head.length - 3) : head;
    new TextDecoder('utf-8', { fatal: true }).decode(sample);
    return true;
  } catch {
    return false;
  }
}

const ALIASES: readonly (readonly string[])[] = [
  ['jpg', 'jpeg', 'jpe', 'jfif', 'jif'],
  ['tif', 'tiff'],
  ['heic', 'heif', 'hif'],
  ['mp4', 'm4v', 'm4p'],
  ['m4a', 'aac'],
  ['mov', 'qt'],
  ['mpg', 'mpeg', 'mpe', 'm2p', 'vob'],
  ['htm', 'html'],
  ['gz', 'gzip', 'tgz'],
  ['ogg', 'ogv', 'oga', 'opus'],
  ['mkv', 'mka', 'mks'],
  ['avi', 'divx'],
  ['ico', 'cur'],
  ['zip', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub', 'jar', 'apk', 'ipa', 'xpi', 'kmz', 'zipx'],
];

const SUPPORTED = new Set<string>(supportedExtensions as ReadonlySet<string>);

function accepted(canonical: string): readonly string[] {
  return ALIASES.find((group) => group.includes(canonical)) ?? [canonical];
}

/** The lower-case extension of a file name (bytes), or '' when it has none. */
export function extensionOf(name: Buffer): string {
  const base = name.subarray(name.lastIndexOf(0x2f) + 1);
  const dot = base.lastIndexOf(0x2e);
  if (dot <= 0 || dot === base.length - 1) return '';
  return base.subarray(dot + 1).toString('latin1').toLowerCase();
}

/**
 * True when the name and the content disagree in a way an examiner wants flagged: a known type under
 * another type's extension (holiday.txt that is a JPEG), a name claiming a type its bytes are not
 * (photo.jpg that is not a JPEG), or a picture or video with no extension at all.
 */
export function extensionMismatch(ext: string, sniffed: Sniffed): boolean {
  if (sniffed.mime === 'application/x-empty') return false;
  if (sniffed.ext !== null) {
    if (ext === '') return sniffed.mime.startsWith('image/') || sniffed.mime.startsWith('video/');
    return !accepted(sniffed.ext).includes(ext);
  }
  return ext !== '' && SUPPORTED.has(ext) && !TEXT_EXTENSIONS.has(ext);
}

/** Extensions file-type knows that may legitimately hold plain text. */
const TEXT_EXTENSIONS = new Set(['xml', 'svg', 'html', 'htm', 'ics', 'vcf', 'vtt', 'srt', 'json', 'csv']);
