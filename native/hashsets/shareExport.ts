import { existsSync, linkSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fsyncDir, partialName, removeStalePartials, writeFailure, writeFileDurable } from '../util/durableFile.js';
import { isSchemeId, type SchemeId } from '../catalog/schemes.js';
import type { OpenCase } from '../catalog/case.js';
import { appendAudit } from '../audit/log.js';
import { appendSqliteLibraryAudit } from '../lab/sqliteStore.js';
import { collectPackageData } from '../export/collect.js';
import { ALT_HASH_PHOTODNA, carriedVics, vicsBool, vicsCategory, vicsContext, vicsModelFor, type VicsBooleans } from '../export/vics.js';
import { carriedJson, type Carried } from '../matching/carried.js';
import { KestrelError, describeError } from '../util/result.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/version.js';
import { HASH_LENGTH, listHashLists, type Algorithm, type HashLibrary, type HashListInfo } from './library.js';

/**
 * Sharing hashes out: a lab hands the hashes of its confirmed material (never the pictures, never
 * the paths or notes of the case) to a trusted flagger or platform, so that re-uploads are blocked.
 */
export const SHARE_FORMATS = ['vics', 'vics-media', 'pdq', 'te', 'hashdeep', 'md5sum', 'sha1sum', 'sha256sum'] as const;
export type ShareFormat = typeof SHARE_FORMATS[number];

export const SHARE_AUDIT_ACTION = 'hashset.export';

export interface ShareItem {
  hashes: Partial<Record<Algorithm, string>>;
  pdqQuality: number | null;
  size: number | null;
  scheme: SchemeId | null;
  category: string | null;
  label: string | null;
  /** What a list carried (PhotoDNA, Series, flags...), from the list itself or a case's exact matches; passed on in VICS. */
  carried: Carried;
}

export interface ShareFilter {
  scheme?: SchemeId;
  categories?: readonly string[];
}

export interface ShareOptions extends ShareFilter {
  format: ShareFormat;
  booleans?: VicsBooleans;
  examiner?: string;
}

export interface ShareResult {
  file: string;
  format: ShareFormat;
  sha256: string;
  items: number;
  /** The entry in the case's audit log (case export) or the library's (list export). */
  auditSeq: number;
}

/**
 * A case's categorised findings: hashes, size and category, with what the lists holding the very file
 * carried, and the examiner's decision time as DateUpdated. Never paths, notes or the examiner's tags.
 */
export function caseShareItems(c: OpenCase): ShareItem[] {
  const data = collectPackageData(c.db, c.info);
  return data.findings.filter((f) => f.category !== null).map((f) => ({
    hashes: {
      md5: f.md5, sha1: f.sha1, sha256: f.sha256,
      ...(f.image?.pdq ? { pdq: f.image.pdq } : {}), ...(f.image?.blockhash ? { blockhash: f.image.blockhash } : {}),
    },
    pdqQuality: f.image?.pdq ? f.image.pdqQuality : null,
    size: f.size,
    scheme: f.category!.scheme,
    category: f.category!.code,
    label: null,
    carried: { ...f.carried, ...(f.decision ? { dateUpdated: f.decision.decidedAt } : {}) },
  }));
}

/** A library list's entries with their hashes, in list order. */
export function listShareItems(lib: HashLibrary, name: string, version?: number): { list: HashListInfo; items: ShareItem[] } {
  const versions = listHashLists(lib).filter((l) => l.name === name && (version === undefined || l.version === version));
  const list = versions[versions.length - 1];
  if (!list) throw new KestrelError(`${lib.file}: no hash list ${name}${version !== undefined ? ` version ${version}` : ''} in the library`, 'E_NO_LIST');
  const rows = lib.db.prepare('SELECT id, category, label, size, quality, details FROM entry WHERE id >= ? AND id < ? ORDER BY id')
    .all(list.firstEntry, list.firstEntry + list.entryCount) as { id: number; category: string | null; label: string | null; size: number | null; quality: number | null; details: string | null }[];
  const items: ShareItem[] = rows.map((r) => ({
    hashes: {}, pdqQuality: r.quality, size: r.size, scheme: list.scheme, category: r.category, label: r.label,
    carried: JSON.parse(carriedJson(r.details) ?? '{}') as Carried,
  }));
  const blocks = lib.db.prepare('SELECT algorithm, hashes, positions, count FROM hash_block WHERE list_id = ?');
  for (const b of blocks.iterate(list.id) as Iterable<{ algorithm: Algorithm; hashes: Buffer; positions: Buffer; count: number }>) {
    const len = HASH_LENGTH[b.algorithm];
    for (let i = 0; i < b.count; i++) {
      const item = items[b.positions.readUInt32LE(i * 4)];
      if (item) item.hashes[b.algorithm] = b.hashes.toString('hex', i * len, (i + 1) * len);
    }
  }
  return { list, items };
}

