// fontkit ships no types; this declares the one call the PDF report needs (which glyphs a font has).
declare module 'fontkit' {
  export interface Font {
    hasGlyphForCodePoint(codePoint: number): boolean;
  }
  export function openSync(path: string): Font;
}
