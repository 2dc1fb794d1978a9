import type { Db } from '../catalog/sqlite.js';
import type { EwfMetadata, EwfVerification, VerificationStatus } from './ewf.js';
import type { ImageVolume } from './imageSource.js';

/**
 * What an exhibit taken in from a disk image records about the image (migration 0005): read back
 * for the Exhibits screen, the report and the CASE/UCO provenance, from the one row intake wrote.
 */
export interface ExhibitProvenance {
  format: string;
  segments: { path: string; size: number; md5: string; sha256: string }[];
  /** E01 only: ewfverify's verdict (null for formats that store no acquisition hash). */
  verification: EwfVerification | null;
  verificationStatus: VerificationStatus | null;
  /** E01 only: the case metadata ewfinfo read from the image. */
  acquisition: EwfMetadata | null;
  layout: {
    imgType: string;
    size: number;
    sectorSize: number;
    vsType: string | null;
    volumes: Omit<ImageVolume, 'fs'>[];
  } | null;
}

interface Row {
  source_kind: string;
  image_format: string | null;
  image_segments: string | null;
  verification: VerificationStatus | null;
  verification_detail: string | null;
  acquisition: string | null;
  volumes: string | null;
}

export function exhibitProvenance(db: Db, exhibitId: number): ExhibitProvenance | null {
  const r = db.prepare(
    'SELECT source_kind, image_format, image_segments, verification, verification_detail, acquisition, volumes FROM exhibit WHERE id = ?',
  ).get(exhibitId) as Row | undefined;
  if (!r || r.source_kind !== 'image' || r.image_format === null) return null;
  return {
    format: r.image_format,
    segments: r.image_segments ? JSON.parse(r.image_segments) as ExhibitProvenance['segments'] : [],
    verification: r.verification_detail ? JSON.parse(r.verification_detail) as EwfVerification : null,
    verificationStatus: r.verification,
    acquisition: r.acquisition ? JSON.parse(r.acquisition) as EwfMetadata : null,
    layout: r.volumes ? JSON.parse(r.volumes) as ExhibitProvenance['layout'] : null,
  };
}
