import exifr from 'exifr';
import { createRequire } from 'node:module';

export const EXIF_READER = {
  name: 'exifr',
  version: (createRequire(import.meta.url)('exifr/package.json') as { version: string }).version,
} as const;

/**
 * The EXIF fields an examiner asks about first. Dates stay the camera's text ('YYYY:MM:DD HH:MM:SS'):
 * EXIF times carry no zone, and turning them into instants would invent one.
 */
export interface ExifSummary {
  make?: string;
  model?: string;
  software?: string;
  dateTimeOriginal?: string;
  /** The zone offset the camera recorded for dateTimeOriginal (EXIF 2.31), e.g. '+02:00'. */
  offsetTimeOriginal?: string;
  orientation?: number;
  gps?: { latitude: number; longitude: number; altitude?: number };
}

const PICK = [
  'Make', 'Model', 'Software', 'DateTimeOriginal', 'OffsetTimeOriginal', 'Orientation',
  'GPSLatitude', 'GPSLatitudeRef', 'GPSLongitude', 'GPSLongitudeRef', 'GPSAltitude', 'GPSAltitudeRef',
];

interface RawExif {
  Make?: unknown; Model?: unknown; Software?: unknown; DateTimeOriginal?: unknown; OffsetTimeOriginal?: unknown;
  Orientation?: unknown; GPSAltitude?: unknown; GPSAltitudeRef?: unknown; latitude?: unknown; longitude?: unknown;
}

/**
 * EXIF of an image file, or null when it has none or none we can read. Metadata is secondary
 * evidence here: a damaged EXIF block must not stop the picture being hashed, so errors give null.
 */
export async function readExif(bytes: Uint8Array): Promise<ExifSummary | null> {
  let raw: RawExif | undefined;
  try {
    raw = (await exifr.parse(bytes, {
      pick: PICK, ifd1: false, interop: false, xmp: false, icc: false, iptc: false, jfif: false, ihdr: false,
      reviveValues: false, translateValues: false,
    })) as RawExif | undefined;
  } catch {
    return null;
  }
  if (!raw) return null;
  const out: ExifSummary = {};
  const text = (v: unknown) => (typeof v === 'string' ? v.replace(/\0+$/, '').trim() || undefined : undefined);
  const make = text(raw.Make); if (make) out.make = make;
  const model = text(raw.Model); if (model) out.model = model;
  const software = text(raw.Software); if (software) out.software = software;
  const taken = text(raw.DateTimeOriginal); if (taken) out.dateTimeOriginal = taken;
  const offset = text(raw.OffsetTimeOriginal); if (offset) out.offsetTimeOriginal = offset;
  if (typeof raw.Orientation === 'number' && raw.Orientation >= 1 && raw.Orientation <= 8) out.orientation = raw.Orientation;
  if (typeof raw.latitude === 'number' && typeof raw.longitude === 'number' && Number.isFinite(raw.latitude) && Number.isFinite(raw.longitude)) {
    out.gps = { latitude: raw.latitude, longitude: raw.longitude };
    if (typeof raw.GPSAltitude === 'number' && Number.isFinite(raw.GPSAltitude)) {
      // Altitude reference 1 means below sea level.
      const below = raw.GPSAltitudeRef instanceof Uint8Array ? raw.GPSAltitudeRef[0] === 1 : raw.GPSAltitudeRef === 1;
      out.gps.altitude = below ? -raw.GPSAltitude : raw.GPSAltitude;
    }
  }
  return Object.keys(out).length > 0 ? out : null;
}
