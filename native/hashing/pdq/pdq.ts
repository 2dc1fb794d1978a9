/**
 * PDQ (Meta, 2017): a 256-bit perceptual hash with a 0–100 quality score, implemented from the
 * published algorithm: luminance, a two-pass Jarosz tent filter down to 64x64, the 16x16
 * low-frequency block of a 2-D DCT (DC excluded), and one bit per coefficient above the median.
 *
 * The C++ reference works in 32-bit floats. Every stored and accumulated value is rounded to float32
 * (Math.fround) the same way, so that two nearly equal coefficients fall on the same side of the
 * median as in the reference rather than wherever double precision happens to put them.
 */

export const PDQ_ALGORITHM = { name: 'pdq', version: '1.0', reference: 'facebook/ThreatExchange pdq/cpp' } as const;

/** Hashes at this Hamming distance or less are the same picture (the distance PDQ exchanges use). */
export const PDQ_MATCH_DISTANCE = 31;
/** Below this quality a PDQ hash is too featureless to match on (blank, tiny or flat images). */
export const PDQ_MIN_MATCH_QUALITY = 50;

/** Images smaller than this on either side hash to all zeros with quality 0, as in the reference. */
const MIN_HASHABLE_DIM = 5;
const JAROSZ_PASSES = 2;
/** Rec. 601 luma weights, as float32 like the reference's constants. */
export const LUMA_COEFFICIENTS = [Math.fround(0.299), Math.fround(0.587), Math.fround(0.114)] as const;

/**
 * The eight dihedral variants, in the reference's order: what the hash of the image would be after
 * each rotation or flip. Index 0 is the image as given.
 */
export const PDQ_DIHEDRAL_NAMES = [
  'original', 'rotate90', 'rotate180', 'rotate270', 'flipX', 'flipY', 'flipPlus1', 'flipMinus1',
] as const;

export interface PdqResult {
  /** 64 lowercase hex digits, the reference's byte order (word 15 first). */
  hash: string;
  quality: number;
  /** The 8 dihedral hashes (PDQ_DIHEDRAL_NAMES order); [0] equals hash. */
  dihedral: string[];
}

export function pdqUsableForMatching(quality: number): boolean {
  return quality >= PDQ_MIN_MATCH_QUALITY;
}

/**
 * PDQ of a luminance image (row-major, rows x cols). The buffer is used as scratch space and is
 * overwritten.
 */
export function pdqFromLuma(luma: Float32Array, rows: number, cols: number): PdqResult {
  if (rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM) {
    const zero = '0'.repeat(64);
    return { hash: zero, quality: 0, dihedral: Array.from({ length: 8 }, () => zero) };
  }
  const small = jaroszDecimated(luma, rows, cols, jaroszWindow(cols, 64), jaroszWindow(rows, 64));
  const quality = imageDomainQuality(small);
  const dct = dct64To16(small);
  const dihedral = DIHEDRAL.map((v) => bitsToHex(applyDihedral(dct, v)));
  return { hash: dihedral[0]!, quality, dihedral };
}

/** Window so that two passes of box filters spread each output over about 1/64 of the input. */
function jaroszWindow(oldDim: number, newDim: number): number {
  return Math.floor((oldDim + 2 * newDim - 1) / (2 * newDim));
}

/** Working buffers kept between calls: a worker hashes picture after picture of the same size. */
let scratch = new Float32Array(0);
let picked = new Float32Array(0);
let sums = new Float32Array(0);

/**
 * The Jarosz filter (JAROSZ_PASSES passes of a box filter along the rows, then down the columns),
 * sampled at the centres of a 64x64 grid. The last pass computes only what the grid keeps: its
 * row filter divides and stores the 64 sampled columns alone (each row's running sum still goes
 * the whole way, as the sums are rounded step by step), and its column filter runs down those 64
 * columns (a column's sums depend on nothing but that column), storing the 64 sampled rows. Every
 * value kept is the float32 the full filter gives there.
 */
function jaroszDecimated(buf: Float32Array, rows: number, cols: number, windowAlongRows: number, windowAlongCols: number): Float32Array {
  if (scratch.length < rows * cols) scratch = new Float32Array(rows * cols);
  if (picked.length < rows * 64) picked = new Float32Array(rows * 64);
  if (sums.length < Math.max(cols, 64)) sums = new Float32Array(Math.max(cols, 64));
  for (let pass = 0; pass < JAROSZ_PASSES - 1; pass++) {
    boxAlongRows(buf, scratch, rows, cols, windowAlongRows);
    boxAlongColumns(scratch, buf, rows, cols, windowAlongCols, sums);
  }
  boxAlongRowsKeeping(buf, picked, scratch, rows, cols, windowAlongRows, gridCentres(cols));
  const out = new Float32Array(64 * 64);
  boxAlongColumnsKeeping(picked, out, rows, 64, windowAlongCols, sums, gridCentres(rows));
  return out;
}

