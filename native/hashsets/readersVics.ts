import { isSchemeId, type SchemeId } from '../catalog/schemes.js';
import { KestrelError } from '../util/result.js';
import { ChunkSource } from './source.js';
import { JsonSyntaxError, StreamedObjectParser } from './jsonStream.js';
import type { Algorithm } from './library.js';
import {
  bool, categoryCode, emptyRecord, guard, hexHash, int, printable, RecordError, Utf8Checker,
  type ListReader, type ListRecord, type ReaderOptions, type ReadItem,
} from './readersCommon.js';

/** The model segment of a VICS 2.0 context URL (`…/2.0.xml/US/$metadata#…`) and the scheme it means. */
const MODEL_SCHEMES: Readonly<Record<string, SchemeId>> = { us: 'vic-us', default: 'vic-us', uk: 'caid-uk', custom: 'custom' };

/** VICS 1.x Category 8: how NIST's NSRL files in VICS form (for CAID) mark known, ignorable files. */
const NSRL_KNOWN_CATEGORY = '8';

/** The scheme a VICS header names, or null when it names none (VICS 1.x, or a context without a model). */
export function schemeFromContext(context: string | undefined): SchemeId | null {
  if (context === undefined) return null;
  const m = /\/\d+\.\d+\.xml\/([A-Za-z]+)\//.exec(context);
  return m ? MODEL_SCHEMES[m[1]!.toLowerCase()] ?? null : null;
}

/** Counts lines up to byte offsets that only grow, over chunks seen once: linear in the file. */
class LineCounter {
  line = 1;
  private chunk: Uint8Array = new Uint8Array(0);
  private chunkStart = 0;
  private cursor = 0;

  feed(chunk: Uint8Array): void {
    this.advance(this.chunkStart + this.chunk.length);
    this.chunkStart += this.chunk.length;
    this.chunk = chunk;
    this.cursor = this.chunkStart;
  }

  at(offset: number): number {
    if (offset >= this.cursor) this.advance(Math.min(offset, this.chunkStart + this.chunk.length));
    return this.line;
  }

  private advance(to: number): void {
    const c = this.chunk;
    for (let i = this.cursor - this.chunkStart, end = to - this.chunkStart; i < end; i++) if (c[i] === 10) this.line++;
    this.cursor = Math.max(this.cursor, to);
  }
}

/**
 * VICS JSON (1.x `odata.metadata`, 2.0 `@odata.context`; Media form or Cases form). Files run to
 * hundreds of megabytes, so the root's `value` array is streamed one item at a time; the header
 * strings are kept, and the category scheme is taken from the context's model segment (US, Default,
 * UK, CUSTOM), from Kestrel's own CategoryScheme per record, or from --scheme, never assumed.
 */
