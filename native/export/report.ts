import type { CategoryCount, ExhibitData, Instance, PackageData } from './collect.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/version.js';
import { SCHEMES } from '../catalog/schemes.js';
import { compareSeverity, disagreements, reviewCounts, type UnmatchedExhibit } from './reviewBasis.js';
import { videoReportSection, videoBasis } from './reportVideo.js';

/**
 * The human report as a list of sections, rendered twice (HTML and PDF) from the same content so
 * the two cannot disagree. It carries no image. It states the case as of an audit entry, not the
 * time of the export, so that exporting an unchanged case twice gives the same report.
 */
export type Block =
  | { kind: 'fields'; rows: [string, string][] }
  | { kind: 'table'; headers: string[]; rows: string[][] }
  | { kind: 'text'; text: string }
  /** Something the reader must not miss (an E01 that fails its acquisition hashes): set apart and marked WARNING in both renderings. */
  | { kind: 'warning'; text: string };

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
  /** The examiner who ran the export (the working profile in the app). */
  exportedBy: string;
  /** Exhibits some current hash list never saw; null when the hash library was not consulted. */
  unmatchedExhibits: UnmatchedExhibit[] | null;
}

const EXACT = new Set(['md5', 'sha1', 'sha256']);

export function buildReportModel(data: PackageData, ctx: ReportContext): ReportModel {
  const { info, counts } = data;
  const sections: Section[] = [];
  const mismatches = data.exhibits.filter((e) => e.image?.verificationStatus === 'mismatch');
  if (mismatches.length) sections.push({ title: 'Warnings', blocks: mismatches.map((e) => ({ kind: 'warning', text: mismatchText(e) })) });
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
  if (ctx.unmatchedExhibits?.length) {
    sections.push({
      title: 'Warning: exhibits not matched against the current hash lists',
      blocks: [
        {
          kind: 'text',
          text: 'These exhibits hold contents that a list now in the hash library was never compared with (the list, or a new version of it, '
            + 'was imported after the exhibit was last matched, or the exhibit was taken in after the match). Known material among them may be missing from this report.',
        },
        { kind: 'table', headers: ['Exhibit', 'Lists it was not matched against'], rows: ctx.unmatchedExhibits.map((u) => [u.label, u.lists.join('\n')]) },
      ],
    });
  }
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
  for (const e of data.exhibits) if (e.image) sections.push(imageSection(e));
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
            l.format.startsWith('vpdq') ? vpdqThresholds(data, l.name, l.version) : `PDQ <= ${l.pdqThreshold}, blockhash <= ${l.blockhashThreshold}`,
            `${l.firstMatchedAt}${l.matchedAt !== l.firstMatchedAt ? ` – ${l.matchedAt}` : ''}, Kestrel ${l.toolVersion}`,
            String(l.matchedContents),
          ]),
        }]
      : [{ kind: 'text', text: 'No hash list was matched against in this case.' }],
  });
  const review = reviewCounts(data.findings);
  const disagreeing = disagreements(data.findings);
  sections.push({
    title: 'Examiner decisions and list precategorisations',
    blocks: [
      {
        kind: 'fields',
        rows: [
          ['Confirmed by an examiner', String(review.confirmed)],
          ['Precategorised by a hash list, not yet reviewed by an examiner', String(review.listOnly)],
          ['Matched, no agreed list category, not yet reviewed', String(review.unreviewed)],
          ['Disagreements between an examiner and a list', String(disagreeing.length)],
        ],
      },
      disagreeing.length
        ? {
            kind: 'table',
            headers: ['SHA-256', 'Examiner said', 'List said', 'List', 'Decided by'],
            rows: disagreeing.map((d) => [
              d.sha256,
              `${d.examinerSaid} (${d.scheme})`,
              `${d.listSaid} (${d.scheme})`,
              `${d.list}${d.listVersion ? ` ${d.listVersion}` : ''}, ${d.entry}`,
              `${d.examiner}, ${d.decidedAt}`,
            ]),
          }
        : { kind: 'text', text: 'No examiner decision disagrees with a list\'s category in the same scheme.' },
      {
        kind: 'text',
        text: 'A list\'s category is a precategorisation: it counts as a finding\'s category only until an examiner decides, and the examiner\'s decision stands where they disagree. '
          + 'List categories in another scheme than the examiner\'s decision are not compared.',
      },
    ],
  });
  const categoryName = (c: { scheme: CategoryCount['scheme']; code: string | null; label: string }) =>
    c.scheme ? `${SCHEMES[c.scheme].name} category ${c.code}: ${c.label}` : 'Not categorised';
  // Most serious category first.
  const categories = [...counts.byCategory].sort(compareSeverity);
  const inCategory = (c: CategoryCount) => data.findings.filter((f) => (f.category?.scheme ?? null) === c.scheme && (f.category?.code ?? null) === c.code);
  const split = (c: CategoryCount) => {
    const members = inCategory(c);
    const confirmed = members.filter((f) => f.category?.source === 'examiner').length;
    return c.scheme ? `${confirmed} confirmed by an examiner, ${members.length - confirmed} list precategorisation not yet reviewed` : 'not categorised';
  };
  const byCategory: Block[] = [{ kind: 'fields', rows: categories.map((c) => [categoryName(c), `${c.findings} (${split(c)})`]) }];
  for (const c of categories) {
    const members = inCategory(c);
    byCategory.push({ kind: 'text', text: `${categoryName(c)} (${members.length})` });
    byCategory.push({
      kind: 'table',
      headers: ['SHA-256', 'MD5', 'Size', 'Found at', 'Basis'],
      rows: members.map((f) => [
        f.sha256,
        f.md5,
        String(f.size),
        f.instances.map(foundAt).join('\n'),
        [
          f.decision ? `examiner ${f.decision.examiner}, ${f.decision.decidedAt}` : 'NOT REVIEWED by an examiner',
          ...f.matches.map((m) => `${m.list}${m.listVersion ? ` ${m.listVersion}` : ''}: ${
            EXACT.has(m.algorithm) ? `${m.algorithm} exact` : `${m.algorithm} distance ${m.distance} <= ${m.threshold}${m.variant ? `, ${m.variant}` : ''}`}`),
          ...f.videoMatches.map(videoBasis),
        ].filter(Boolean).join('\n'),
      ]),
    });
  }
  sections.push({ title: 'Findings by category', blocks: data.findings.length ? byCategory : [{ kind: 'text', text: 'No findings.' }] });
  const videos = videoReportSection(data.findings);
  if (videos) sections.push(videos);
  const seen = data.findings.filter((f) => f.caseHits.length > 0);
  sections.push({
    title: 'Seen in other cases (lab library)',
    blocks: seen.length
      ? [
          {
            kind: 'text',
            text: `${seen.length} finding(s) are held by other cases of the lab library, exactly or as near-duplicates. `
              + 'This is what those cases recorded, for linking the cases; it is not a hash-list hit and not a decision in this case.',
          },
          {
            kind: 'table',
            headers: ['SHA-256', 'Found at', 'Seen in'],
            rows: seen.map((f) => [f.sha256, f.instances.map((i) => `${i.exhibitLabel}: ${i.pathText}`).join('\n'), f.caseHits.map((h) => h.sentence).join('\n')]),
          },
        ]
      : [{ kind: 'text', text: 'No content of this case was found in another case of the lab library (or the case was not matched against one).' }],
  });
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
          ['Exported by', ctx.exportedBy],
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

