#!/bin/sh
# Usage: boot-arm64.sh STYX KERNELS_DIR SOURCE_DIR WORK_DIR
# Boots the Debian arm64 kernel (fetch-kernels.sh) through a Styx image in qemu-system-aarch64:
#  1. image = kernel + show-ima initramfs + qemu's own virt DTB + the captured IMA list: the
#     purgatory verifies it and the kernel reaches /init (Debian's arm64 kernel has no
#     CONFIG_KEXEC_FILE, so it does not restore the list);
#  2. the same image with one bit of the initrd flipped: the purgatory names the initrd segment
#     and the kernel never starts.
set -eu
[ $# -eq 4 ] || { echo "usage: boot-arm64.sh STYX KERNELS_DIR SOURCE_DIR WORK_DIR" >&2; exit 2; }
styx=$1 kernels=$2 src=$3 work=$4
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-aarch64 readelf cpio gzip

list=$src/tests/data/ima/debian12-amd64-binary_runtime_measurements
e2e_kernels "$kernels"

mkdir -p "$work"
"$here/make-initramfs.sh" arm64 "$kernels" "$work/show-ima.cpio.gz" show-ima
# The DTB of the very machine that boots the image (same -cpu and -m).
qemu-system-aarch64 -machine "virt,dumpdtb=$work/virt.dtb" -cpu cortex-a57 -m 1024 -display none \
  >"$work/dumpdtb.log" 2>&1 || { cat "$work/dumpdtb.log"; e2e_fail "qemu could not dump the DTB"; }
# qemu's virt machine keeps its own copy of the DTB in the first MiB of RAM when it starts
# without -kernel, so the image's placement starts above it.
"$styx" build --arch arm64 --kernel "$kernels/Image-arm64" --initrd "$work/show-ima.cpio.gz" \
  --dtb "$work/virt.dtb" --cmdline "console=ttyAMA0 earlycon panic=-1" --ima-list "$list" \
  --mem 0x40200000:0x3fe00000 --on-failure reset -o "$work/good.img" || e2e_fail "styx build"
e2e_segment "$work/good.img" initrd
cp "$work/good.img" "$work/bad.img"
e2e_flip_bit "$work/bad.img" "$seg_addr" 4660 3

e2e_qemu_arm64 good "$work/good.log" "$work/good.img"
e2e_expect "$work/good.log" "styx: verified" "purgatory verified the image"
e2e_results_complete "$work/good.results"
e2e_expect "$work/good.results" "e2e-init: reached init (show-ima)" "the kernel reached init"
e2e_expect "$work/good.results" "----- e2e: end ascii_runtime_measurements -----" "init listed the measurements"

e2e_qemu_arm64 bad "$work/bad.log" "$work/bad.img"
e2e_expect "$work/bad.log" "styx: FAIL segment $seg_index (initrd)" "purgatory named the initrd"
e2e_reject "$work/bad.log" "Linux version" "the kernel never started"
e2e_reject "$work/bad.results" "e2e-init" "no init ran"
e2e_passed "boot-arm64 passed"
