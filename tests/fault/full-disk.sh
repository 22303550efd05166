#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: full-disk.sh STYX WORKDIR
# `styx build -o` onto a filesystem that fills up: a 1 MiB tmpfs too small for the image, and one
# already full. Each must exit non-zero with one line naming the output file, and leave no
# partial or temporary file behind (an image it would have replaced stays as it was). The
# control: a small image into the same tmpfs is written. Needs root for the mounts, which live in
# a private mount namespace (unshare -m) and vanish with it.
set -u
styx=$1
work=$2
if [ "${FULL_DISK_INSIDE:-}" != 1 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
    echo "full-disk: skipped: needs root and unshare to mount a tmpfs"
    exit 77
  fi
  rm -rf "$work" && mkdir -p "$work/small" "$work/full" || exit 1
  FULL_DISK_INSIDE=1 exec unshare -m sh "$0" "$@"
fi

failures=0
fail() {
  echo "full-disk: FAIL: $*"
  failures=$((failures + 1))
}
mount -t tmpfs -o size=1m styx-small "$work/small" || exit 1
mount -t tmpfs -o size=1m styx-full "$work/full" || exit 1
head -c 2097152 /dev/urandom >"$work/big-kernel"
head -c 8192 /dev/urandom >"$work/kernel"
build() { # build KERNEL OUTPUT: a one-segment x86_64 image
  "$styx" build --arch x86_64 --segment "kernel=$1@0x1000000" --entry 0x1000000 \
    --mem 0x100000:0x3ff00000 -o "$2" >"$work/out" 2>"$work/err"
}
# expect_refused OUTPUT DIR ENTRIES: non-zero, one line naming OUTPUT, DIR holds only ENTRIES.
expect_refused() {
  rc=$1
  output=$2
  dir=$3
  shift 3
  [ "$rc" -ne 0 ] || fail "$output: exit 0 on a full filesystem"
  [ "$(wc -l <"$work/err")" -eq 1 ] || fail "$output: not one line of error: $(cat "$work/err")"
  grep -qF "$output" "$work/err" || fail "$output: the error does not name it: $(cat "$work/err")"
  grep -q "No space left on device" "$work/err" ||
    fail "$output: the error does not say the disk is full: $(cat "$work/err")"
  left=$(ls -A "$dir" | tr '\n' ' ' | sed 's/ $//')
  [ "$left" = "$*" ] || fail "$dir: holds '$left', expected '$*'"
  echo "full-disk: $output: refused: $(cat "$work/err")"
}

# 1. The image does not fit: nothing is left behind.
build "$work/big-kernel" "$work/small/image"
expect_refused $? "$work/small/image" "$work/small"

# 2. A directory already full, holding an image the build would replace: it stays as it was.
build "$work/kernel" "$work/full/image" || fail "$work/full/image: the first image: $(cat "$work/err")"
cp "$work/full/image" "$work/old-image"
head -c 2097152 /dev/zero >"$work/full/filler" 2>/dev/null
[ "$(df -k "$work/full" | awk 'NR == 2 { print $4 }')" -eq 0 ] || fail "$work/full: not full"
head -c 4096 /dev/urandom >>"$work/kernel"
build "$work/kernel" "$work/full/image"
expect_refused $? "$work/full/image" "$work/full" filler image
cmp -s "$work/full/image" "$work/old-image" || fail "$work/full/image: changed by a failed build"

# Control: the same small image fits the empty tmpfs, so the refusals above were the disk's.
build "$work/kernel" "$work/small/image" || fail "control: $(cat "$work/err")"
[ -s "$work/small/image" ] || fail "control: $work/small/image: not written"
[ "$(ls -A "$work/small")" = image ] || fail "control: $work/small: $(ls -A "$work/small")"

[ "$failures" -eq 0 ] || exit 1
echo "full-disk: passed"
