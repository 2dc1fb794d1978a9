import { isAbsolute } from 'node:path';
import { z } from 'zod';
import type { Channel } from './channels.js';
import { MIN_PASSPHRASE_LENGTH } from '../export/media.js';
import { SCHEMES, type SchemeId } from '../catalog/schemes.js';
import { LIST_FORMATS } from '../hashsets/library.js';
import { SHARE_FORMATS } from '../hashsets/shareExport.js';
import { PLACE_FILTERS } from '../catalog/entryFlags.js';
import { profileWellbeingSchema } from '../examiners/profiles.js';

/**
 * Argument schemas, one a channel: every call from the UI is parsed with these before it reaches
 * the engine, whichever transport carried it. Strict objects: an unknown field is an error, not
 * something silently dropped.
 */
const none = z.strictObject({});
const id = z.number().int().positive();
const text = (max: number) => z.string().trim().min(1).max(max);
/**
 * A name that is printed in reports, audit entries and terminals: no control characters (C0, DEL,
 * C1), which could rewrite a terminal line or hide text in a report.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const name = (max: number) => text(max).refine((v) => !CONTROL.test(v), 'must not contain control characters');
/**
 * A path the engine opens: absolute, so it never depends on the folder the server was started in,
 * and without NUL (which the OS would cut the path at).
 */
const dir = z.string().min(1).max(4096)
  .refine((p) => !p.includes('\0'), 'must not contain a NUL byte')
  .refine((p) => isAbsolute(p), 'must be an absolute path');
const schemeId = z.enum(Object.keys(SCHEMES) as SchemeId[]);
const absolutePath = dir;

/**
 * The same rules as `kestrel export`: a passphrase only with encrypted media, and then one of at
 * least MIN_PASSPHRASE_LENGTH characters (counted as the engine counts them, by code point). The
 * messages never quote the passphrase.
 */
export const exportPackageSchema = z.strictObject({
  out: absolutePath,
  media: z.enum(['none', 'encrypted']),
  passphrase: z.string().max(1024).optional(),
  zip: z.boolean(),
  /** Opt-in, per export: also contribute the case to the lab library (hashes and decisions, never images). */
  contributeToLibrary: z.boolean().optional(),
}).superRefine((req, ctx) => {
  if (req.media === 'encrypted') {
    if (req.passphrase === undefined) {
      ctx.addIssue({ code: 'custom', path: ['passphrase'], message: 'media encrypted needs a passphrase' });
    } else if ([...req.passphrase].length < MIN_PASSPHRASE_LENGTH) {
      ctx.addIssue({ code: 'custom', path: ['passphrase'], message: `must have at least ${MIN_PASSPHRASE_LENGTH} characters` });
    }
  } else if (req.passphrase !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['passphrase'], message: 'only used with media encrypted' });
  }
});

/** A node of the evidence tree: its raw path bytes as hex ('' for the exhibit itself). */
const treePath = z.string().max(16_384).regex(/^(?:[0-9a-f]{2})*$/, 'must be the raw path bytes as lower-case hex');

export const itemFilterSchema = z.strictObject({
  /** alert: a hit on a list of concern; known: only on known-file lists (e.g. NSRL); none: no hit. */
  matched: z.enum(['any', 'alert', 'known', 'none']).optional(),
  /** A category code of the case's scheme; 'none': no current decision in any scheme; 'other-scheme': decided only in a scheme the case no longer uses. */
  category: z.string().min(1).max(32).optional(),
  fileType: z.string().min(1).max(200).optional(),
  exhibitId: id.optional(),
  hashListId: id.optional(),
  hasGps: z.boolean().optional(),
  errors: z.boolean().optional(),
  tag: z.string().min(1).max(100).optional(),
  /** Seen (true) or not (false) in another case of the lab library, as of the last match. */
  seenElsewhere: z.boolean().optional(),
  /** Name or path fragment, or a hash prefix (MD5, SHA-1, SHA-256, PDQ). */
  search: z.string().trim().min(1).max(500).optional(),
  place: z.enum(PLACE_FILTERS).optional(),
  under: z.strictObject({ exhibitId: id, path: treePath.min(2) }).optional(),
});

export const itemSortSchema = z.strictObject({
  key: z.enum(['id', 'size', 'type', 'category', 'name', 'path', 'mtime', 'taken', 'distance']),
  dir: z.enum(['asc', 'desc']),
});

/** Wellbeing settings belong to the examiner's profile, not to the case. */
export const wellbeingSchema = profileWellbeingSchema;
const fingerprint = z.string().regex(/^[0-9a-f]{8,64}$/, 'must be a key fingerprint (hexadecimal, at least 8 digits)');

