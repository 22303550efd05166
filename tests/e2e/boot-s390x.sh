#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: boot-s390x.sh STYX KERNELS_DIR SOURCE_DIR WORK_DIR
# Boots Debian 12's s390x kernel through a Styx image in qemu-system-s390x:
#  1. image = kernel + show-ima initramfs + the IMA list of tests/data: the purgatory verifies it
#     on the SCLP console and the kernel reaches /init;
#  2. the same image with one bit of the initrd flipped: the purgatory names the initrd segment
#     and the kernel never starts.
set -eu
[ $# -eq 4 ] || { echo "usage: boot-s390x.sh STYX KERNELS_DIR SOURCE_DIR WORK_DIR" >&2; exit 2; }
styx=$1 kernels=$2 src=$3 work=$4
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-s390x cpio gzip
e2e_kernels "$kernels"

mkdir -p "$work"

"$here/make-initramfs.sh" s390x "$kernels" "$work/show-ima.cpio.gz" show-ima
# qemu's -kernel takes the image as an ELF and starts CPU 0 at its entry (the purgatory) in
# 64-bit mode. The console is the SCLP's VT220 console, qemu's -serial on s390x (named on the
# command line: the results channel is the SCLP line-mode console, which must not get kernel
# messages). Linux on s390x
# has no IMA hand-over: the list is carried and verified, not restored.
"$styx" build --arch s390x --kernel "$kernels/vmlinuz-s390x" --initrd "$work/show-ima.cpio.gz" \
  --ima-list "$src/tests/data/ima/debian12-amd64-binary_runtime_measurements" \
  --cmdline "console=ttysclp0 panic=-1" --mem 0:1G --on-failure reset -o "$work/good.img" || e2e_fail "styx build"
e2e_segment "$work/good.img" initrd
cp "$work/good.img" "$work/bad.img"
e2e_flip_bit "$work/bad.img" "$seg_addr" 4660 3

boot() { # NAME
  e2e_qemu "$1" "$work/$1.log" qemu-system-s390x -machine s390-ccw-virtio -m 1024 \
    -kernel "$work/$1.img"
}
boot good
e2e_expect "$work/good.log" "styx: verified 3 segments" "purgatory verified the image"
e2e_results_complete "$work/good.results"
e2e_expect "$work/good.results" "e2e-init: reached init (show-ima)" "the kernel reached init"
[ "$(e2e_between "$work/good.results" cmdline)" = "console=ttysclp0 panic=-1" ] ||
  e2e_fail "the kernel did not read the command line from its parameter area"
echo "e2e: ok: the kernel read the command line from its parameter area"

boot bad
e2e_expect "$work/bad.log" "styx: FAIL segment $seg_index (initrd)" "purgatory named the initrd"
e2e_reject "$work/bad.log" "Linux version" "the kernel never started"
e2e_reject "$work/bad.results" "e2e-init" "no init ran"
e2e_passed "boot-s390x passed"
