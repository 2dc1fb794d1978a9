import type { Command } from 'commander';
import { closeSync } from 'node:fs';
import { KestrelError } from '../../util/result.js';

/**
 * `kestrel vpdq FILE`: a video's vPDQ features as vpdq-hash-video writes them (or as
 * python-threatexchange's JSON signal), so that a lab can hash known material at every frame
 * (`--seconds-per-hash 0`, the default) and exchange it with tools that speak vPDQ.
 */
export function registerVpdq(program: Command): void {
  program
    .command('vpdq')
    .description('vPDQ frame hashes of a video: frame,quality,pdqhex,timestamp lines (vpdq-hash-video), or --json for the python-threatexchange signal')
    .argument('<FILE>')
    .option('--seconds-per-hash <S>', 'seconds between hashed frames; 0 hashes every frame (for known material)', '0')
    .option('--json', "python-threatexchange's JSON signal form instead of text lines")
    .action(async (file: string, flags: { secondsPerHash: string; json?: boolean }) => {
      const secondsPerHash = Number(flags.secondsPerHash);
      if (!Number.isFinite(secondsPerHash) || secondsPerHash < 0) throw new KestrelError(`--seconds-per-hash: ${flags.secondsPerHash} is not a number of seconds >= 0`, 'E_USAGE');
      const { openEvidence } = await import('../../intake/openEvidence.js');
      const { analyseVideo } = await import('../../video/analyse.js');
      const { VIDEO_HELPER_MISSING, VideoHelper, videoHelperPath } = await import('../../video/videoHelper.js');
      if (!videoHelperPath()) throw new KestrelError(VIDEO_HELPER_MISSING, 'E_VIDEO');
      const { formatVpdqJson, formatVpdqText } = await import('../../video/vpdqFiles.js');
      const path = Buffer.from(file);
      let fd: number;
      try {
        fd = openEvidence(path);
      } catch (err) {
        throw new KestrelError(`${file}: cannot open: ${(err as Error).message}`, 'E_READ');
      }
      const helper = new VideoHelper();
      try {
        const a = await analyseVideo(helper, { fd, path }, secondsPerHash);
        if (a.decodeError) throw new KestrelError(`${file}: ${a.decodeError}`, 'E_VIDEO');
        process.stdout.write(flags.json ? `${formatVpdqJson(a.features)}\n` : formatVpdqText(a.features));
      } finally {
        await helper.close();
        closeSync(fd);
      }
    });
}
