import type { OpenCase } from '../catalog/case.js';
import type { SchemeId } from '../catalog/schemes.js';
import { TOOL_VERSION } from '../util/version.js';
import type { Contribution, ContributedItem } from './store.js';

export interface GatherOptions {
  /** Share the names the files had on the exhibits (off by default: a name can identify a victim). */
  shareFileNames?: boolean;
}

interface ContentRow {
  id: number; sha256: string; sha1: string; md5: string; size: number; detected_type: string;
  pdq: string | null; pdq_quality: number | null; pdq_dihedral: string | null; blockhash: string | null;
  category: string | null; scheme: SchemeId | null; decided_by: string | null; decided_at: string | null;
}

/**
 * What a case gives the lab library: every content the examiner categorised, that matched a
 * known-material list (not a known-file list such as NSRL), that the lab library recognised, or that
 * carries a series or victim label. Hashes, the current decision with its scheme, labels, tags, the
 * exhibits it was found on and the list hits; no picture, no thumbnail, no path, and file names
 * (base names only) only when asked.
 */
export function gatherContribution(c: OpenCase, options: GatherOptions = {}): Contribution {
  const db = c.db;
  const rows = db.prepare(`
    SELECT c.id, c.sha256, c.sha1, c.md5, c.size, c.detected_type,
           d.pdq, d.pdq_quality, d.pdq_dihedral, d.blockhash,
           cd.category, cd.scheme, cd.examiner AS decided_by, cd.decided_at
    FROM content c
    LEFT JOIN image_data d ON d.content_id = c.id
    LEFT JOIN category_decision cd ON cd.id = (
      SELECT max(x.id) FROM category_decision x WHERE x.content_id = c.id AND x.superseded_by IS NULL)
    WHERE cd.id IS NOT NULL
       OR c.id IN (SELECT content_id FROM hash_match WHERE known = 0)
       OR c.id IN (SELECT content_id FROM lab_match)
       OR c.id IN (SELECT content_id FROM item_label)
    ORDER BY c.sha256`).all() as ContentRow[];
  const exhibits = grouped(db.prepare(`SELECT DISTINCT f.content_id AS k, e.label AS v FROM file_instance f JOIN exhibit e ON e.id = f.exhibit_id
    WHERE f.content_id IS NOT NULL ORDER BY e.label`).all() as KV[]);
  const tags = grouped(db.prepare('SELECT content_id AS k, tag AS v FROM tag ORDER BY tag').all() as KV[]);
  const series = grouped(db.prepare("SELECT content_id AS k, label AS v FROM item_label WHERE kind = 'series' ORDER BY label").all() as KV[]);
  const victims = grouped(db.prepare("SELECT content_id AS k, label AS v FROM item_label WHERE kind = 'victim' ORDER BY label").all() as KV[]);
  const hits = new Map<number, ContributedItem['listHits']>();
  for (const h of db.prepare(`SELECT DISTINCT m.content_id, u.list_name, u.list_version, m.algorithm, m.category, m.scheme
      FROM hash_match m JOIN hashlist_use u ON u.id = m.use_id WHERE m.known = 0
      ORDER BY m.content_id, u.list_name, u.list_version, m.algorithm`).all() as
      { content_id: number; list_name: string; list_version: number; algorithm: string; category: string | null; scheme: string | null }[]) {
    const list = hits.get(h.content_id) ?? [];
    list.push({ list: h.list_name, version: h.list_version, algorithm: h.algorithm, category: h.category, scheme: h.scheme });
    hits.set(h.content_id, list);
  }
  const names = options.shareFileNames
    ? grouped(db.prepare(`SELECT DISTINCT content_id AS k, path_text AS v FROM file_instance WHERE content_id IS NOT NULL ORDER BY path_text`).all() as KV[],
      (p) => p.slice(p.lastIndexOf('/') + 1))
    : null;

  const items: ContributedItem[] = rows.map((r) => ({
    sha256: r.sha256, sha1: r.sha1, md5: r.md5, size: r.size, mediaType: r.detected_type,
    exhibits: exhibits.get(r.id) ?? [],
    pdq: r.pdq, pdqQuality: r.pdq_quality, pdqDihedral: r.pdq_dihedral ? JSON.parse(r.pdq_dihedral) as string[] : null,
    blockhash: r.blockhash, videoHashes: null,
    category: r.category, scheme: r.category === null ? null : r.scheme, decidedBy: r.decided_by, decidedAt: r.decided_at,
    listHits: hits.get(r.id) ?? [], series: series.get(r.id) ?? [], victims: victims.get(r.id) ?? [], tags: tags.get(r.id) ?? [],
    fileNames: names ? [...new Set(names.get(r.id) ?? [])].sort() : null,
  }));
  return {
    caseUuid: c.info.caseUuid, caseNumber: c.info.caseNumber, caseExaminer: c.info.examiner,
    shareFileNames: options.shareFileNames ?? false, toolVersion: TOOL_VERSION, items,
  };
}

interface KV { k: number; v: string }

function grouped(rows: readonly KV[], map: (v: string) => string = (v) => v): Map<number, string[]> {
  const m = new Map<number, string[]>();
  for (const r of rows) {
    const list = m.get(r.k);
    if (list) list.push(map(r.v)); else m.set(r.k, [map(r.v)]);
  }
  return m;
}