export function filterShareItems(items: readonly ShareItem[], filter: ShareFilter): ShareItem[] {
  if (filter.categories?.length && !filter.scheme) throw new KestrelError('--category needs --scheme: a category code means nothing without its scheme', 'E_USAGE');
  const codes = filter.categories?.length ? new Set(filter.categories) : null;
  return items.filter((i) => (!filter.scheme || i.scheme === filter.scheme) && (!codes || (i.category !== null && codes.has(i.category))));
}

/** The file's bytes in the chosen format. */
export function renderShare(items: readonly ShareItem[], format: ShareFormat, booleans: VicsBooleans = 'string'): Buffer {
  switch (format) {
    case 'vics': case 'vics-media': return Buffer.from(`${JSON.stringify(vicsShare(items, format === 'vics' ? 'Cases' : 'Media', booleans), null, 2)}\n`);
    case 'pdq': return lines(items.filter((i) => i.hashes.pdq).map((i) =>
      [i.hashes.pdq, ...(i.pdqQuality !== null ? [String(i.pdqQuality)] : []), ...(shareLabel(i) ? [shareLabel(i)] : [])].join(',')));
    case 'te': return lines(items.filter((i) => i.hashes.pdq).map((i) => `pdq ${i.hashes.pdq}`));
    case 'hashdeep': return hashdeep(items);
    case 'md5sum': return sums(items, 'md5');
    case 'sha1sum': return sums(items, 'sha1');
    case 'sha256sum': return sums(items, 'sha256');
  }
}

/**
 * Where an export is recorded: a case's findings in the case's audit log, a library list in the
 * library's own log (lab_audit in library.sqlite, what `kestrel library audit` shows), naming the list
 * by name, version, uid and the SHA-256 of the file it was imported from.
 */
export type ShareAudit =
  | { kind: 'case'; c: OpenCase; source: string }
  | { kind: 'list'; lib: HashLibrary; list: HashListInfo; actor: string }
  /** A list of a PostgreSQL library: recorded in the server's library audit log. */
  | { kind: 'server'; list: HashListInfo; actor: string; append: (action: string, details: Record<string, unknown>, actor: string) => Promise<number> };

/** Recorded when a shared list recorded as written could not be given its name after all. */
export const SHARE_FAILED_AUDIT_ACTION = 'hashset.export.failed';

/**
 * Writes the export (never over an existing file) and records it with its SHA-256 in the audit log.
 * The bytes go to FILE.partial-PID and are synced; the export is recorded; only then does the file
 * get its name (a link: it fails instead of replacing a file that appeared at FILE meanwhile) and the
 * folder is synced. So FILE is whole whenever it exists and recorded whenever it has its name; a full
 * disk names FILE and leaves nothing behind and nothing recorded.
 */
export async function writeShare(out: string, items: readonly ShareItem[], options: ShareOptions, audit: ShareAudit): Promise<ShareResult> {
  const file = resolve(out);
  const bytes = renderShare(items, options.format, options.booleans);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  removeStalePartials(file);
  if (existsSync(file)) throw new KestrelError(`${file}: already exists; not overwritten`, 'E_WRITE');
  const tmp = partialName(file);
  try {
    writeFileDurable(tmp, bytes);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw writeFailure(file, err, 'nothing was exported');
  }
  const details = {
    file, format: options.format, sha256, items: items.length,
    scheme: options.scheme ?? null, categories: options.categories ?? [], tool: `${TOOL_NAME} ${TOOL_VERSION}`,
  };
  const auditSeq = await recordShare(audit, SHARE_AUDIT_ACTION, details, options.examiner);
  try {
    linkSync(tmp, file);
    fsyncDir(dirname(file));
  } catch (err) {
    await recordShare(audit, SHARE_FAILED_AUDIT_ACTION, { file, sha256, exportSeq: auditSeq, error: describeError(err) }, options.examiner);
    const code = (err as NodeJS.ErrnoException).code;
    throw code === 'EEXIST'
      ? new KestrelError(`${file}: already exists; not overwritten (recorded as ${SHARE_FAILED_AUDIT_ACTION})`, 'E_WRITE')
      : writeFailure(file, err, `nothing was exported (recorded as ${SHARE_FAILED_AUDIT_ACTION})`);
  } finally {
    rmSync(tmp, { force: true });
  }
  return { file, format: options.format, sha256, items: items.length, auditSeq };
}

async function recordShare(audit: ShareAudit, action: string, details: Record<string, unknown>, examiner: string | undefined): Promise<number> {
  if (audit.kind === 'case') {
    return appendAudit(audit.c.db, action, { ...details, source: audit.source }, examiner ?? audit.c.info.examiner).seq;
  }
  const { list } = audit;
  const source = { list: list.name, version: list.version, uid: list.uid, listFileSha256: list.fileSha256 };
  if (audit.kind === 'server') return audit.append(action, { ...details, source }, examiner ?? audit.actor);
  return audit.lib.db.transaction(() =>
    appendSqliteLibraryAudit(audit.lib.db, action, { ...details, source }, examiner ?? audit.actor).seq).immediate();
}

