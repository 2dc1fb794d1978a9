import type { Migration } from '../../catalog/migrate.js';
import { libraryInitial } from './0001_library.js';
import { libraryLab } from './0002_lab.js';
import { libraryVideo } from './0003_video.js';

/** Hash library migrations, in order. Add new ones at the end; never edit a released one. */
export const libraryMigrations: readonly Migration[] = [libraryInitial, libraryLab, libraryVideo];
