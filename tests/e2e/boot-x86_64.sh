#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: boot-x86_64.sh STYX KERNELS_DIR SOURCE_DIR SHIM WORK_DIR
# Boots the Debian amd64 kernel (fetch-kernels.sh) through a Styx image in qemu-system-x86_64:
#  1. image = kernel + show-ima initramfs + the captured IMA list (tests/data/ima): the purgatory
#     verifies it, the kernel reaches /init, and the kernel's ascii_runtime_measurements starts
#     with every carried record exactly as `styx ima show LIST` prints them, then its own
#     boot_aggregate;
#  2. the same image with one bit of the initrd flipped: the purgatory names the initrd segment
#     and the kernel never starts.
set -eu
[ $# -eq 5 ] || { echo "usage: boot-x86_64.sh STYX KERNELS_DIR SOURCE_DIR SHIM WORK_DIR" >&2; exit 2; }
styx=$1 kernels=$2 src=$3 shim=$4 work=$5
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-x86_64 readelf cpio gzip

list=$src/tests/data/ima/debian12-amd64-binary_runtime_measurements
e2e_kernels "$kernels"

mkdir -p "$work"
"$here/make-initramfs.sh" x86_64 "$kernels" "$work/show-ima.cpio.gz" show-ima
# RAM as SeaBIOS reports it, less its top 1 MiB (its tables; see README.md). Styx places nothing
# below 1 MiB, so the shim and qemu's multiboot data there stay clear of the image.
"$styx" build --arch x86_64 --kernel "$kernels/vmlinuz-amd64" --initrd "$work/show-ima.cpio.gz" \
  --cmdline "console=ttyS0 earlyprintk=serial panic=-1" --ima-list "$list" \
  --mem 0x0:0x9f000 --mem 0x100000:0x3fe00000 --on-failure reset -o "$work/good.img" ||
  e2e_fail "styx build"
"$styx" ima show "$list" >"$work/carried" || e2e_fail "styx ima show $list"
e2e_segment "$work/good.img" initrd
cp "$work/good.img" "$work/bad.img"
e2e_flip_bit "$work/bad.img" "$seg_addr" 4660 3

e2e_qemu_x86_64 good "$work/good.log" "$shim" "$work/good.img"
e2e_expect "$work/good.log" "styx: verified" "purgatory verified the image"
e2e_results_complete "$work/good.results"
e2e_expect "$work/good.results" "e2e-init: reached init (show-ima)" "the kernel reached init"
e2e_expect_carried_first "$work/good.results" "$work/carried" "$work"

e2e_qemu_x86_64 bad "$work/bad.log" "$shim" "$work/bad.img"
e2e_expect "$work/bad.log" "styx: FAIL segment $seg_index (initrd)" "purgatory named the initrd"
e2e_reject "$work/bad.log" "Linux version" "the kernel never started"
e2e_reject "$work/bad.results" "e2e-init" "no init ran"
e2e_passed "boot-x86_64 passed"