export function vicsReader(file: string, options: ReaderOptions): ListReader {
  const src = new ChunkSource(file);
  const header: Record<string, unknown> = {};
  const state = {
    fileScheme: null as SchemeId | null,
    recordScheme: null as SchemeId | null,
    sawValue: false,
    known: 0,
    categorised: 0,
  };
  const reader: ListReader = { formatVersion: null, scheme: options.scheme, known: false, items: items(), finish: () => src.finish(), close: () => src.close() };
  const lines = new LineCounter();
  // The JSON tokenizer's message quotes the byte it stumbled on, a newline or a control byte too: one line, escaped.
  const fail = (message: string, offset: number): never => {
    throw new KestrelError(`${file}: ${offset >= 0 ? `line ${lines.at(offset)}: ` : ''}${printable(message)}`, 'E_FORMAT');
  };

  function schemeFor(): SchemeId | null {
    return options.scheme ?? state.recordScheme ?? state.fileScheme;
  }

  function onMember(key: string, value: unknown): void {
    if (key === 'value') fail('"value" is not an array', -1);
    header[key] = value;
    if (key === '@odata.context' && typeof value === 'string') {
      state.fileScheme = schemeFromContext(value);
      if (options.scheme && state.fileScheme && options.scheme !== state.fileScheme) {
        fail(`--scheme ${options.scheme} contradicts the file, whose context names the ${state.fileScheme} model (${value})`, -1);
      }
    }
  }

  function* items(): Generator<ReadItem> {
    const pending: ReadItem[] = [];
    let recordNo = 0;
    const parser = new StreamedObjectParser({
      streamKey: 'value',
      onMember,
      onStreamEnd: () => { state.sawValue = true; },
      onItem: (value, offset, duplicate) => {
        recordNo++;
        const at = `record ${recordNo} (line ${lines.at(offset)})`;
        if (duplicate !== null) pending.push({ ok: false, at, reason: `the key ${JSON.stringify(duplicate)} appears twice` });
        else for (const item of vicsItem(value, at, state, schemeFor)) pending.push(item);
      },
    });
    const utf8 = new Utf8Checker();
    let streamed = 0;
    for (let chunk = src.next(); chunk !== null; chunk = src.next()) {
      lines.feed(chunk);
      const bad = utf8.check(chunk);
      if (bad >= 0) fail('the file is not valid UTF-8 (as JSON must be)', streamed + bad);
      streamed += chunk.length;
      try {
        parser.write(chunk);
      } catch (err) {
        if (err instanceof JsonSyntaxError) fail(err.message, err.offset);
        throw err;
      }
      yield* pending.splice(0);
    }
    if (!utf8.complete()) fail('the file ends inside a UTF-8 sequence', -1);
    try {
      parser.end();
    } catch (err) {
      if (err instanceof JsonSyntaxError) fail(err.message, err.offset);
      throw err;
    }
    if (!state.sawValue) throw new KestrelError(`${file}: not a VICS file: no "value" array in the root object`, 'E_FORMAT');
    reader.formatVersion = vicsVersion(header);
    if (reader.formatVersion === null) throw new KestrelError(`${file}: not a VICS file: neither "odata.metadata" (v1.x) nor "@odata.context" (v2.0) is present`, 'E_FORMAT');
    reader.scheme = schemeFor();
    reader.known = state.known > 0 && state.categorised === 0;
  }
  return reader;
}

function vicsVersion(header: Record<string, unknown>): string | null {
  const ctx = header['@odata.context'];
  if (typeof ctx === 'string') return /(\d+\.\d+)\.xml/.exec(ctx)?.[1] ?? /(\d+\.\d+)/.exec(ctx)?.[1] ?? '2.0';
  const meta = header['odata.metadata'];
  if (typeof meta === 'string') return /(1\.\d+)/.exec(meta)?.[1] ?? '1.x';
  return null;
}

interface VicsState { fileScheme: SchemeId | null; recordScheme: SchemeId | null; known: number; categorised: number }

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function* vicsItem(value: unknown, at: string, state: VicsState, scheme: () => SchemeId | null): Generator<ReadItem> {
  if (!isObject(value)) {
    yield { ok: false, at, reason: `not a JSON object but ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}` };
    return;
  }
  // The Cases form nests the Media under each case.
  if (Array.isArray(value['Media']) && !('MD5' in value) && !('SHA1' in value)) {
    let k = 0;
    for (const m of value['Media'] as unknown[]) {
      k++;
      yield guard(`${at} media ${k}`, () => vicsMedia(m, state, scheme));
    }
    return;
  }
  yield guard(at, () => vicsMedia(value, state, scheme));
}

const ALT_ALGORITHMS: Readonly<Record<string, Algorithm>> = {
  pdq: 'pdq', blockhash: 'blockhash', bmvbhash: 'blockhash', sha256: 'sha256', 'sha-256': 'sha256',
};

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

