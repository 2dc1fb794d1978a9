import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../util/canonicalJson.js';

/** The files of a package, by the name they have in it. Flat: a package has no sub-folders. */
export const MANIFEST_FILE = 'manifest.json';
export const AUDIT_FILE = 'audit-log.jsonl';
export const VICS_FILE = 'findings.vics.json';
export const UCO_FILE = 'findings.case-uco.jsonld';
export const CSV_FILE = 'findings.csv';
export const REPORT_HTML_FILE = 'report.html';
export const REPORT_PDF_FILE = 'report.pdf';
export const MEDIA_FILE = 'media.zip';

/** The report cites the package hash, so the package hash cannot cover the report itself. */
export const REPORT_FILES: readonly string[] = [REPORT_HTML_FILE, REPORT_PDF_FILE];

export const PACKAGE_FORMAT = 'kestrel-case-package';
export const PACKAGE_FORMAT_VERSION = 1;

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const fileEntrySchema = z.strictObject({
  path: z.string().min(1),
  sha256: hex64,
  size: z.number().int().nonnegative(),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

const mediaSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('none') }),
  z.strictObject({
    mode: z.literal('encrypted'),
    file: z.string(),
    encryption: z.string(),
    items: z.array(z.strictObject({ entry: z.string(), sha256: hex64, size: z.number().int().nonnegative() })),
  }),
]);

export const manifestSchema = z.strictObject({
  format: z.literal(PACKAGE_FORMAT),
  formatVersion: z.literal(PACKAGE_FORMAT_VERSION),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  case: z.strictObject({ uuid: z.string(), number: z.string(), examiner: z.string() }),
  exportedAt: z.string(),
  /** Fields of this manifest that hold the time of the export: the only ones two exports of one case may differ in. */
  timestampFields: z.array(z.string()),
  /** Files whose bytes differ on every export by design, and why. */
  varyingFiles: z.record(z.string(), z.string()),
  asOf: z.strictObject({ auditEntries: z.number().int().nonnegative(), auditHead: hex64, at: z.string() }),
  media: mediaSchema,
  packageHash: hex64,
  files: z.array(fileEntrySchema),
  /** Absent in an unsigned package, which `verify` refuses. */
  signature: z.strictObject({
    algorithm: z.literal('Ed25519'),
    examiner: z.string(),
    fingerprint: hex64,
    publicKey: z.string(),
    /** Over the canonical JSON of the manifest without `signature` and `seal`. */
    value: z.string(),
  }).optional(),
  seal: hex64,
});
export type Manifest = z.infer<typeof manifestSchema>;

/**
 * The package hash the report cites: SHA-256 of the canonical JSON of the manifest entries of every
 * file but the report, in path order.
 */
export function packageHash(files: readonly FileEntry[]): string {
  const covered = files.filter((f) => !REPORT_FILES.includes(f.path)).sort((a, b) => compareText(a.path, b.path));
  return sha256Hex(canonicalJson(covered));
}

/**
 * The seal is the SHA-256 of the manifest's canonical JSON without the seal. It catches any edit
 * that does not recompute it; an edit that does is caught by comparing the manifest's SHA-256 with
 * the one printed at export and recorded in the case's audit log.
 */
export function sealManifest(m: Omit<Manifest, 'seal'>): Manifest {
  return { ...m, seal: sha256Hex(canonicalJson(m)) };
}

export type ManifestSignature = NonNullable<Manifest['signature']>;

/** The bytes the manifest signature covers: everything but the signature and the seal. */
export function signedManifestBytes(m: Omit<Manifest, 'seal' | 'signature'> & Partial<Pick<Manifest, 'seal' | 'signature'>>): string {
  const { seal: _seal, signature: _signature, ...rest } = m;
  return canonicalJson(rest);
}

export function expectedSeal(m: Manifest): string {
  const { seal: _seal, ...rest } = m;
  return sha256Hex(canonicalJson(rest));
}

/** The one byte form of a manifest: keys sorted, two-space indent, final newline. */
export function manifestBytes(m: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(JSON.parse(canonicalJson(m)), null, 2)}\n`, 'utf8');
}

/** Code-point order, the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
