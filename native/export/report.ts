import type { CategoryCount, PackageData } from './collect.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/version.js';
import { SCHEMES } from '../catalog/schemes.js';

/**
 * The human report as a list of sections, rendered twice (HTML and PDF) from the same content so
 * the two cannot disagree. It carries no image. It states the case as of an audit entry, not the
 * time of the export, so that exporting an unchanged case twice gives the same report.
 */
export type Block =
  | { kind: 'fields'; rows: [string, string][] }
  | { kind: 'table'; headers: string[]; rows: string[][] }
  | { kind: 'text'; text: string };

export interface Section {
  title: string;
  blocks: Block[];
}

export interface ReportModel {
  title: string;
  /** The PDF's Subject: `package hash HEX`, which `verify` compares with the manifest. */
  subject: string;
  sections: Section[];
}

export interface ReportContext {
  packageHash: string;
  asOf: { auditEntries: number; auditHead: string; at: string };
  media: 'none' | 'encrypted';
  signedBy: { examiner: string; fingerprint: string } | null;
}

const EXACT = new Set(['md5', 'sha1', 'sha256']);

export function buildReportModel(data: PackageData, ctx: ReportContext): ReportModel {
  const { info, counts } = data;
  const sections: Section[] = [];
  sections.push({
    title: 'Case',
    blocks: [{
      kind: 'fields',
      rows: [
        ['Case number', info.caseNumber],
        ['Case ID', info.caseUuid],
        ['Description', info.description ?? '—'],
        ['Examiner', info.examiner],
        ['Case opened', info.createdAt],
        ['State as of', `${ctx.asOf.at} (audit entry ${ctx.asOf.auditEntries}, chain head ${ctx.asOf.auditHead})`],
      ],
    }],
  });
  sections.push({
    title: 'Exhibits',
    blocks: [{
      kind: 'table',
      headers: ['Exhibit', 'Description', 'Source', 'Intake runs', 'Entries', 'Files', 'Findings'],
      rows: data.exhibits.map((e) => [
        e.label,
        e.description ?? '',
        e.sourcePath,
        e.runs.map((r) => `#${r.id} ${r.status}, ${r.startedAt} – ${r.finishedAt ?? 'not finished'}, Kestrel ${r.toolVersion}, by ${r.performer}`).join('\n'),
        String(e.entries),
        String(e.files),
        String(e.findings),
      ]),
    }],
  });
  sections.push({
    title: 'Counts',
    blocks: [{
      kind: 'fields',
      rows: [
        ['Exhibits', String(counts.exhibits)],
        ['Entries catalogued', String(counts.entries)],
        ['Files catalogued', String(counts.files)],
        ['Unique contents', String(counts.uniqueContents)],
        ['Findings (unique contents)', String(counts.findings)],
        ['Places the findings were found', String(counts.findingInstances)],
      ],
    }],
  });
  sections.push({
    title: 'Hash lists used',
    blocks: data.hashLists.length
      ? [{
          kind: 'table',
          headers: ['List', 'Version', 'Format', 'Kind', 'List file SHA-256', 'Thresholds', 'Matched', 'Contents matched'],
          rows: data.hashLists.map((l) => [
            l.name, l.version, l.format,
            l.known ? 'known files (matches are ignorable, never findings)' : `known material${l.scheme ? `, categories in ${l.scheme}` : ''}`,
            l.sha256,
            `PDQ <= ${l.pdqThreshold}, blockhash <= ${l.blockhashThreshold}`,
            `${l.firstMatchedAt}${l.matchedAt !== l.firstMatchedAt ? ` – ${l.matchedAt}` : ''}, Kestrel ${l.toolVersion}`,
            String(l.matchedContents),
          ]),
        }]
      : [{ kind: 'text', text: 'No hash list was matched against in this case.' }],
  });
  const categoryName = (c: { scheme: CategoryCount['scheme']; code: string | null; label: string }) =>
    c.scheme ? `${SCHEMES[c.scheme].name} category ${c.code}: ${c.label}` : 'Not categorised';
  const byCategory: Block[] = [{ kind: 'fields', rows: counts.byCategory.map((c) => [categoryName(c), String(c.findings)]) }];
  for (const c of counts.byCategory) {
    const members = data.findings.filter((f) => (f.category?.scheme ?? null) === c.scheme && (f.category?.code ?? null) === c.code);
    byCategory.push({ kind: 'text', text: `${categoryName(c)} (${members.length})` });
    byCategory.push({
      kind: 'table',
      headers: ['SHA-256', 'MD5', 'Size', 'Found at', 'Basis'],
      rows: members.map((f) => [
        f.sha256,
        f.md5,
        String(f.size),
        f.instances.map((i) => `${i.exhibitLabel}: ${i.pathText}`).join('\n'),
        [
          f.decision ? `examiner ${f.decision.examiner}, ${f.decision.decidedAt}` : '',
          ...f.matches.map((m) => `${m.list}${m.listVersion ? ` ${m.listVersion}` : ''}: ${
            EXACT.has(m.algorithm) ? `${m.algorithm} exact` : `${m.algorithm} distance ${m.distance} <= ${m.threshold}${m.variant ? `, ${m.variant}` : ''}`}`),
        ].filter(Boolean).join('\n'),
      ]),
    });
  }
  sections.push({ title: 'Findings by category', blocks: data.findings.length ? byCategory : [{ kind: 'text', text: 'No findings.' }] });
  sections.push({
    title: 'Methods',
    blocks: data.methods.length
      ? [{
          kind: 'table',
          headers: ['Step', 'Algorithm', 'Version', 'Parameters'],
          rows: data.methods.map((m) => [
            m.step, m.algorithm, m.version,
            Object.keys(m.parameters).sort().map((k) => `${k}: ${m.parameters[k]}`).join('\n'),
          ]),
        }]
      : [{ kind: 'text', text: 'No processing recorded.' }],
  });
  sections.push({
    title: 'This package',
    blocks: [
      {
        kind: 'fields',
        rows: [
          ['Tool', `${TOOL_NAME} ${TOOL_VERSION}`],
          ['Package hash', ctx.packageHash],
          ['Signed by', ctx.signedBy
            ? `${ctx.signedBy.examiner}, Ed25519 key fingerprint (SHA-256) ${ctx.signedBy.fingerprint}`
            : 'NOT SIGNED: no examiner key was unlocked for this export'],
          ['Media', ctx.media === 'encrypted' ? 'included, in media.zip, encrypted (AES-256)' : 'not included'],
        ],
      },
      {
        kind: 'text',
        text: 'The package hash is the SHA-256 of the manifest entries (path, SHA-256, size) of every file in the package except this report. '
          + 'manifest.json lists every file with its SHA-256 and is signed with the examiner key above, as is the audit log\'s head; '
          + '`kestrel verify --signer FINGERPRINT` checks every file, both signatures, the audit log\'s hash chain and that this package hash is the manifest\'s. '
          + 'This report shows no image.',
      },
    ],
  });
  return { title: `Case package — ${info.caseNumber}`, subject: `package hash ${ctx.packageHash}`, sections };
}
