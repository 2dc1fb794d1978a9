import type { Migration } from '../migrate.js';

/**
 * The examiner's review: category decisions, notes, tags and per-case settings.
 *
 * Decisions are never updated in place or deleted, so the table itself shows how a categorisation
 * came about (the audit log records it too). The current decision for a content is its latest row
 * whose superseded_by is NULL. A new decision supersedes the current one; undo supersedes the
 * undone row with a new row that restores the decision it replaced (restores names that row), or,
 * when it replaced nothing, points superseded_by at itself (withdrawn: the content is
 * uncategorised again).
 * Every category is stored with its scheme; categories of different schemes are never compared.
 */
export const review: Migration = {
  version: 4,
  name: 'review: category decisions, notes, tags, case settings',
  up(db) {
    db.exec(`
      CREATE TABLE category_decision (
        id INTEGER PRIMARY KEY,
        content_id INTEGER NOT NULL REFERENCES content(id),
        scheme TEXT NOT NULL CHECK (scheme IN ('vic-us', 'dhs', 'caid-uk', 'custom')),
        category TEXT NOT NULL,
        examiner TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        superseded_by INTEGER NULL REFERENCES category_decision(id),
        restores INTEGER NULL REFERENCES category_decision(id)
      );
      CREATE INDEX category_decision_content ON category_decision(content_id);
      CREATE INDEX category_decision_current ON category_decision(content_id, category)
        WHERE superseded_by IS NULL;

      CREATE INDEX category_decision_superseded ON category_decision(superseded_by);
      -- the review grid sorts and filters a million items by these
      CREATE INDEX content_size ON content(size);
      CREATE INDEX content_type ON content(detected_type);
      CREATE INDEX image_data_gps ON image_data(content_id) WHERE json_extract(exif, '$.gps') IS NOT NULL;
      CREATE INDEX image_data_decode_error ON image_data(content_id) WHERE decode_error IS NOT NULL;
      CREATE INDEX file_instance_error ON file_instance(content_id) WHERE error IS NOT NULL;
      CREATE INDEX file_instance_exhibit_content ON file_instance(exhibit_id, content_id);

      CREATE TABLE note (
        id INTEGER PRIMARY KEY,
        content_id INTEGER NOT NULL REFERENCES content(id),
        text TEXT NOT NULL,
        examiner TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX note_content ON note(content_id);

      CREATE TABLE tag (
        content_id INTEGER NOT NULL REFERENCES content(id),
        tag TEXT NOT NULL,
        examiner TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (content_id, tag)
      );
      CREATE INDEX tag_tag ON tag(tag);

      CREATE TABLE case_setting (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value))
      );
      INSERT INTO case_setting (key, value) VALUES ('categoryScheme', '"vic-us"');
    `);
  },
};