/** The centres of 64 equal cells along an axis of `length` samples, as the reference decimates. */
function gridCentres(length: number): Int32Array {
  const at = new Int32Array(64);
  for (let i = 0; i < 64; i++) at[i] = Math.floor(((i + 0.5) * length) / 64);
  return at;
}

/**
 * Box filter phases along a line of `length` samples with a window of `window`: the window grows
 * from half size (no output yet), then outputs while growing to full size, slides at full size,
 * and shrinks back to half at the far end; each output is the mean of the samples in the window.
 */
function phases(length: number, window: number): [lead: number, grow: number, full: number, tail: number] {
  const half = Math.floor((window + 2) / 2);
  return [half - 1, window - half + 1, length - window, half - 1];
}

/**
 * The filter along every row. Rows are taken four at a time: each row's running sum is a chain of
 * dependent float32 additions, and four independent chains keep the processor busy while each
 * addition waits for the one before (measured about three times faster than a row at a time).
 * Each row still sees exactly the operations, in the same order, of the single-row filter.
 */
function boxAlongRows(input: Float32Array, output: Float32Array, rows: number, cols: number, window: number): void {
  const [lead, grow, full, tail] = phases(cols, window);
  const reciprocal = exactReciprocal(window);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * cols;
    const b1 = b0 + cols;
    const b2 = b1 + cols;
    const b3 = b2 + cols;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let ri = 0;
    let li = 0;
    let oi = 0;
    let count = 0;
    for (let k = 0; k < lead; k++, ri++) {
      s0 = Math.fround(s0 + input[b0 + ri]!);
      s1 = Math.fround(s1 + input[b1 + ri]!);
      s2 = Math.fround(s2 + input[b2 + ri]!);
      s3 = Math.fround(s3 + input[b3 + ri]!);
      count++;
    }
    for (let k = 0; k < grow; k++, ri++, oi++) {
      s0 = Math.fround(s0 + input[b0 + ri]!);
      s1 = Math.fround(s1 + input[b1 + ri]!);
      s2 = Math.fround(s2 + input[b2 + ri]!);
      s3 = Math.fround(s3 + input[b3 + ri]!);
      count++;
      output[b0 + oi] = s0 / count;
      output[b1 + oi] = s1 / count;
      output[b2 + oi] = s2 / count;
      output[b3 + oi] = s3 / count;
    }
    if (reciprocal !== 0) {
      for (let k = 0; k < full; k++, ri++, li++, oi++) {
        s0 = Math.fround(Math.fround(s0 + input[b0 + ri]!) - input[b0 + li]!);
        s1 = Math.fround(Math.fround(s1 + input[b1 + ri]!) - input[b1 + li]!);
        s2 = Math.fround(Math.fround(s2 + input[b2 + ri]!) - input[b2 + li]!);
        s3 = Math.fround(Math.fround(s3 + input[b3 + ri]!) - input[b3 + li]!);
        output[b0 + oi] = s0 * reciprocal;
        output[b1 + oi] = s1 * reciprocal;
        output[b2 + oi] = s2 * reciprocal;
        output[b3 + oi] = s3 * reciprocal;
      }
    } else {
      for (let k = 0; k < full; k++, ri++, li++, oi++) {
        s0 = Math.fround(Math.fround(s0 + input[b0 + ri]!) - input[b0 + li]!);
        s1 = Math.fround(Math.fround(s1 + input[b1 + ri]!) - input[b1 + li]!);
        s2 = Math.fround(Math.fround(s2 + input[b2 + ri]!) - input[b2 + li]!);
        s3 = Math.fround(Math.fround(s3 + input[b3 + ri]!) - input[b3 + li]!);
        output[b0 + oi] = s0 / count;
        output[b1 + oi] = s1 / count;
        output[b2 + oi] = s2 / count;
        output[b3 + oi] = s3 / count;
      }
    }
    for (let k = 0; k < tail; k++, li++, oi++) {
      s0 = Math.fround(s0 - input[b0 + li]!);
      s1 = Math.fround(s1 - input[b1 + li]!);
      s2 = Math.fround(s2 - input[b2 + li]!);
      s3 = Math.fround(s3 - input[b3 + li]!);
      count--;
      output[b0 + oi] = s0 / count;
      output[b1 + oi] = s1 / count;
      output[b2 + oi] = s2 / count;
      output[b3 + oi] = s3 / count;
    }
  }
  for (; r < rows; r++) boxAlongRow(input, output, r * cols, cols, window);
}