export function parseShareFormat(s: string): ShareFormat {
  if (!(SHARE_FORMATS as readonly string[]).includes(s)) throw new KestrelError(`--format ${s}: not one of ${SHARE_FORMATS.join(', ')}`, 'E_USAGE');
  return s as ShareFormat;
}

export function parseScheme(s: string): SchemeId {
  if (!isSchemeId(s)) throw new KestrelError(`--scheme ${s}: not one of vic-us, dhs, caid-uk, custom`, 'E_USAGE');
  return s;
}

function shareLabel(i: ShareItem): string | null {
  const label = i.category !== null ? `${i.scheme}:${i.category}` : i.label;
  return label === null ? null : label.replace(/[\r\n]/g, ' ');
}

function lines(ls: readonly string[]): Buffer {
  return Buffer.from(ls.map((l) => `${l}\n`).join(''));
}

/** md5sum's own escaping: a name with a newline or backslash is written escaped, the line starting with "\". */
function sumLine(hash: string, name: string): string {
  if (!/[\\\n]/.test(name)) return `${hash}  ${name}`;
  return `\\${hash}  ${name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`;
}

function sums(items: readonly ShareItem[], algorithm: 'md5' | 'sha1' | 'sha256'): Buffer {
  return lines(items.filter((i) => i.hashes[algorithm]).map((i) => sumLine(i.hashes[algorithm]!, shareLabel(i) ?? i.hashes.sha256 ?? i.hashes[algorithm]!)));
}

/** hashdeep's format with the columns every item has (hashdeep has no empty column). */
function hashdeep(items: readonly ShareItem[]): Buffer {
  const columns = (['md5', 'sha1', 'sha256'] as const).filter((a) => items.every((i) => i.hashes[a]));
  if (columns.length === 0) throw new KestrelError('hashdeep needs MD5, SHA-1 or SHA-256 for every item; these items have none in common', 'E_USAGE');
  const head = ['%%%% HASHDEEP-1.0', `%%%% size,${columns.join(',')},filename`, `## Invoked from: ${TOOL_NAME} ${TOOL_VERSION}`, '## $ kestrel hashset export', '##'];
  return lines([...head, ...items.map((i) => [String(i.size ?? 0), ...columns.map((c) => i.hashes[c]!), shareLabel(i) ?? i.hashes[columns[0]!]!].join(','))]);
}

function vicsShare(items: readonly ShareItem[], form: 'Cases' | 'Media', booleans: VicsBooleans): unknown {
  const model = vicsModelFor(items.flatMap((i) => (i.scheme && i.category ? [i.scheme] : [])));
  const media = items.map((i, k) => vicsShareMedia(i, k + 1, booleans));
  if (form === 'Media') return { '@odata.context': vicsContext(model, 'Media'), value: media };
  return {
    '@odata.context': vicsContext(model, 'Cases'),
    value: [{ CaseID: null, SourceApplicationName: TOOL_NAME, SourceApplicationVersion: TOOL_VERSION, Media: media }],
  };
}

const ALT_NAMES: readonly [Algorithm, string][] = [['sha256', 'SHA256'], ['pdq', 'PDQ'], ['blockhash', 'Blockhash']];

function vicsShareMedia(i: ShareItem, mediaId: number, booleans: VicsBooleans): Record<string, unknown> {
  const md5 = i.hashes.md5?.toUpperCase() ?? null;
  const c = i.carried;
  const alt: Record<string, unknown>[] = ALT_NAMES.filter(([a]) => i.hashes[a]).map(([a, n]) => ({ HashName: n, HashValue: i.hashes[a], MD5: md5 }));
  // PhotoDNA is passed on as the list gave it; Kestrel never computes it.
  if (c.photoDna) alt.push({ HashName: ALT_HASH_PHOTODNA, HashValue: c.photoDna, MD5: md5 });
  const cat = i.scheme && i.category ? { scheme: i.scheme, code: i.category } : null;
  return {
    MediaID: mediaId,
    Category: vicsCategory(cat),
    CategoryScheme: cat?.scheme ?? null,
    CategoryCode: cat?.code ?? null,
    MD5: md5,
    SHA1: i.hashes.sha1?.toUpperCase() ?? null,
    MediaSize: i.size,
    ...(i.pdqQuality !== null && i.hashes.pdq ? { PDQQuality: i.pdqQuality } : {}),
    ...carriedVics(c, booleans),
    ...(c.tags !== undefined ? { Tags: c.tags } : {}),
    ...(c.dateUpdated !== undefined ? { DateUpdated: c.dateUpdated } : {}),
    IsPrecategorized: vicsBool(cat !== null, booleans),
    AlternativeHashes: alt,
  };
}
