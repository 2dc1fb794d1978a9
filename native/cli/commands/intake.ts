import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { openCase } from '../../catalog/case.js';
import { runIntake, type IntakeProgress, type IntakeSummary } from '../../intake/intake.js';
import { formatBytes, printJsonLine } from '../output.js';

interface IntakeFlags { exhibit: string; description?: string; json?: boolean; examiner?: string; fsType?: string; fileSlack?: boolean }

export function registerIntake(program: Command): void {
  program
    .command('intake')
    .description('catalogue every entry of SOURCE (a folder, a disk image or a device) read-only into the case')
    .argument('<CASE_DIR>')
    .argument('<SOURCE>')
    .requiredOption('--exhibit <ID>', 'exhibit reference, e.g. the seal number of the seized item')
    .option('--description <TEXT>', 'what the exhibit is')
    .option('--examiner <NAME>', 'who runs the intake (defaults to the case examiner)')
    .option('--fs-type <TYPE>', 'disk images: read the file system as this type (ntfs, fat, exfat, ext4, hfs, apfs, iso9660...) instead of detecting it')
    .option('--file-slack', "disk images: also catalogue each allocated file's slack (its last cluster past the content) as an entry NAME (file slack), hashed and matched")
    .option('--json', 'print progress and the summary as JSON lines instead of a progress bar')
    .action(async (dir: string, source: string, flags: IntakeFlags) => {
      const c = openCase(dir);
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const view = flags.json ? jsonView() : process.stderr.isTTY ? barView() : quietView();
      try {
        const summary = await runIntake(c, source, {
          exhibit: flags.exhibit,
          description: flags.description,
          examiner: flags.examiner ?? c.info.examiner,
          signal: abort.signal,
          onProgress: view.progress,
          fsType: flags.fsType,
          fileSlack: flags.fileSlack,
        });
        view.finish(summary);
        const verification = summary.image?.verification;
        if (verification && verification !== 'verified') {
          const loud = verification === 'mismatch' ? 'WARNING: E01 VERIFICATION FAILED' : 'warning: E01 not verified';
          process.stderr.write(`kestrel: ${loud} (${verification}): ${summary.image?.verificationMessage ?? ''}\n`);
        }
        if (summary.errors > 0) process.stderr.write(`kestrel: ${summary.errors} entries could not be read; see the catalogue errors\n`);
      } finally {
        view.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        c.close();
      }
    });
}

interface View {
  progress(p: IntakeProgress): void;
  finish(s: IntakeSummary): void;
  stop(): void;
}

function jsonView(): View {
  return {
    progress: (p) => printJsonLine({ progress: p }),
    // Peak memory of the whole process, reader threads included: the figure memory goals are judged by.
    finish: (s) => printJsonLine({ summary: { ...s, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) } }),
    stop: () => undefined,
  };
}

function humanSummary(s: IntakeSummary): string {
  return [
    `exhibit ${s.exhibit}: ${s.entries} entries (${s.files} files, ${s.directories} folders, ${s.symlinks} links, ${s.otherEntries} other)`,
    `${formatBytes(s.bytes)} in files, ${s.uniqueContent} unique contents, ${s.errors} errors, ${s.typeMismatches} type/extension mismatches`,
    ...(s.image ? [
      `image: ${s.image.format}, ${s.image.segments} segment(s), verification: ${s.image.verification ?? 'n/a (no stored hashes in this format)'}${s.image.verificationMessage ? ` (${s.image.verificationMessage})` : ''}`,
      `volumes: ${s.image.volumes.join('; ')}`,
      `${s.image.deleted} deleted, ${s.image.orphans} orphan, ${s.image.altStreams} alternate streams, ${s.image.contentUnverified} with content not verified`,
    ] : []),
    `read ${s.filesReadThisRun} files, ${formatBytes(s.bytesReadThisRun)} in ${(s.durationMs / 1000).toFixed(1)} s: ${s.mbPerSec} MB/s, ${s.filesPerSec} files/s${s.resumed ? ' (resumed)' : ''}`,
  ].join('\n') + '\n';
}

function quietView(): View {
  return { progress: () => undefined, finish: (s) => process.stdout.write(humanSummary(s)), stop: () => undefined };
}

function barView(): View {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{phase} [{bar}] {percentage}% | {files} | {rate} | {errors} errors | ETA {etaText}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    progress(p) {
      const payload = {
        phase: p.phase === 'listing' ? 'listing' : 'reading',
        files: p.phase === 'listing' ? `${p.entries} entries` : `${p.filesDone}/${p.filesTotal} files`,
        rate: `${(p.bytesPerSec / 1e6).toFixed(1)} MB/s`,
        errors: p.errors,
        etaText: p.etaMs === null ? '-' : `${Math.ceil(p.etaMs / 1000)} s`,
      };
      const total = Math.max(p.bytesTotal, 1);
      if (!started) {
        bar.start(total, 0, payload);
        started = true;
      }
      bar.setTotal(total);
      bar.update(p.phase === 'listing' ? 0 : p.bytesDone, payload);
    },
    finish(s) {
      bar.stop();
      process.stdout.write(humanSummary(s));
    },
    stop: () => bar.stop(),
  };
}