/**
 * 1/window when dividing by the window is exactly multiplying by that (a power of two: 4 for the
 * 512-sample grid every large picture is read into), else 0. A division costs several times a
 * multiplication, and the quotient of a power of two is the same number either way.
 */
function exactReciprocal(window: number): number {
  return (window & (window - 1)) === 0 ? 1 / window : 0;
}

/**
 * The filter along every row, dividing and storing only the outputs at columns `keep` (ascending;
 * a column may repeat when the image is narrower than the grid) into `output`, keep.length values
 * per row. Each running sum takes every step of the full filter, so every value kept is the one
 * the full filter stores there; the 448 of 512 columns nobody reads cost no division or store.
 * The rows left over after the groups of four are filtered whole into `spare` (rows x cols).
 */
function boxAlongRowsKeeping(input: Float32Array, output: Float32Array, spare: Float32Array, rows: number, cols: number, window: number, keep: Int32Array): void {
  const [lead, grow, full, tail] = phases(cols, window);
  const kept = keep.length;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * cols;
    const b1 = b0 + cols;
    const b2 = b1 + cols;
    const b3 = b2 + cols;
    const o0 = r * kept;
    const o1 = o0 + kept;
    const o2 = o1 + kept;
    const o3 = o2 + kept;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let ri = 0;
    let li = 0;
    let oi = 0;
    let count = 0;
    let k = 0;
    let want = keep[0]!;
    for (let step = 0; step < lead; step++, ri++) {
      s0 = Math.fround(s0 + input[b0 + ri]!);
      s1 = Math.fround(s1 + input[b1 + ri]!);
      s2 = Math.fround(s2 + input[b2 + ri]!);
      s3 = Math.fround(s3 + input[b3 + ri]!);
      count++;
    }
    for (let step = 0; step < grow + full + tail; step++, oi++) {
      if (step < grow) {
        s0 = Math.fround(s0 + input[b0 + ri]!);
        s1 = Math.fround(s1 + input[b1 + ri]!);
        s2 = Math.fround(s2 + input[b2 + ri]!);
        s3 = Math.fround(s3 + input[b3 + ri]!);
        ri++;
        count++;
      } else if (step < grow + full) {
        s0 = Math.fround(Math.fround(s0 + input[b0 + ri]!) - input[b0 + li]!);
        s1 = Math.fround(Math.fround(s1 + input[b1 + ri]!) - input[b1 + li]!);
        s2 = Math.fround(Math.fround(s2 + input[b2 + ri]!) - input[b2 + li]!);
        s3 = Math.fround(Math.fround(s3 + input[b3 + ri]!) - input[b3 + li]!);
        ri++;
        li++;
      } else {
        s0 = Math.fround(s0 - input[b0 + li]!);
        s1 = Math.fround(s1 - input[b1 + li]!);
        s2 = Math.fround(s2 - input[b2 + li]!);
        s3 = Math.fround(s3 - input[b3 + li]!);
        li++;
        count--;
      }
      while (oi === want) {
        output[o0 + k] = s0 / count;
        output[o1 + k] = s1 / count;
        output[o2 + k] = s2 / count;
        output[o3 + k] = s3 / count;
        k++;
        want = k < kept ? keep[k]! : -1;
      }
    }
  }
  for (; r < rows; r++) {
    boxAlongRow(input, spare, r * cols, cols, window);
    for (let k = 0; k < kept; k++) output[r * kept + k] = spare[r * cols + keep[k]!]!;
  }
}

/**
 * The filter down every column, storing only the output rows `keep` (ascending, repeats allowed)
 * into `output`, `cols` values per kept row; the sums take every step of the full filter.
 */