/** A vPDQ list's thresholds as its last match recorded them in the audit log (the picture thresholds do not apply to it). */
function vpdqThresholds(data: PackageData, list: string, version: string): string {
  const entry = data.audit.filter((e) => {
    const l = e.details['list'] as { name?: unknown; version?: unknown } | undefined;
    return e.action === 'match.list' && l?.name === list && String(l.version) === version;
  }).at(-1);
  const t = (entry?.details['thresholds'] as { vpdq?: { distance?: unknown; quality?: unknown; matchPercent?: unknown } } | undefined)?.vpdq;
  return t
    ? `vPDQ: frame distance <= ${String(t.distance)}, frame quality >= ${String(t.quality)}, whole match >= ${String(t.matchPercent)}% of frames`
    : 'vPDQ: thresholds not recorded';
}

/** Where a finding was: exhibit and full path, then what the file system said of it (flags, address). */
function foundAt(i: Instance): string {
  const place = [...i.flags, ...(i.inode ? [`${i.fsType ?? 'file system'} address ${i.inode}`] : [])];
  return `${i.exhibitLabel}: ${i.pathText}${place.length ? `\n  (${place.join('; ')})` : ''}`;
}

function mismatchText(e: ExhibitData): string {
  const v = e.image!.verification!;
  const sectors = v.sectorErrors.length
    ? ` Damaged sectors: ${v.sectorErrors.map((r) => `${r.first}-${r.last}`).join(', ')}; files read from them may not be what was seized.` : '';
  return `Exhibit ${e.label}: the E01 image does not match the hashes stored at its acquisition (${v.message}).${sectors} Checked with ${v.tool}.`;
}

