import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import type { Block, ReportModel } from './report.js';

/**
 * The report as PDF, from the same model as the HTML. Tables become one record per row (the first
 * column as its heading, the others as "header: value" lines) so that long hashes and paths stay
 * whole on an A4 page. The PDF's dates are the case's "as of" time, not the clock, so an unchanged
 * case gives the same bytes.
 *
 * Text is drawn with DejaVu Sans and DejaVu Sans Mono, embedded (subset) from the dejavu-fonts-ttf
 * package, so that names and paths read as recorded; nothing is read from the machine's fonts.
 * Values are set in the monospaced face, as in report.html. A character is never drawn as a box
 * or in a misleading order: one the fonts lack (CJK, for one), one of a right-to-left script
 * (pdfkit lays text out word by word, left to right, so an Arabic or Hebrew name would read in
 * the wrong order) and an invisible control or format character (a right-to-left override can
 * disguise a file's extension) are written as \u{code point}, and a closing note says so.
 */
export async function renderReportPdf(model: ReportModel, asOf: string, footer: string): Promise<Buffer> {
  const date = new Date(asOf);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 50, bottom: 60, left: 50, right: 50 },
    bufferPages: true,
    info: { Title: model.title, Subject: model.subject, Author: 'Kestrel', Creator: 'Kestrel', Producer: 'Kestrel', CreationDate: date, ModDate: date },
  });
  for (const file of new Set(Object.values(FACES).flat())) doc.registerFont(file, fontFile(file));
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const w = new Writer(doc);
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  w.line([['bold', model.title]], 16, { width });
  for (const section of model.sections) {
    doc.moveDown(0.8);
    w.line([['bold', section.title]], 12, { width });
    doc.moveDown(0.3);
    for (const b of section.blocks) renderBlock(w, b, width);
  }
  doc.moveDown(0.8);
  w.line([['oblique', fontNote(w.escaped)]], 8, { width });

  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.x = doc.page.margins.left;
    doc.y = doc.page.height - 40;
    w.line([['sans', `${footer} — page ${i + 1} of ${range.count}`]], 7, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}

function renderBlock(w: Writer, b: Block, width: number): void {
  switch (b.kind) {
    case 'text':
      w.line([['sans', b.text]], 9, { width });
      w.doc.moveDown(0.3);
      return;
    case 'warning':
      w.doc.fillColor('#b00000');
      w.line([['bold', `WARNING: ${b.text}`]], 10, { width });
      w.doc.fillColor('black');
      w.doc.moveDown(0.3);
      return;
    case 'fields':
      for (const [k, v] of b.rows) w.line([['bold', `${k}: `], ['mono', v]], 9, { width });
      w.doc.moveDown(0.3);
      return;
    case 'table':
      for (const row of b.rows) {
        w.line([['bold', `${b.headers[0]}: `], ['mono', row[0] ?? '']], 9, { width });
        for (let i = 1; i < b.headers.length; i++) {
          const value = row[i] ?? '';
          if (!value) continue;
          w.line([['bold', `${b.headers[i]!}: `], ['mono', value]], 8, { indent: 12, width: width - 12 });
        }
        w.doc.moveDown(0.3);
      }
      return;
  }
}

type Face = 'sans' | 'bold' | 'oblique' | 'mono';

/** Each face's file, then the file that draws what it lacks (DejaVu Sans has the most glyphs). */
const FACES: Record<Face, readonly string[]> = {
  sans: ['DejaVuSans.ttf'],
  bold: ['DejaVuSans-Bold.ttf', 'DejaVuSans.ttf'],
  oblique: ['DejaVuSans-Oblique.ttf', 'DejaVuSans.ttf'],
  mono: ['DejaVuSansMono.ttf', 'DejaVuSans.ttf'],
};

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const fontFile = (name: string) => join(FONT_DIR, name);

const coverage = new Map<string, fontkit.Font>();
function hasGlyph(file: string, cp: number): boolean {
  let font = coverage.get(file);
  if (!font) {
    font = fontkit.openSync(fontFile(file));
    coverage.set(file, font);
  }
  return font.hasGlyphForCodePoint(cp);
}

/**
 * Scripts written right to left, and characters that draw nothing (controls, format characters
 * such as the bidirectional overrides and zero-width joiners, unassigned and private-use points).
 */