function boxAlongColumnsKeeping(
  input: Float32Array,
  output: Float32Array,
  rows: number,
  cols: number,
  window: number,
  sums: Float32Array,
  keep: Int32Array,
): void {
  const [lead, grow, full, tail] = phases(rows, window);
  sums.fill(0, 0, cols);
  let ri = 0;
  let li = 0;
  let count = 0;
  let k = 0;
  let want = keep[0]!;
  for (let step = 0; step < lead; step++, ri += cols) {
    count++;
    for (let j = 0; j < cols; j++) sums[j] = Math.fround(sums[j]! + input[ri + j]!);
  }
  for (let oi = 0; oi < grow + full + tail; oi++) {
    if (oi < grow) {
      count++;
      for (let j = 0; j < cols; j++) sums[j] = Math.fround(sums[j]! + input[ri + j]!);
      ri += cols;
    } else if (oi < grow + full) {
      for (let j = 0; j < cols; j++) sums[j] = Math.fround(Math.fround(sums[j]! + input[ri + j]!) - input[li + j]!);
      ri += cols;
      li += cols;
    } else {
      count--;
      for (let j = 0; j < cols; j++) sums[j] = Math.fround(sums[j]! - input[li + j]!);
      li += cols;
    }
    while (oi === want) {
      for (let j = 0; j < cols; j++) output[k * cols + j] = sums[j]! / count;
      k++;
      want = k < keep.length ? keep[k]! : -1;
    }
  }
}

function boxAlongRow(input: Float32Array, output: Float32Array, start: number, length: number, window: number): void {
  const [lead, grow, full, tail] = phases(length, window);
  let li = start;
  let ri = start;
  let oi = start;
  let sum = 0;
  let count = 0;
  for (let k = 0; k < lead; k++) {
    sum = Math.fround(sum + input[ri++]!);
    count++;
  }
  for (let k = 0; k < grow; k++) {
    sum = Math.fround(sum + input[ri++]!);
    count++;
    output[oi++] = sum / count;
  }
  for (let k = 0; k < full; k++) {
    sum = Math.fround(Math.fround(sum + input[ri++]!) - input[li++]!);
    output[oi++] = sum / count;
  }
  for (let k = 0; k < tail; k++) {
    sum = Math.fround(sum - input[li++]!);
    count--;
    output[oi++] = sum / count;
  }
}

/**
 * The same filter down every column at once, a row at a time, so memory is read in order; each
 * column's sum sees the same operations in the same order as a column-by-column pass would.
 */
function boxAlongColumns(
  input: Float32Array,
  output: Float32Array,
  rows: number,
  cols: number,
  window: number,
  sums: Float32Array,
): void {
  const [lead, grow, full, tail] = phases(rows, window);
  sums.fill(0, 0, cols);
  let ri = 0;
  let li = 0;
  let oi = 0;
  let count = 0;
  for (let k = 0; k < lead; k++, ri += cols) {
    count++;
    for (let j = 0; j < cols; j++) sums[j] = Math.fround(sums[j]! + input[ri + j]!);
  }
  for (let k = 0; k < grow; k++, ri += cols, oi += cols) {
    count++;
    for (let j = 0; j < cols; j++) {
      const sum = Math.fround(sums[j]! + input[ri + j]!);
      sums[j] = sum;
      output[oi + j] = sum / count;
    }
  }
  const reciprocal = exactReciprocal(window);
  if (reciprocal !== 0) {
    // Four columns at a time down the whole stretch, their sums held in registers rather than
    // read back from and written to the sums array at every row.
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      let s0 = sums[j]!;
      let s1 = sums[j + 1]!;
      let s2 = sums[j + 2]!;
      let s3 = sums[j + 3]!;
      for (let k = 0, r = ri + j, l = li + j, o = oi + j; k < full; k++, r += cols, l += cols, o += cols) {
        s0 = Math.fround(Math.fround(s0 + input[r]!) - input[l]!);
        s1 = Math.fround(Math.fround(s1 + input[r + 1]!) - input[l + 1]!);
        s2 = Math.fround(Math.fround(s2 + input[r + 2]!) - input[l + 2]!);
        s3 = Math.fround(Math.fround(s3 + input[r + 3]!) - input[l + 3]!);
        output[o] = s0 * reciprocal;
        output[o + 1] = s1 * reciprocal;
        output[o + 2] = s2 * reciprocal;
        output[o + 3] = s3 * reciprocal;
      }
      sums[j] = s0;
      sums[j + 1] = s1;
      sums[j + 2] = s2;
      sums[j + 3] = s3;
    }
    for (; j < cols; j++) {
      let sum = sums[j]!;
      for (let k = 0, r = ri + j, l = li + j, o = oi + j; k < full; k++, r += cols, l += cols, o += cols) {
        sum = Math.fround(Math.fround(sum + input[r]!) - input[l]!);
        output[o] = sum * reciprocal;
      }
      sums[j] = sum;
    }
    ri += full * cols;
    li += full * cols;
    oi += full * cols;
  } else {
    for (let k = 0; k < full; k++, ri += cols, li += cols, oi += cols) {
      for (let j = 0; j < cols; j++) {
        const sum = Math.fround(Math.fround(sums[j]! + input[ri + j]!) - input[li + j]!);
        sums[j] = sum;
        output[oi + j] = sum / count;
      }
    }
  }
  for (let k = 0; k < tail; k++, li += cols, oi += cols) {
    count--;
    for (let j = 0; j < cols; j++) {
      const sum = Math.fround(sums[j]! - input[li + j]!);
      sums[j] = sum;
      output[oi + j] = sum / count;
    }
  }
}

