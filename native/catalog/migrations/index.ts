import type { Migration } from '../migrate.js';
import { initial } from './0001_initial.js';
import { imageData } from './0002_image_data.js';
import { matching } from './0003_matching.js';
import { review } from './0004_review.js';
import { diskImages } from './0005_disk_images.js';
import { lab } from './0006_lab.js';
import { groupRepresentative } from './0007_group_representative.js';
import { archives } from './0008_archives.js';
import { video } from './0009_video.js';
import { reviewActions } from './0010_review_actions.js';
import { videoMatch } from './0011_video_match.js';
import { pdqExtras } from './0012_pdq_extras.js';
import { matchCarried } from './0013_match_carried.js';
import { sortKeys } from './0014_sort_keys.js';
import { groupExtraThreshold } from './0015_group_extra_threshold.js';
import { fileSlack } from './0016_file_slack.js';

/** Case catalogue migrations, in order. Add new ones at the end; never edit a released one. */
export const caseMigrations: readonly Migration[] = [initial, imageData, matching, review, diskImages, lab, groupRepresentative, archives, video, reviewActions, videoMatch, pdqExtras, matchCarried, sortKeys, groupExtraThreshold, fileSlack];
