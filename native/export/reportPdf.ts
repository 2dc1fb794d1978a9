import PDFDocument from 'pdfkit';
import type { Block, ReportModel } from './report.js';

/**
 * The report as PDF, from the same model as the HTML. Tables become one record per row (the first
 * column as its heading, the others as "header: value" lines) so that long hashes and paths stay
 * whole on an A4 page. The PDF's dates are the case's "as of" time, not the clock, so an unchanged
 * case gives the same bytes.
 *
 * Only the PDF standard fonts are used (nothing is read from the machine), and they cover Latin-1:
 * any other character is shown as \u{…}, a note says so, and report.html shows the text as it is.
 */
export async function renderReportPdf(model: ReportModel, asOf: string, footer: string): Promise<Buffer> {
  const date = new Date(asOf);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 50, bottom: 60, left: 50, right: 50 },
    bufferPages: true,
    info: { Title: pdfText(model.title), Author: 'Kestrel', Creator: 'Kestrel', Producer: 'Kestrel', CreationDate: date, ModDate: date },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  let escaped = false;
  const t = (s: string) => {
    const out = pdfText(s);
    if (out !== s) escaped = true;
    return out;
  };
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  doc.font('Helvetica-Bold').fontSize(16).text(t(model.title), { width });
  for (const section of model.sections) {
    doc.moveDown(0.8);
    doc.font('Helvetica-Bold').fontSize(12).text(t(section.title), { width });
    doc.moveDown(0.3);
    for (const b of section.blocks) renderBlock(doc, b, t, width);
  }
  if (escaped) {
    doc.moveDown(0.8);
    doc.font('Helvetica-Oblique').fontSize(8).text(
      'Characters outside Latin-1 are shown in this PDF as \\u{code point}; report.html and the data files show them as they are.',
      { width },
    );
  }

  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('Helvetica').fontSize(7).text(
      t(`${footer} — page ${i + 1} of ${range.count}`),
      doc.page.margins.left,
      doc.page.height - 40,
      { width, align: 'center', lineBreak: false },
    );
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}

function renderBlock(doc: PDFKit.PDFDocument, b: Block, t: (s: string) => string, width: number): void {
  switch (b.kind) {
    case 'text':
      doc.font('Helvetica').fontSize(9).text(t(b.text), { width });
      doc.moveDown(0.3);
      return;
    case 'fields':
      for (const [k, v] of b.rows) {
        doc.font('Helvetica-Bold').fontSize(9).text(`${t(k)}: `, { continued: true, width });
        doc.font('Helvetica').text(t(v), { width });
      }
      doc.moveDown(0.3);
      return;
    case 'table':
      for (const row of b.rows) {
        doc.font('Helvetica-Bold').fontSize(9).text(t(`${b.headers[0]}: ${row[0] ?? ''}`), { width });
        for (let i = 1; i < b.headers.length; i++) {
          const value = row[i] ?? '';
          if (!value) continue;
          doc.font('Helvetica-Bold').fontSize(8).text(`${t(b.headers[i]!)}: `, { continued: true, indent: 12, width: width - 12 });
          doc.font('Helvetica').text(t(value), { width: width - 12 });
        }
        doc.moveDown(0.3);
      }
      return;
  }
}

/** The characters PDF's WinAnsiEncoding has beyond Latin-1's printable range. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

export function pdfText(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const ok = ch === '\n' || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || WIN_ANSI_EXTRA.has(ch);
    out += ok ? ch : `\\u{${cp.toString(16)}}`;
  }
  return out;
}
