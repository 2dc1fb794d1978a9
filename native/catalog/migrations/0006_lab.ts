import type { Migration } from '../migrate.js';

/**
 * Cross-case intelligence in the case: the series and victim labels the examiner names on items
 * (pseudonymous labels, contributed to the lab library with the hashes), and the hits the lab
 * library gave this case (lab_match: "seen in case 2025-0412, exhibit EX-03, categorised 1 by
 * J. Jansen"). lab_match copies what it reports from the library, so the case keeps its evidence
 * when the library changes; every match run replaces it whole, so a withdrawn case's hits go away
 * on the next run (the audit log records both runs). A lab hit is never a decision.
 */
export const lab: Migration = {
  version: 6,
  name: 'lab library: item labels and cross-case hits',
  up(db) {
    db.exec(`
      CREATE TABLE item_label (
        content_id INTEGER NOT NULL REFERENCES content(id),
        kind TEXT NOT NULL CHECK (kind IN ('series', 'victim')),
        label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
        examiner TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (content_id, kind, label)
      );
      CREATE INDEX item_label_label ON item_label(kind, label);
      CREATE TABLE lab_match (
        id INTEGER PRIMARY KEY,
        content_id INTEGER NOT NULL REFERENCES content(id),
        library_item INTEGER NOT NULL,
        case_uuid TEXT NOT NULL,
        case_number TEXT NOT NULL,
        exhibit TEXT NOT NULL,
        category TEXT,
        scheme TEXT CHECK (scheme IS NULL OR scheme IN ('vic-us', 'dhs', 'caid-uk', 'custom')),
        examiner TEXT,
        decided_at TEXT,
        contributed_at TEXT NOT NULL,
        series TEXT NOT NULL,
        victims TEXT NOT NULL,
        algorithm TEXT NOT NULL CHECK (algorithm IN ('sha256', 'pdq')),
        distance INTEGER NOT NULL CHECK (distance >= 0),
        threshold INTEGER NOT NULL CHECK (threshold >= 0),
        dihedral INTEGER CHECK (dihedral IS NULL OR dihedral BETWEEN 0 AND 7),
        library_version INTEGER NOT NULL,
        matched_at TEXT NOT NULL,
        CHECK (category IS NULL OR scheme IS NOT NULL),
        UNIQUE (content_id, library_item, algorithm)
      );
      CREATE INDEX lab_match_content ON lab_match(content_id);
    `);
  },
};
