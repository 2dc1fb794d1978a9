import type { Block, ReportModel } from './report.js';

/**
 * A self-contained page: no script, no external resource (the Content-Security-Policy forbids any),
 * every value escaped. Paths and names appear exactly as catalogued.
 */
export function renderReportHtml(model: ReportModel): string {
  const body = model.sections
    .map((s) => `<section>\n<h2>${esc(s.title)}</h2>\n${s.blocks.map(block).join('\n')}\n</section>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(model.title)}</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #999; margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: left; vertical-align: top; white-space: pre-wrap; }
td { font-family: monospace; font-size: 0.9em; word-break: break-all; }
table.fields th { background: #f2f2f2; }
p.warning { border: 3px solid #b00; background: #fde8e8; color: #700; padding: 0.6em 0.8em; font-weight: bold; }
</style>
</head>
<body>
<h1>${esc(model.title)}</h1>
${body}
</body>
</html>
`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'text':
      return `<p>${esc(b.text)}</p>`;
    case 'warning':
      return `<p class="warning" role="alert">WARNING: ${esc(b.text)}</p>`;
    case 'fields':
      return `<table class="fields">\n${b.rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n')}\n</table>`;
    case 'table':
      return `<table>\n<tr>${b.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>\n${b.rows
        .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
        .join('\n')}\n</table>`;
  }
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
