import { splitDelimited } from './source.js';
import { emptyRecord, guard, hexHash, HEX, RecordError, type ListHash, type ReadItem } from './readersCommon.js';

/**
 * hasher-matcher-actioner's bank data files: headerless CSV written by Python's csv.writer, one file
 * per signal type. HMA 1.0 read them with the columns hash,indicator_id,descriptor_id,timestamp,tags
 * (hmalib/common/s3_adapters.py, ThreatExchangeS3PDQAdapter; rows from python-threatexchange's
 * HMASerialization.as_csv_row); its sample data (hasher-matcher-actioner/sample_data/pdq.csv) also
 * holds the older four-column rows hash,descriptor_id,timestamp,tags (CliIndicatorSerialization).
 * Tags are space-separated; the signal type is only in the file name, so it is told from the hash:
 * 64 hex digits a PDQ, 32 an MD5 (video_md5 / photo_md5 files).
 */
export const HMA_LINE = /^"?(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{32})"?,\d+,(?:\d+,)?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^,]*(?:,|$)/;

export const HMA_FORMAT_VERSION = 'hma-bank-csv';

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;
const DIGITS = /^\d+$/;

export function hmaRecord(line: string, at: string): ReadItem | null {
  if (line.trim() === '') return null;
  return guard(at, () => {
    const fields = splitDelimited(line, ',');
    if (fields === null) throw new RecordError('a quote is left open (a cut line)');
    if (fields.length !== 4 && fields.length !== 5) {
      throw new RecordError(`${fields.length} fields; HMA bank rows have 5 (hash,indicator_id,descriptor_id,timestamp,tags) or 4 (hash,descriptor_id,timestamp,tags)`);
    }
    const [value, ...rest] = fields as [string, ...string[]];
    const indicatorId = fields.length === 5 ? rest.shift()! : null;
    const [descriptorId, addedOn, tagText] = rest as [string, string, string];
    const rec = emptyRecord();
    rec.hashes.push(hmaHash(value));
    if (indicatorId !== null && !DIGITS.test(indicatorId)) throw new RecordError(`indicator_id ${JSON.stringify(indicatorId)} is not a ThreatExchange id (digits)`);
    if (!DIGITS.test(descriptorId)) throw new RecordError(`descriptor_id ${JSON.stringify(descriptorId)} is not a ThreatExchange id (digits)`);
    if (!TIMESTAMP.test(addedOn)) throw new RecordError(`timestamp ${JSON.stringify(addedOn)} is not an ISO 8601 time`);
    const tags = tagText.split(' ').filter((t) => t !== '');
    rec.mediaId = indicatorId ?? descriptorId;
    rec.label = tags.length > 0 ? tagText : null;
    rec.details = { ...(indicatorId !== null ? { indicatorId } : {}), descriptorId, addedOn, tags };
    return rec;
  });
}

function hmaHash(value: string): ListHash {
  if (HEX.test(value) && value.length === 64) return hexHash('pdq', value, 'PDQ hash')!;
  if (HEX.test(value) && value.length === 32) return hexHash('md5', value, 'MD5')!;
  throw new RecordError(`hash ${JSON.stringify(value.slice(0, 80))} is neither a PDQ (64 hex digits) nor an MD5 (32); HMA's pdq_ocr and TMK files are not read`);
}

/**
 * pdq-photo-hasher (ThreatExchange pdq/cpp) output other than its plain "hash,quality,filename":
 * -d prints "hash=H,norm=N,delta=D,quality=Q,filename=F", --pdqdih-across prints the eight dihedral
 * hashes "orig,rot90,rot180,rot270,flipx,flipy,flipp,flipm,Q,F", and -d --pdqdih-across
 * "hash=H,quality=Q,orig=...,flipm=...,filename=F". The file name is always last and printed as
 * given, commas included. The dihedral hashes are all kept on the one record, the original first, so
 * a rotated or mirrored copy of the file matches it too. norm and delta (the distance to the previous
 * file on the command line) say nothing about the file and are dropped.
 */
export const PDQ_HASHER_DETAILS = /^hash=[0-9a-fA-F]{64},/;
export const DIHEDRAL = ['orig', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flipp', 'flipm'] as const;
const DIHEDRAL_ACROSS = /^(?:[0-9a-fA-F]{64},){8}\d+,/;

/** True when the line is one of these forms (the plain PDQ line reader handles the rest). */
export function isPdqHasherVariant(line: string): boolean {
  return PDQ_HASHER_DETAILS.test(line) || DIHEDRAL_ACROSS.test(line);
}

export function pdqHasherRecord(line: string, at: string): ReadItem {
  return guard(at, () => {
    const rec = emptyRecord();
    let quality: string;
    if (DIHEDRAL_ACROSS.test(line)) {
      const parts = line.split(',');
      for (let k = 0; k < DIHEDRAL.length; k++) rec.hashes.push(pdqHash(parts[k], `PDQ ${DIHEDRAL[k]} hash`));
      quality = parts[8]!;
      rec.label = parts.slice(9).join(',');
    } else {
      const name = line.indexOf(',filename=');
      if (name < 0) throw new RecordError('no filename= field (a cut line)');
      rec.label = line.slice(name + ',filename='.length);
      const fields = new Map(line.slice(0, name).split(',').map((kv) => {
        const eq = kv.indexOf('=');
        return [eq < 0 ? kv : kv.slice(0, eq), eq < 0 ? '' : kv.slice(eq + 1)] as const;
      }));
      const dihedral = DIHEDRAL.filter((d) => fields.has(d));
      if (dihedral.length > 0 && dihedral.length < DIHEDRAL.length) throw new RecordError(`only ${dihedral.join(', ')} of the eight dihedral hashes`);
      if (dihedral.length === DIHEDRAL.length) {
        for (const d of DIHEDRAL) rec.hashes.push(pdqHash(fields.get(d), `PDQ ${d} hash`));
        if (fields.get('hash') !== fields.get('orig')) throw new RecordError('hash= and orig= differ');
      } else {
        rec.hashes.push(pdqHash(fields.get('hash'), 'PDQ hash'));
      }
      quality = fields.get('quality') ?? '';
    }
    if (!/^\d{1,3}$/.test(quality) || Number(quality) > 100) throw new RecordError(`PDQ quality ${JSON.stringify(quality)} is not a whole number from 0 to 100`);
    rec.quality = Number(quality);
    return rec;
  });
}

function pdqHash(value: string | undefined, field: string): ListHash {
  const h = hexHash('pdq', value, field);
  if (!h) throw new RecordError(`${field} is empty`);
  return h;
}
