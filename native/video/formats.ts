/**
 * Video types by the MIME type the magic-byte sniffer (file-type) gives: MP4/MOV/3GP, Matroska and
 * WebM, AVI, WMV/ASF, FLV, MPEG program and transport streams. Animated GIF and WebP are pictures
 * and videos both: they keep their picture analysis and get the video one too.
 */
export const VIDEO_TYPES: readonly string[] = [
  'video/mp4', 'video/quicktime', 'video/3gpp', 'video/3gpp2', 'video/x-m4v', 'video/mj2',
  'video/x-matroska', 'video/matroska', 'video/webm',
  'video/vnd.avi', 'video/x-msvideo', 'video/x-ms-asf', 'video/x-ms-wmv', 'application/vnd.ms-asf',
  'video/x-flv', 'video/mpeg', 'video/MP1S', 'video/MP2P', 'video/mp2t', 'video/ogg',
];

/** Pictures that may be animations; whether one is, its first bytes tell (isAnimatedPicture). */
export const MAYBE_ANIMATED_TYPES: readonly string[] = ['image/gif', 'image/webp'];

const VIDEO = new Set(VIDEO_TYPES);

export function isVideoType(mime: string): boolean {
  return VIDEO.has(mime);
}

/**
 * Whether a GIF or WebP is an animation: a GIF with the NETSCAPE2.0 (or ANIMEXTS1.0) looping
 * extension that animations carry, a WebP whose VP8X header sets the animation flag.
 */
export function isAnimatedPicture(head: Uint8Array): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (text.subarray(0, 4).toString('latin1') === 'GIF8') {
    return text.includes('NETSCAPE2.0', 0, 'latin1') || text.includes('ANIMEXTS1.0', 0, 'latin1');
  }
  if (text.subarray(0, 4).toString('latin1') === 'RIFF' && text.subarray(8, 16).toString('latin1') === 'WEBPVP8X') {
    return (text[20]! & 0x02) !== 0;
  }
  return false;
}
