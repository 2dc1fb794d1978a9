import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { REFERENCE, jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { queryCase } from '../../helpers/catalogue.js';
import { analyseImage, type ImageAnalysis } from '../../../native/image/analyse.js';
import { decodeImage } from '../../../native/image/decode.js';
import { isAnalysableImage } from '../../../native/image/formats.js';
import { hammingHex } from '../../../native/hashing/hamming.js';
import type { Pixels } from '../../../native/hashing/pixels.js';

const PHOTO = join(REFERENCE, 'pdq', 'bridge-mods', 'aaa-orig.jpg');
const LARGE_PHOTO = join(REFERENCE, 'pdq', 'reg-test-input', 'exif-rotn', 'exif-rotn-1.jpg');

type Variant =
  | { bits: 24; topDown?: boolean }
  | { bits: 32; alpha: boolean; topDown?: boolean }
  | { bits: 8 | 1; topDown?: boolean };

/**
 * A BMP writer independent of the decoder under test. Palette variants quantise the picture here,
 * and the function also returns the RGBA pixels the BMP holds, so that the expected hashes come
 * from exactly the pixels written.
 */
function writeBmp(src: Pixels, variant: Variant): { bmp: Buffer; pixels: Pixels } {
  const { width, height } = src;
  const at = (x: number, y: number) => (y * width + x) * 4;
  const out = new Uint8Array(width * height * 4);
  let palette: number[][] = [];
  let index: (p: number) => number = () => 0;
  if (variant.bits === 8) {
    // A 6x6x6 colour cube, so channel order in the palette matters.
    for (let r = 0; r < 6; r++) for (let g = 0; g < 6; g++) for (let b = 0; b < 6; b++) palette.push([r * 51, g * 51, b * 51]);
    index = (p) => Math.round(src.data[p]! / 51) * 36 + Math.round(src.data[p + 1]! / 51) * 6 + Math.round(src.data[p + 2]! / 51);
  } else if (variant.bits === 1) {
    palette = [[20, 30, 120], [250, 230, 90]];
    index = (p) => (0.299 * src.data[p]! + 0.587 * src.data[p + 1]! + 0.114 * src.data[p + 2]! >= 128 ? 1 : 0);
  }
  const withAlpha = variant.bits === 32 && variant.alpha;
  const rowBytes = Math.ceil((variant.bits * width) / 32) * 4;
  const infoSize = withAlpha ? 108 : 40;
  const dataOffset = 14 + infoSize + palette.length * 4;
  const bmp = Buffer.alloc(dataOffset + rowBytes * height);
  bmp.write('BM', 0, 'latin1');
  bmp.writeUInt32LE(bmp.length, 2);
  bmp.writeUInt32LE(dataOffset, 10);
  bmp.writeUInt32LE(infoSize, 14);
  bmp.writeInt32LE(width, 18);
  bmp.writeInt32LE(variant.topDown ? -height : height, 22);
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(variant.bits, 28);
  bmp.writeUInt32LE(withAlpha ? 3 : 0, 30);
  bmp.writeUInt32LE(palette.length, 46);
  if (withAlpha) {
    [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000].forEach((m, i) => bmp.writeUInt32LE(m, 54 + 4 * i));
    bmp.write('BGRs', 70, 'latin1');
  }
  palette.forEach(([r, g, b], i) => bmp.set([b!, g!, r!, 0], 14 + infoSize + 4 * i));
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (variant.topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const p = at(x, y);
      // A transparent band in the alpha variant, so that blockhash (which reads alpha) sees it.
      const alpha = withAlpha ? (y < height / 4 ? 0 : 200) : 255;
      let rgb = [src.data[p]!, src.data[p + 1]!, src.data[p + 2]!];
      if (palette.length > 0) {
        const i = index(p);
        rgb = palette[i]!;
        if (variant.bits === 8) bmp[row + x] = i;
        else if (i) bmp[row + (x >> 3)]! |= 0x80 >> (x & 7);
      } else {
        const q = row + x * (variant.bits / 8);
        bmp.set([rgb[2]!, rgb[1]!, rgb[0]!], q);
        // Plain 32-bit rows carry an unused fourth byte, often 0: it must not make the picture transparent.
        if (variant.bits === 32) bmp[q + 3] = withAlpha ? alpha : 0;
      }
      out.set([...rgb, alpha], p);
    }
  }
  return { bmp, pixels: { data: out, width, height, channels: 4 } };
}

async function rgbaOf(file: string): Promise<Pixels> {
  const d = await decodeImage(readFileSync(file));
  expect(d.pixels.width).toBe(d.width);
  // An opaque photo decodes to RGB; the BMP writer here takes RGBA.
  const { width, height, channels } = d.pixels;
  const { data } = await sharp(d.pixels.data, { raw: { width, height, channels: channels as 3 | 4 } }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height, channels: 4 };
}

/** The same pixels through a lossless format sharp reads itself. */
async function losslessAnalysis(p: Pixels, format: 'png' | 'tiff'): Promise<ImageAnalysis> {
  const s = sharp(p.data, { raw: { width: p.width, height: p.height, channels: 4 } });
  return analyseImage(await (format === 'png' ? s.png({ compressionLevel: 1 }) : s.tiff({ compression: 'none' })).toBuffer());
}

