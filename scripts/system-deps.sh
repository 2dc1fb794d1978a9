#!/usr/bin/env bash
# THE list of Debian packages Kestrel's build, tests and benches need. `npm test` runs this first
# (the `pretest` script) and `.ci/run` runs it before `npm ci`, so a fresh Debian machine gets the
# same tools as CI. As root it installs whatever is missing with apt-get; otherwise it prints the one
# apt-get line to run and fails, so a missing tool is never discovered halfway through the suite.
# `--check` only reports (never installs); `--list` prints every package name (to fetch them for an
# air-gapped machine).
#
# To add a package: add one line to PACKAGES below, "<debian package> <present when>", where
# <present when> is `cmd:NAME` (a program on PATH) or `file:/ABSOLUTE/PATH` (use this for -dev
# packages: a header file they install, e.g. `libtsk-dev file:/usr/include/tsk/libtsk.h`).
# Keep one package per line and a comment saying which tests or benches use it. Also name it in
# the README's test line.
set -euo pipefail

PACKAGES='
python3        cmd:python3     # node-gyp: better-sqlite3 without a prebuilt binary, native/fsnoatime
make           cmd:make        # node-gyp
g++            cmd:g++         # node-gyp
chromium       cmd:chromium    # test/e2e: the review UI end to end
hashdeep       cmd:hashdeep    # bench/intake.ts: baseline; test/native/hashsets/toolOutputs.test.ts makes hashdeep/md5deep lists
p7zip-full     cmd:7z          # test/native/export: opens the encrypted media zip
poppler-utils  cmd:pdftotext   # test/native/export: reads the PDF report as a reader would
tmux           cmd:tmux        # test/native/export/prompt.test.ts: a real terminal for the passphrase prompt
libtsk-dev     file:/usr/include/tsk/libtsk.h  # native/tsk: the Sleuth Kit helper is built against it (disk-image intake)
libewf-dev     file:/usr/include/libewf.h      # libtsk reads E01 through libewf
sleuthkit      cmd:fls         # test/native/disk: the TSK command-line tools as a cross-check
ewf-tools      cmd:ewfverify   # native/disk/ewf.ts: E01 acquisition-hash verification and case metadata
ntfs-3g        cmd:mkntfs      # test/native/disk: builds NTFS images in the tests (mkntfs, ntfscp; ntfs-3g mounts through /dev/fuse to delete pictures)
e2fsprogs      cmd:mke2fs      # test/native/disk: builds an ext4 image with mke2fs -d
unzip          cmd:unzip       # test/native/disk: unpacks the DFTT images to a temporary folder
libjpeg-dev    file:/usr/include/jpeglib.h  # test/native/hashing/pdqConformance: builds the Meta C++ PDQ hasher (../shared/tools/pdq-cpp)
libpng-dev     file:/usr/include/png.h      # the same
imagemagick    file:/usr/bin/convert-im6.q16  # (not cmd:convert: some machines have a stand-in convert on PATH without ImageMagick) test/native/hashing/pdqConformance: BMP and HEIC files, the reader of the reference for WebP, GIF, TIFF; bench/accuracy.ts variants
postgresql     cmd:pg_ctlcluster  # test/native/lab: the PostgreSQL engine of the lab library (test/helpers/postgres.ts runs initdb/pg_ctl in a temp folder)
ffmpeg         cmd:ffmpeg      # test/native/video makes its test videos with it and checks the video helper against the ffmpeg pipeline; bench/video.ts baseline
pkg-config     cmd:pkg-config  # scripts/build-video.mjs finds the FFmpeg libraries with it
libavformat-dev file:/usr/include/x86_64-linux-gnu/libavformat/avformat.h  # native/video: the video helper (kestrel-video) is built against the FFmpeg libraries
libavcodec-dev  file:/usr/include/x86_64-linux-gnu/libavcodec/avcodec.h    # the same
libavfilter-dev file:/usr/include/x86_64-linux-gnu/libavfilter/avfilter.h  # the same
libswscale-dev  file:/usr/include/x86_64-linux-gnu/libswscale/swscale.h    # the same
libavutil-dev   file:/usr/include/x86_64-linux-gnu/libavutil/avutil.h      # the same
util-linux     cmd:prlimit     # test/native/export/crashWindows: a file size limit (prlimit) and a private mount namespace (unshare) for full-disk exports
'

present() {
  case "$1" in
    cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
    file:*) [ -e "${1#file:}" ] ;;
    *) echo "scripts/system-deps.sh: unknown check '$1'" >&2; exit 2 ;;
  esac
}

if [ "${1:-}" = "--list" ]; then
  while read -r pkg _; do [ -n "${pkg:-}" ] && echo "$pkg"; done <<<"$PACKAGES"
  exit 0
fi

missing=()
while read -r pkg check _; do
  [ -n "${pkg:-}" ] || continue
  present "$check" || missing+=("$pkg")
done <<<"$PACKAGES"

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${1:-}" != "--check" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "kestrel: installing Debian packages the tests need: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  exit 0
fi

echo "kestrel: missing Debian packages; install them, then run the command again:" >&2
echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
exit 1
