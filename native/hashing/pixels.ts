/** Decoded pixels, interleaved 8-bit, 1–4 channels (grey, grey+alpha, RGB, RGBA), row-major. */
export interface Pixels {
  data: Uint8Array;
  /** Size of the data as stored (before `orientation` is applied). */
  width: number;
  height: number;
  channels: number;
  /**
   * EXIF orientation still to apply to show the picture upright (native/hashing/orientation.ts);
   * absent or 1 when the data is upright already. Only the readers that map their positions
   * through it accept anything else: PDQ and its extras, the working copy and the preview.
   */
  orientation?: number;
}
