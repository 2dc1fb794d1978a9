import type { Migration } from '../migrate.js';

/**
 * The review grid's sort keys stored on each content, with an index each, so a sort by name, path,
 * modified time, taken time or match distance walks an index instead of computing a subquery for
 * every row of the catalogue (a deep scroll in a 1M-item case took 15-109 s to settle):
 *  - sort_path, sort_name, sort_mtime: the first file instance's path text, its last segment and
 *    its modification time (the instance the grid shows);
 *  - sort_taken: EXIF dateTimeOriginal as the camera wrote it;
 *  - sort_distance: the nearest list match's distance (0 for an exact hash).
 * Triggers keep them true whoever writes the catalogue (intake of folders, disk images and archives,
 * the matcher, tests and benches writing rows directly), so no writer can leave them stale.
 */
const NAME_OF = (path: string): string => `replace(${path}, rtrim(${path}, replace(${path}, '/', '')), '')`;

const FIRST_INSTANCE_OF = (contentId: string): string =>
  `(SELECT f.path_text, ${NAME_OF('f.path_text')}, f.mtime FROM file_instance f WHERE f.content_id = ${contentId} ORDER BY f.id LIMIT 1)`;
const NEAREST_OF = (contentId: string): string => `(SELECT min(m.distance) FROM hash_match m WHERE m.content_id = ${contentId})`;
const REFRESH_FIRST_INSTANCE = (contentId: string): string =>
  `UPDATE content SET (sort_path, sort_name, sort_mtime) = ${FIRST_INSTANCE_OF(contentId)} WHERE id = ${contentId};`;
const REFRESH_DISTANCE = (contentId: string): string => `UPDATE content SET sort_distance = ${NEAREST_OF(contentId)} WHERE id = ${contentId};`;

export const sortKeys: Migration = {
  version: 14,
  name: 'indexed sort keys',
  up(db) {
    db.exec(`
      ALTER TABLE content ADD COLUMN sort_path TEXT;
      ALTER TABLE content ADD COLUMN sort_name TEXT;
      ALTER TABLE content ADD COLUMN sort_mtime TEXT;
      ALTER TABLE content ADD COLUMN sort_taken TEXT;
      ALTER TABLE content ADD COLUMN sort_distance INTEGER;

      UPDATE content SET (sort_path, sort_name, sort_mtime) = ${FIRST_INSTANCE_OF('content.id')};
      UPDATE content SET sort_taken = (SELECT json_extract(i.exif, '$.dateTimeOriginal') FROM image_data i WHERE i.content_id = content.id);
      UPDATE content SET sort_distance = ${NEAREST_OF('content.id')};

      CREATE INDEX content_sort_path ON content(sort_path);
      CREATE INDEX content_sort_name ON content(sort_name);
      CREATE INDEX content_sort_mtime ON content(sort_mtime);
      CREATE INDEX content_sort_taken ON content(sort_taken);
      CREATE INDEX content_sort_distance ON content(sort_distance);

      CREATE TRIGGER file_instance_sort_insert AFTER INSERT ON file_instance WHEN NEW.content_id IS NOT NULL
        BEGIN ${REFRESH_FIRST_INSTANCE('NEW.content_id')} END;
      CREATE TRIGGER file_instance_sort_update AFTER UPDATE OF content_id, path_text, mtime ON file_instance
        BEGIN ${REFRESH_FIRST_INSTANCE('NEW.content_id')} ${REFRESH_FIRST_INSTANCE('OLD.content_id')} END;
      CREATE TRIGGER file_instance_sort_delete AFTER DELETE ON file_instance WHEN OLD.content_id IS NOT NULL
        BEGIN ${REFRESH_FIRST_INSTANCE('OLD.content_id')} END;

      CREATE TRIGGER image_data_sort_insert AFTER INSERT ON image_data
        BEGIN UPDATE content SET sort_taken = json_extract(NEW.exif, '$.dateTimeOriginal') WHERE id = NEW.content_id; END;
      CREATE TRIGGER image_data_sort_update AFTER UPDATE OF exif, content_id ON image_data
        BEGIN
          UPDATE content SET sort_taken = NULL WHERE id = OLD.content_id;
          UPDATE content SET sort_taken = json_extract(NEW.exif, '$.dateTimeOriginal') WHERE id = NEW.content_id;
        END;
      CREATE TRIGGER image_data_sort_delete AFTER DELETE ON image_data
        BEGIN UPDATE content SET sort_taken = NULL WHERE id = OLD.content_id; END;

      CREATE TRIGGER hash_match_sort_insert AFTER INSERT ON hash_match
        BEGIN UPDATE content SET sort_distance = NEW.distance WHERE id = NEW.content_id AND (sort_distance IS NULL OR sort_distance > NEW.distance); END;
      CREATE TRIGGER hash_match_sort_update AFTER UPDATE OF distance, content_id ON hash_match
        BEGIN ${REFRESH_DISTANCE('NEW.content_id')} ${REFRESH_DISTANCE('OLD.content_id')} END;
      CREATE TRIGGER hash_match_sort_delete AFTER DELETE ON hash_match
        BEGIN ${REFRESH_DISTANCE('OLD.content_id')} END;
    `);
  },
};
