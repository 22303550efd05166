#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: boot-riscv64.sh STYX KERNELS_DIR SOURCE_DIR WORK_DIR
# Boots Debian trixie's riscv64 kernel through a Styx image in qemu-system-riscv64 under OpenSBI:
#  1. image = kernel + show-ima initramfs + qemu's own virt DTB: the purgatory verifies it and the
#     kernel reaches /init;
#  2. the same image with one bit of the initrd flipped: the purgatory names the initrd segment
#     and the kernel never starts.
# riscv64 is not a Debian 12 architecture: fetch-kernels.sh takes the kernel and busybox from trixie.
set -eu
[ $# -eq 4 ] || { echo "usage: boot-riscv64.sh STYX KERNELS_DIR SOURCE_DIR WORK_DIR" >&2; exit 2; }
styx=$1 kernels=$2 src=$3 work=$4
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-riscv64 readelf cpio gzip
[ -f /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin ] ||
  [ -f /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin ] ||
  e2e_skip "no OpenSBI (Debian package opensbi)"
e2e_kernels "$kernels"

mkdir -p "$work"

"$here/make-initramfs.sh" riscv64 "$kernels" "$work/show-ima.cpio.gz" show-ima
qemu-system-riscv64 -machine "virt,dumpdtb=$work/virt.dtb" -m 1024 -display none \
  >"$work/dumpdtb.log" 2>&1 || { cat "$work/dumpdtb.log"; e2e_fail "qemu could not dump the DTB"; }
# qemu starts a -kernel ELF at its lowest address after OpenSBI (fw_dynamic): the purgatory goes
# at 0x80200000 in a RAM range of its own, so the kernel is placed above it. The dumped tree has
# no reservation for OpenSBI: Styx adds one. RAM ends below qemu's own copy of the tree.
"$styx" build --arch riscv64 --kernel "$kernels/Image-riscv64" --initrd "$work/show-ima.cpio.gz" \
  --dtb "$work/virt.dtb" --cmdline "console=ttyS0 earlycon=sbi panic=-1" \
  --mem 0x80200000:0x200000 --mem 0x80400000:0x3f800000 --purgatory-addr 0x80200000 \
  --on-failure reset -o "$work/good.img" || e2e_fail "styx build"
e2e_segment "$work/good.img" initrd
cp "$work/good.img" "$work/bad.img"
e2e_flip_bit "$work/bad.img" "$seg_addr" 4660 3

boot() { # NAME
  e2e_qemu "$1" "$work/$1.log" qemu-system-riscv64 -machine virt -m 1024 -bios default \
    -kernel "$work/$1.img"
}
boot good
e2e_expect "$work/good.log" "styx: verified" "purgatory verified the image"
e2e_results_complete "$work/good.results"
e2e_expect "$work/good.results" "e2e-init: reached init (show-ima)" "the kernel reached init"

boot bad
e2e_expect "$work/bad.log" "styx: FAIL segment $seg_index (initrd)" "purgatory named the initrd"
e2e_reject "$work/bad.log" "Linux version" "the kernel never started"
e2e_reject "$work/bad.results" "e2e-init" "no init ran"
e2e_passed "boot-riscv64 passed"