export const requestSchemas = {
  appInfo: none,
  openCase: z.strictObject({ dir }),
  createCase: z.strictObject({
    dir,
    caseNumber: name(200),
    /** The case's lead examiner; the working examiner profile when absent. */
    examiner: name(200).optional(),
    description: z.string().max(4000).optional(),
    scheme: schemeId,
  }),
  caseCounts: none,
  getSettings: none,
  setSettings: z.strictObject({
    categoryScheme: schemeId.optional(),
    /** How many decisions the examiner was told stay in their old scheme (schemeChangeImpact): a scheme change that leaves any needs it. */
    confirmDecisionsInOtherSchemes: z.number().int().min(0).optional(),
    contributeAtExport: z.boolean().optional(),
  }),
  listProfiles: none,
  /** A new examiner profile on this workstation, which becomes the one working. */
  createProfile: z.strictObject({
    name: name(200),
    /** null: no signing key; absent: the one key made for an examiner of this name, if any. */
    keyFingerprint: fingerprint.nullable().optional(),
    wellbeing: wellbeingSchema.optional(),
  }),
  chooseProfile: z.strictObject({ profileId: z.string().uuid() }),
  /** Changes the working examiner's profile. */
  updateProfile: z.strictObject({ wellbeing: wellbeingSchema.optional(), keyFingerprint: fingerprint.nullable().optional() }),
  listExhibits: none,
  listFileErrors: z.strictObject({ exhibitId: id.optional(), offset: z.number().int().min(0), limit: z.number().int().min(1).max(1000) }),
  startIntake: z.strictObject({ label: name(200), source: dir, description: z.string().max(4000).optional() }),
  intakeStatus: z.strictObject({ jobId: id }),
  cancelIntake: z.strictObject({ jobId: id }),
  facets: none,
  queryItems: z.strictObject({
    filter: itemFilterSchema,
    sort: itemSortSchema,
    offset: z.number().int().min(0),
    limit: z.number().int().min(1).max(2000),
    /** Keyset paging: the page just after (or before) this content in the sort, instead of counting to offset. */
    after: id.optional(),
    before: id.optional(),
  }).refine((r) => r.after === undefined || r.before === undefined, { message: 'after and before are exclusive' }),
  countItems: z.strictObject({ filter: itemFilterSchema }),
  getItem: z.strictObject({ contentId: id }),
  categorise: z.strictObject({
    contentIds: z.array(id).min(1).max(1_000_000),
    /** The SHA-256 the examiner saw on each content, in the same order: a decision never lands on another item. */
    expectSha256: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(1_000_000).optional(),
    category: z.string().min(1).max(32),
    /** The grid's filter when the examiner decided: every content must be one it shows, or nothing is decided. */
    inView: itemFilterSchema.optional(),
    /** How the examiner decided, for the audit log: a key on one item, a bulk selection, a whole group. */
    via: z.enum(['keyboard', 'selection', 'group']),
  }).refine((r) => r.expectSha256 === undefined || r.expectSha256.length === r.contentIds.length, {
    message: 'expectSha256 must name one SHA-256 for each of contentIds', path: ['expectSha256'],
  }),
  undoDecisions: z.strictObject({ decisionIds: z.array(id).min(1).max(1_000_000) }),
  undoLast: none,
  redoLast: none,
  addNote: z.strictObject({ contentId: id, text: text(20_000) }),
  addTag: z.strictObject({ contentIds: z.array(id).min(1).max(1_000_000), tag: text(100) }),
  removeTag: z.strictObject({ contentIds: z.array(id).min(1).max(1_000_000), tag: text(100) }),
  /** A series or victim label: pseudonymous (it travels to the lab library with the hashes). */
  addLabel: z.strictObject({ contentIds: z.array(id).min(1).max(1_000_000), kind: z.enum(['series', 'victim']), label: text(200) }),
  removeLabel: z.strictObject({ contentIds: z.array(id).min(1).max(1_000_000), kind: z.enum(['series', 'victim']), label: text(200) }),
  listGroups: z.strictObject({ offset: z.number().int().min(0), limit: z.number().int().min(1).max(1000), sort: z.enum(['id', 'size', 'hits']).optional() }),
  getGroup: z.strictObject({ groupId: id }),
  listHashLists: none,
  importHashList: z.strictObject({
    file: dir,
    format: z.enum(LIST_FORMATS).optional(),
    name: z.string().trim().min(1).max(200).optional(),
    scheme: schemeId.optional(),
    /** A list of known files (ignorable, never alerts); NSRL lists always are. */
    known: z.boolean().optional(),
    /** Import a file the library already holds (same SHA-256) as a further version. */
    again: z.boolean().optional(),
  }),
  /** The library's earlier import of exactly this file (same SHA-256), asked before importing it. */
  findImportedCopy: z.strictObject({ file: dir }),
  /** Share hashes out (never pictures): the open case's categorised findings, or a library list. */
  exportHashset: z.strictObject({
    out: absolutePath,
    format: z.enum(SHARE_FORMATS),
    list: z.string().trim().min(1).max(200).optional(),
    listVersion: z.number().int().min(1).optional(),
    scheme: schemeId.optional(),
    categories: z.array(z.string().min(1).max(32)).max(100).optional(),
    booleans: z.enum(['string', 'json']).optional(),
  }),
  runMatch: none,
  listAudit: z.strictObject({ offset: z.number().int().min(0), limit: z.number().int().min(1).max(1000) }),
  exportPackage: exportPackageSchema,
  verifyPackage: z.strictObject({
    path: absolutePath,
    /** The manifest SHA-256 printed at export, to check the manifest itself against. */
    manifestSha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal digits').optional(),
  }),
  viewSource: z.strictObject({ contentId: id }),
  derivedUsage: none,
  libraryLinks: none,
  /** Two different items of the case side by side. */
  compareItems: z.strictObject({ a: id, b: id }).refine((r) => r.a !== r.b, { message: 'compare two different items', path: ['b'] }),
  compareMatches: z.strictObject({ contentId: id }),
  evidenceTree: z.strictObject({ exhibitId: id, parent: treePath }),
  schemeChangeImpact: z.strictObject({ scheme: schemeId }),
} satisfies Record<Channel, z.ZodType>;

export type RequestSchemas = typeof requestSchemas;
/** What the caller passes. */
export type Request<C extends Channel> = z.input<RequestSchemas[C]>;
/** What the service receives after parsing. */
export type ParsedRequest<C extends Channel> = z.output<RequestSchemas[C]>;
export type ItemFilter = z.output<typeof itemFilterSchema>;
export type ItemSort = z.output<typeof itemSortSchema>;
export type Wellbeing = z.output<typeof wellbeingSchema>;
