/** Decoded pixels, interleaved 8-bit, 1–4 channels (grey, grey+alpha, RGB, RGBA), row-major. */
export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}