describe('BMP decoding', () => {
  const variants: Array<[string, Variant]> = [
    ['24-bit bottom-up', { bits: 24 }],
    ['24-bit top-down', { bits: 24, topDown: true }],
    ['32-bit without alpha', { bits: 32, alpha: false }],
    ['32-bit with alpha (BITMAPV4HEADER, top-down)', { bits: 32, alpha: true, topDown: true }],
    ['8-bit palette', { bits: 8 }],
    ['1-bit', { bits: 1 }],
    ['1-bit top-down', { bits: 1, topDown: true }],
  ];

  it.each(variants)('%s: the same pixels, hashes and thumbnail as a PNG of them', async (name, variant) => {
    const { bmp, pixels } = writeBmp(await rgbaOf(PHOTO), variant);
    const decoded = await decodeImage(bmp);
    expect(decoded.format).toBe('bmp');
    expect(Buffer.from(decoded.pixels.data).equals(Buffer.from(pixels.data))).toBe(true);

    const a = await analyseImage(bmp);
    const png = await losslessAnalysis(pixels, 'png');
    const d = hammingHex(a.pdq!, png.pdq!);
    console.log(`${name}: PDQ distance to the PNG of the same pixels ${d} (quality ${a.pdqQuality})`);
    expect(a.decodeError).toBeNull();
    expect([a.width, a.height]).toEqual([1600, 1004]);
    expect(d).toBeLessThanOrEqual(2);
    expect(a.pdqDihedral).toEqual(png.pdqDihedral);
    expect(a.blockhash).toBe(png.blockhash);
    expect([a.thumbnail!.width, a.thumbnail!.height]).toEqual([256, 161]);
    expect((await sharp(a.thumbnail!.jpeg).metadata()).format).toBe('jpeg');
    expect(a.algorithms.decoder.bmp.name).toBe('bmp-ts');
  });

  it('hashes a 12-megapixel BMP through the same whole decode and working copy as other large pictures', async () => {
    const { bmp, pixels } = writeBmp(await sharp(readFileSync(LARGE_PHOTO)).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
      .then(({ data, info }) => ({ data, width: info.width, height: info.height, channels: 4 })), { bits: 24 });
    const a = await analyseImage(bmp);
    const tiff = await losslessAnalysis(pixels, 'tiff');
    const d = hammingHex(a.pdq!, tiff.pdq!);
    console.log(`12-megapixel 24-bit BMP: PDQ distance to an uncompressed TIFF of the same pixels ${d}`);
    expect([a.width, a.height]).toEqual([4032, 3024]);
    expect(d).toBeLessThanOrEqual(2);
    expect(a.blockhash).toBe(tiff.blockhash);
    expect([a.thumbnail!.width, a.thumbnail!.height]).toEqual([256, 192]);
  });

  it('records a damaged, truncated or unsupported BMP as a decode error with its reason', async () => {
    const { bmp } = writeBmp(await rgbaOf(PHOTO), { bits: 24 });
    const rle = Buffer.from(bmp);
    rle.writeUInt16LE(8, 28);
    rle.writeUInt32LE(1, 30);
    const badHeader = Buffer.from(bmp);
    badHeader.writeUInt32LE(77, 14);
    const badOffset = Buffer.from(bmp);
    badOffset.writeUInt32LE(20, 10);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['cut in half', bmp.subarray(0, bmp.length / 2), /^truncated BMP: its 1600x1004 pixels need \d+ bytes, the file has \d+$/],
      ['cut inside its headers', bmp.subarray(0, 30), /^truncated BMP: 30 bytes/],
      ['an unknown header size', badHeader, /^unsupported BMP header \(77 bytes\)$/],
      ['a pixel offset inside its headers', badOffset, /^damaged BMP: its pixel data offset 20 lies inside its headers$/],
      ['run-length compressed', rle, /^unsupported BMP compression RLE8/],
    ];
    for (const [what, bytes, message] of cases) {
      const a = await analyseImage(bytes);
      console.log(`BMP ${what}: ${a.decodeError}`);
      expect(a.decodeError, what).toMatch(message);
      expect([a.pdq, a.blockhash, a.thumbnail, a.width]).toEqual([null, null, null, null]);
    }
  });
});

describe('kestrel intake: BMP', () => {
  it('stores PDQ, blockhash, size and a thumbnail for a .bmp file, and a truncated one with its error', async () => {
    expect(isAnalysableImage('image/bmp')).toBe(true);
    const src = tempDir('bmp');
    const { bmp, pixels } = writeBmp(await rgbaOf(PHOTO), { bits: 24 });
    writeFileSync(join(src, 'scan.bmp'), bmp);
    writeFileSync(join(src, 'cut.bmp'), bmp.subarray(0, 100_000));
    const c = join(tempDir('case'), 'case');
    expect(kestrel(['init', c, '--case-number', 'T-BMP', '--examiner', 'Test Examiner']).status).toBe(0);
    const r = kestrel(['intake', c, src, '--exhibit', 'EX-BMP', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).at(-1)!['summary']).toMatchObject({ imagesAnalysed: 2, imageDecodeErrors: 1 });

    const rows = queryCase<{ path_text: string; detected_type: string; width: number | null; height: number | null; pdq: string | null;
      blockhash: string | null; thumbnail: string | null; decode_error: string | null }>(c, `
      SELECT f.path_text, c.detected_type, i.width, i.height, i.pdq, i.blockhash, i.thumbnail, i.decode_error
      FROM file_instance f JOIN content c ON c.id = f.content_id JOIN image_data i ON i.content_id = c.id ORDER BY f.path_text`);
    expect(rows.map((row) => row.path_text)).toEqual(['cut.bmp', 'scan.bmp']);
    const [cut, scan] = rows;
    const png = await losslessAnalysis(pixels, 'png');
    expect(scan).toMatchObject({ detected_type: 'image/bmp', width: 1600, height: 1004, pdq: png.pdq, blockhash: png.blockhash, decode_error: null });
    expect(existsSync(join(c, scan!.thumbnail!))).toBe(true);
    expect(cut).toMatchObject({ detected_type: 'image/bmp', pdq: null, thumbnail: null });
    expect(cut!.decode_error).toMatch(/^truncated BMP/);
  });
});