function vicsMedia(m: unknown, state: VicsState, schemeNow: () => SchemeId | null): ListRecord {
  if (!isObject(m)) throw new RecordError('not a JSON object');
  const rec = emptyRecord();
  for (const [alg, field] of [['md5', 'MD5'], ['sha1', 'SHA1'], ['sha256', 'SHA256']] as const) {
    const h = hexHash(alg, m[field], field);
    if (h) rec.hashes.push(h);
  }
  // PhotoDNA is kept as the list gave it (it travels on into exports) but never computed or matched.
  let photoDna: string | null = str(m['PhotoDNA']);
  const alt = m['AlternativeHashes'];
  if (alt !== undefined && alt !== null) {
    if (!Array.isArray(alt)) throw new RecordError('AlternativeHashes is not an array');
    alt.forEach((a, i) => {
      if (!isObject(a)) throw new RecordError(`AlternativeHashes[${i}] is not an object`);
      const name = String(a['HashName'] ?? '').trim();
      const algorithm = ALT_ALGORITHMS[name.toLowerCase()];
      if (name.toLowerCase() === 'photodna') { photoDna = str(a['HashValue']) ?? photoDna; return; }
      if (!algorithm) return;
      const h = hexHash(algorithm, a['HashValue'], `AlternativeHashes[${i}] (${name})`);
      if (h) rec.hashes.push(h);
    });
  }
  rec.category = category(m, state, schemeNow);
  rec.mediaId = m['MediaID'] == null ? null : String(m['MediaID']);
  rec.size = int(m['MediaSize'], 'MediaSize');
  const files = mediaFiles(m['MediaFiles']);
  rec.label = str(m['Series']) ?? files[0]?.name ?? files[0]?.path ?? null;
  const details: Record<string, unknown> = {
    victimIdentified: bool(m['VictimIdentified'], 'VictimIdentified'),
    offenderIdentified: bool(m['OffenderIdentified'], 'OffenderIdentified'),
    isDistributed: bool(m['IsDistributed'], 'IsDistributed'),
    isPrecategorized: bool(m['IsPrecategorized'], 'IsPrecategorized'),
    series: m['Series'] ?? null,
    tags: m['Tags'] ?? null,
    dateUpdated: str(m['DateUpdated']),
    relativeFilePath: str(m['RelativeFilePath']),
    photoDna,
  };
  if (files.length > 0) details['mediaFiles'] = files;
  rec.details = details;
  return rec;
}

/** A record's category in the list's scheme; Kestrel's own exports name scheme and code per record. */
function category(m: Record<string, unknown>, state: VicsState, schemeNow: () => SchemeId | null): string | null {
  const own = m['CategoryScheme'];
  if (own !== undefined && own !== null && own !== '') {
    if (typeof own !== 'string' || !isSchemeId(own)) throw new RecordError(`CategoryScheme ${JSON.stringify(own)} is not one of vic-us, dhs, caid-uk, custom`);
    // A CUSTOM context defers to the records; any other named scheme must agree with them.
    const named = schemeNow() === 'custom' && state.recordScheme === null ? null : schemeNow();
    if (named !== null && named !== own) throw new RecordError(`CategoryScheme ${own} differs from the list's scheme ${named}`);
    state.recordScheme = own;
    const code = categoryCode(own, m['CategoryCode'] ?? m['Category']);
    if (code !== null) state.categorised++;
    return code;
  }
  const raw = m['Category'];
  if (raw === null || raw === undefined || raw === '') return null;
  const scheme = schemeNow();
  if (scheme === null && String(raw).trim() === NSRL_KNOWN_CATEGORY) {
    state.known++;
    return null;
  }
  const code = categoryCode(scheme, raw);
  if (code !== null) state.categorised++;
  return code;
}

interface MediaFileName { name: string | null; path: string | null }

function mediaFiles(v: unknown): MediaFileName[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new RecordError('MediaFiles is not an array');
  return v.map((f, i) => {
    if (!isObject(f)) throw new RecordError(`MediaFiles[${i}] is not an object`);
    return { name: str(f['FileName']), path: str(f['FilePath']) };
  });
}