/** Sum of quantised neighbour differences: flat or tiny images score low. */
function imageDomainQuality(a: Float32Array): number {
  let sum = 0;
  const step = (u: number, v: number) => Math.abs(Math.trunc(Math.fround(Math.fround(Math.fround(u - v) * 100) / 255)));
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) sum += step(a[i * 64 + j]!, a[(i + 1) * 64 + j]!);
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) sum += step(a[i * 64 + j]!, a[i * 64 + j + 1]!);
  }
  return Math.min(100, Math.floor(sum / 90));
}

/** DCT-II basis rows 1..16 (row 0, the mean, carries no shape and is left out) over 64 samples. */
const DCT_MATRIX: Float32Array = (() => {
  const m = new Float32Array(16 * 64);
  const scale = Math.fround(Math.sqrt(2 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      m[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
    }
  }
  return m;
})();

/** B = D A Dᵀ: the 16x16 low-frequency coefficients of the 64x64 image. */
function dct64To16(a: Float32Array): Float32Array {
  const d = DCT_MATRIX;
  const t = new Float32Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = Math.fround(sum + Math.fround(d[i * 64 + k]! * a[k * 64 + j]!));
      t[i * 64 + j] = sum;
    }
  }
  const b = new Float32Array(16 * 16);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = Math.fround(sum + Math.fround(t[i * 64 + k]! * d[j * 64 + k]!));
      b[i * 16 + j] = sum;
    }
  }
  return b;
}

/**
 * How a rotation or flip acts on the DCT coefficients. Mirroring an axis multiplies the coefficient
 * of frequency k along it by (-1)^k; our row/column index i holds frequency i+1, so even indices
 * change sign. A quarter turn or a diagonal flip swaps the axes (transpose).
 */
interface Dihedral {
  transpose: boolean;
  mirrorRows: boolean;
  mirrorCols: boolean;
}

const DIHEDRAL: readonly Dihedral[] = [
  { transpose: false, mirrorRows: false, mirrorCols: false }, // original
  { transpose: true, mirrorRows: false, mirrorCols: true }, // rotate 90
  { transpose: false, mirrorRows: true, mirrorCols: true }, // rotate 180
  { transpose: true, mirrorRows: true, mirrorCols: false }, // rotate 270
  { transpose: false, mirrorRows: true, mirrorCols: false }, // flip about the horizontal axis
  { transpose: false, mirrorRows: false, mirrorCols: true }, // flip about the vertical axis
  { transpose: true, mirrorRows: false, mirrorCols: false }, // flip about the main diagonal
  { transpose: true, mirrorRows: true, mirrorCols: true }, // flip about the anti-diagonal
];

function applyDihedral(a: Float32Array, v: Dihedral): Float32Array {
  const out = new Float32Array(256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      const negate = (v.mirrorRows && (i & 1) === 0) !== (v.mirrorCols && (j & 1) === 0);
      const value = negate ? -a[i * 16 + j]! : a[i * 16 + j]!;
      out[v.transpose ? j * 16 + i : i * 16 + j] = value;
    }
  }
  return out;
}

/**
 * One bit per coefficient above the median (the 128th smallest of 256, as Torben's selection in the
 * reference returns), written as the reference prints Hash256: sixteen 16-bit words, the last first.
 */
function bitsToHex(coefficients: Float32Array): string {
  const median = Float32Array.from(coefficients).sort()[127]!;
  let hex = '';
  for (let word = 15; word >= 0; word--) {
    let w = 0;
    for (let bit = 0; bit < 16; bit++) {
      if (coefficients[word * 16 + bit]! > median) w |= 1 << bit;
    }
    hex += w.toString(16).padStart(4, '0');
  }
  return hex;
}