const STATUS: Record<string, string> = {
  verified: 'VERIFIED', mismatch: 'MISMATCH', 'no stored hash': 'NO STORED HASH', 'not verified': 'NOT VERIFIED',
};

/** A disk image exhibit: container, segments as received, E01 verification and case metadata, volumes. */
function imageSection(e: ExhibitData): Section {
  const image = e.image!;
  const v = image.verification;
  const a = image.acquisition;
  const blocks: Block[] = [];
  if (v?.status === 'mismatch') blocks.push({ kind: 'warning', text: mismatchText(e) });
  const rows: [string, string][] = [
    ['Format', image.format === 'ewf' ? 'EnCase (E01)' : image.format],
    ['Verification', v ? `${STATUS[v.status] ?? v.status}: ${v.message} (${v.tool})` : 'this format stores no acquisition hash'],
  ];
  if (v) {
    rows.push(['Stored MD5 / SHA-1', `${v.stored.md5 ?? '—'} / ${v.stored.sha1 ?? '—'}`]);
    rows.push(['Computed MD5 / SHA-1', `${v.computed.md5 ?? '—'} / ${v.computed.sha1 ?? '—'}`]);
  }
  if (a) {
    rows.push(
      ['Case number (in image)', a.caseNumber ?? '—'], ['Evidence number', a.evidenceNumber ?? '—'], ['Acquired by', a.examiner ?? '—'],
      ['Image description', a.description ?? '—'], ['Acquisition date', a.acquisitionDate ?? '—'],
      ['Acquisition software', [a.acquisitionSoftware, a.fileFormat].filter(Boolean).join(', ') || '—'],
    );
    if (a.notes) rows.push(['Notes', a.notes]);
  }
  if (image.layout) {
    rows.push(['Media', `${image.layout.size} bytes, ${image.layout.sectorSize}-byte sectors, ${image.layout.vsType ? `partition table ${image.layout.vsType}` : 'no partition table'}`]);
  }
  blocks.push({ kind: 'fields', rows });
  blocks.push({
    kind: 'table',
    headers: ['Segment', 'Size', 'MD5', 'SHA-256'],
    rows: image.segments.map((s) => [s.path, String(s.size), s.md5, s.sha256]),
  });
  if (image.layout) {
    blocks.push({
      kind: 'table',
      headers: ['Volume', 'File system', 'Offset', 'Partition'],
      rows: image.layout.volumes.map((vol) => [
        vol.label, vol.fsType ?? `none read${vol.message ? `: ${vol.message}` : ''}`, String(vol.offset),
        vol.partition ? `${vol.partition.desc}, slot ${vol.partition.slot}, sectors ${vol.partition.start} + ${vol.partition.length}` : '',
      ]),
    });
  }
  return { title: `Disk image of exhibit ${e.label}`, blocks };
}
