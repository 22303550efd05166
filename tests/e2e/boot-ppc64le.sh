#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: boot-ppc64le.sh STYX KERNELS_DIR SOURCE_DIR PSERIES_ENTRY PSERIES_RTAS WORK_DIR
# Boots Debian 12's ppc64el kernel (an ELF vmlinux) through a Styx image in qemu-system-ppc64
# -machine pseries, without SLOF:
#  1. image = vmlinux + show-ima initramfs + qemu's own pseries DTB: the purgatory verifies it and
#     the kernel reaches /init;
#  2. the same image with one bit of the initrd flipped: the purgatory names the initrd segment
#     and the kernel never starts.
# PSERIES_ENTRY (the -bios) enters the image's purgatory in little-endian real mode as kexec
# leaves a pseries guest; PSERIES_RTAS is the RTAS instance SLOF would have put in memory, named
# in the tree's /rtas so the kernel can power off.
set -eu
[ $# -eq 6 ] || {
  echo "usage: boot-ppc64le.sh STYX KERNELS_DIR SOURCE_DIR PSERIES_ENTRY PSERIES_RTAS WORK_DIR" >&2
  exit 2
}
styx=$1 kernels=$2 src=$3 entry_shim=$4 rtas_blob=$5 work=$6
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-ppc64 readelf cpio gzip fdtput dd
e2e_kernels "$kernels"

mkdir -p "$work"

"$here/make-initramfs.sh" ppc64le "$kernels" "$work/show-ima.cpio.gz" show-ima
# The tree of the machine the image boots on, results channel (a second vty) included.
# shellcheck disable=SC2046
qemu-system-ppc64 -machine "pseries,dumpdtb=$work/pseries.dtb" -m 1024 -display none \
  $(e2e_results_args qemu-system-ppc64 "$work/dumpdtb.results") >"$work/dumpdtb.log" 2>&1 || { cat "$work/dumpdtb.log"; e2e_fail "qemu could not dump the DTB"; }
# SLOF would instantiate RTAS and name it in /rtas; without SLOF, the blob goes where the tree says.
rtas=0x3fd00000
fdtput -t x "$work/pseries.dtb" /rtas linux,rtas-base $rtas
fdtput -t x "$work/pseries.dtb" /rtas linux,rtas-entry $rtas
# qemu writes its own tree below 1 GiB at every reset (at most 2 MiB): RAM for the image ends
# there. The kernel's tree keeps all 1 GiB; Styx keeps RTAS out of the way and reserves it.
"$styx" build --arch ppc64le --kernel "$kernels/vmlinux-ppc64le" --initrd "$work/show-ima.cpio.gz" \
  --dtb "$work/pseries.dtb" --cmdline "console=hvc0 panic=-1" --mem 0:0x3fe00000 \
  --on-failure reset -o "$work/good.img" || e2e_fail "styx build"
e2e_segment "$work/good.img" initrd
cp "$work/good.img" "$work/bad.img"
e2e_flip_bit "$work/bad.img" "$seg_addr" 4660 3

# qemu's generic loader takes ELF files in the target's (big-endian) byte order only: each
# PT_LOAD of the little-endian image is loaded raw at its address.
boot() { # NAME
  loaders=""
  i=0
  while read -r off addr size; do
    dd if="$work/$1.img" of="$work/$1.load$i" bs=1M iflag=skip_bytes,count_bytes \
      skip=$((off)) count=$((size)) status=none
    loaders="$loaders -device loader,file=$work/$1.load$i,addr=$addr,force-raw=on"
    i=$((i + 1))
  done <<EOT
$(readelf -lW "$work/$1.img" | awk '$1 == "LOAD" { print $2, $4, $5 }')
EOT
  # shellcheck disable=SC2086
  e2e_qemu "$1" "$work/$1.log" qemu-system-ppc64 -machine pseries -m 1024 -bios "$entry_shim" \
    $loaders -device "loader,file=$rtas_blob,addr=$rtas,force-raw=on" \
    -device "loader,addr=0x1000,data=$(e2e_elf_entry "$work/$1.img"),data-len=8,data-be=on"
  rm -f "$work/$1".load*
}
boot good
e2e_expect "$work/good.log" "styx: verified" "purgatory verified the image"
e2e_results_complete "$work/good.results"
e2e_expect "$work/good.results" "e2e-init: reached init (show-ima)" "the kernel reached init"
e2e_expect_poweroff "the kernel powered off through RTAS"

boot bad
e2e_expect "$work/bad.log" "styx: FAIL segment $seg_index (initrd)" "purgatory named the initrd"
e2e_reject "$work/bad.log" "Linux version" "the kernel never started"
e2e_reject "$work/bad.results" "e2e-init" "no init ran"
e2e_passed "boot-ppc64le passed"
