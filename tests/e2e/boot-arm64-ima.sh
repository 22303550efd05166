#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: boot-arm64-ima.sh STYX KERNELS_DIR CACHE_DIR SOURCE_DIR WORK_DIR
# Carries the captured IMA list into an arm64 kernel that restores device-tree hand-overs (the
# small kernel of arm64-kernel/, built and cached on first use): the kernel must list every
# carried record, exactly as `styx ima show` prints them, ahead of its own boot_aggregate.
set -eu
[ $# -eq 5 ] || {
  echo "usage: boot-arm64-ima.sh STYX KERNELS_DIR CACHE_DIR SOURCE_DIR WORK_DIR" >&2
  exit 2
}
styx=$1 kernels=$2 cache=$3 src=$4 work=$5
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-aarch64 readelf cpio gzip

list=$src/tests/data/ima/debian12-amd64-binary_runtime_measurements
e2e_kernels "$kernels"
e2e_arm64_ima_kernel "$cache"

mkdir -p "$work"
"$here/make-initramfs.sh" arm64 "$kernels" "$work/show-ima.cpio.gz" show-ima
qemu-system-aarch64 -machine "virt,dumpdtb=$work/virt.dtb" -cpu cortex-a57 -m 1024 -display none \
  >"$work/dumpdtb.log" 2>&1 || { cat "$work/dumpdtb.log"; e2e_fail "qemu could not dump the DTB"; }
# Placement starts above the first MiB, where qemu keeps its own copy of the DTB.
"$styx" build --arch arm64 --kernel "$kernel" --initrd "$work/show-ima.cpio.gz" \
  --dtb "$work/virt.dtb" --cmdline "console=ttyAMA0 earlycon panic=-1" --ima-list "$list" \
  --mem 0x40200000:0x3fe00000 --on-failure reset -o "$work/good.img" || e2e_fail "styx build"
"$styx" ima show "$list" >"$work/carried" || e2e_fail "styx ima show $list"

e2e_qemu_arm64 good "$work/good.log" "$work/good.img"
e2e_expect "$work/good.log" "styx: verified" "purgatory verified the image"
e2e_results_complete "$work/good.results"
e2e_expect "$work/good.results" "e2e-init: reached init (show-ima)" "the kernel reached init"
e2e_expect_carried_first "$work/good.results" "$work/carried" "$work"
e2e_passed "boot-arm64-ima passed"