const RIGHT_TO_LEFT = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Mende_Kikakui}\p{Script=Old_Hungarian}\p{Script=Yezidi}]/u;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u;
const MARK = /\p{M}/u;
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });
/** The files a letter with combining marks is drawn in, by face. */
const MARKED: Record<Face, readonly string[]> = {
  sans: ['DejaVuSans.ttf'],
  bold: ['DejaVuSans-Bold.ttf', 'DejaVuSans.ttf'],
  oblique: ['DejaVuSans-Oblique.ttf', 'DejaVuSans.ttf'],
  mono: ['DejaVuSans.ttf'],
};

export type EscapeReason = 'no glyph' | 'right to left' | 'invisible';

/**
 * Splits text into runs, each drawn in one font file (the face's own, else its fallback), and
 * writes as \u{…} what no file can draw faithfully. A letter with combining marks is drawn whole
 * in one proportional file: DejaVu Sans Mono gives its marks a full cell and places them back over
 * the letter, which looks right but text extraction (pdftotext) then reads the mark on another
 * line or before the letter; in DejaVu Sans the marks come out in order.
 */
export function textRuns(text: string, face: Face, escaped?: Set<EscapeReason>): { file: string; text: string }[] {
  const files = FACES[face];
  const runs: { file: string; text: string }[] = [];
  const push = (file: string, s: string) => {
    const last = runs[runs.length - 1];
    if (last && last.file === file) last.text += s;
    else runs.push({ file, text: s });
  };
  for (const { segment } of graphemes.segment(text)) {
    if (segment.length > 1 && MARK.test(segment)) {
      const cps = [...segment].map((c) => c.codePointAt(0)!);
      const file = !INVISIBLE.test(segment) && !RIGHT_TO_LEFT.test(segment)
        ? MARKED[face].find((f) => cps.every((cp) => hasGlyph(f, cp))) : undefined;
      if (file) {
        push(file, segment);
        continue;
      }
    }
    for (const ch of segment) {
      const cp = ch.codePointAt(0)!;
      if (ch === '\n') {
        push(runs[runs.length - 1]?.file ?? files[0]!, ch);
        continue;
      }
      const reason: EscapeReason | null = INVISIBLE.test(ch) ? 'invisible' : RIGHT_TO_LEFT.test(ch) ? 'right to left' : null;
      const file = reason ? undefined : files.find((f) => hasGlyph(f, cp));
      if (file) {
        push(file, ch);
      } else {
        escaped?.add(reason ?? 'no glyph');
        push(files[0]!, `\\u{${cp.toString(16)}}`);
      }
    }
  }
  return runs;
}

/** Writes one paragraph made of parts in different faces, switching font file run by run. */
class Writer {
  readonly escaped = new Set<EscapeReason>();
  constructor(readonly doc: PDFKit.PDFDocument) {}

  line(parts: [Face, string][], size: number, options: PDFKit.Mixins.TextOptions): void {
    const runs = parts.flatMap(([face, s]) => textRuns(s, face, this.escaped));
    runs.forEach((r, i) => {
      this.doc.font(r.file).fontSize(size).text(r.text, { ...options, continued: i < runs.length - 1 });
    });
  }
}

const REASONS: Record<EscapeReason, string> = {
  'no glyph': 'characters the embedded fonts do not have (such as Chinese, Japanese and Korean)',
  'right to left': 'characters of right-to-left scripts (such as Arabic and Hebrew), which this PDF cannot set in their reading order',
  invisible: 'invisible control and format characters',
};

function fontNote(escaped: ReadonlySet<EscapeReason>): string {
  const base = 'This PDF embeds the DejaVu Sans and DejaVu Sans Mono fonts, which draw Latin (with accents and combining marks), '
    + 'Greek, Cyrillic, Armenian, Georgian and common symbols.';
  if (!escaped.size) return base;
  const which = (Object.keys(REASONS) as EscapeReason[]).filter((r) => escaped.has(r)).map((r) => REASONS[r]);
  return `${base} So that no character is hidden or drawn wrongly, it writes these as \\u{code point}: ${which.join('; ')}. `
    + 'report.html and findings.csv give them exactly as recorded.';
}
