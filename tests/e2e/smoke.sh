#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: smoke.sh ARCH STYX KERNEL_BIN WORK_DIR [SHIM]
# Boots a generic-mode Styx image in qemu (TCG): a stand-in kernel (tests/e2e/smoke/kernel-ARCH.S,
# raw) plus 1 MiB of data. Checks that the purgatory verifies both segments and starts the kernel
# with the boot register it was given; then flips one bit of the data in a copy of the image and
# checks that the purgatory names segment 1 and the kernel never starts. x86_64 needs the shim;
# riscv64 runs the purgatory in S-mode under OpenSBI, as kexec would.
set -eu
[ $# -ge 4 ] || { echo "usage: smoke.sh ARCH STYX KERNEL_BIN WORK_DIR [SHIM]" >&2; exit 2; }
arch=$1 styx=$2 kernel=$3 work=$4 shim=${5:-}
. "$(dirname "$0")/lib.sh"

case $arch in
  x86_64)
    e2e_need qemu-system-x86_64 readelf
    [ -n "$shim" ] || e2e_fail "x86_64 needs the shim"
    mem=0x100000:0x3fe00000 kaddr=0x1000000 daddr=0x2000000 reg=rsi bootarg=0x3000000
    ;;
  arm64)
    e2e_need qemu-system-aarch64 readelf
    mem=0x40000000:0x40000000 kaddr=0x40200000 daddr=0x41000000 reg=x0 bootarg=0x48000000
    ;;
  riscv64)
    e2e_need qemu-system-riscv64 readelf
    [ -f "$E2E_OPENSBI_JUMP" ] || e2e_skip "no $E2E_OPENSBI_JUMP (Debian package opensbi)"
    # OpenSBI's fw_jump enters the next stage at 0x80200000 in S-mode: the purgatory goes there,
    # and RAM starts above OpenSBI's own 512 KiB.
    mem=0x80200000:0x3fe00000 kaddr=0x80400000 daddr=0x81000000 reg=a1 bootarg=0x88000000
    extra="--purgatory-addr 0x80200000"
    ;;
  *) e2e_fail "unknown ARCH $arch" ;;
esac

mkdir -p "$work"
head -c 1048576 /dev/urandom >"$work/data.bin"
"$styx" build --arch "$arch" --segment "kernel=$kernel@$kaddr" --segment "data=$work/data.bin@$daddr" \
  --entry "$kaddr" --boot-arg "$reg=$bootarg" --mem "$mem" --on-failure reset ${extra:-} \
  -o "$work/good.img" || e2e_fail "styx build"
cp "$work/good.img" "$work/bad.img"
e2e_flip_bit "$work/bad.img" "$daddr" 4660 3

boot() { # NAME
  if [ "$arch" = x86_64 ]; then
    e2e_qemu_x86_64 "$1" "$work/$1.log" "$shim" "$work/$1.img" \
      -device isa-debug-exit,iobase=0xf4,iosize=0x04
  elif [ "$arch" = riscv64 ]; then
    e2e_qemu_riscv64 "$1" "$work/$1.log" "$work/$1.img"
  else
    e2e_qemu_arm64 "$1" "$work/$1.log" "$work/$1.img"
  fi
}

boot good
[ "$arch" != x86_64 ] || e2e_expect "$work/good.log" "e2e-shim: long mode, jumping to" "shim reached long mode"
e2e_expect "$work/good.log" "styx: verified 2 segments" "purgatory verified the image"
e2e_expect "$work/good.log" "e2e-kernel: started, $reg=$(printf '0x%016x' "$bootarg")" \
  "kernel started with $reg=$bootarg"

boot bad
e2e_expect "$work/bad.log" "styx: FAIL segment 1 (data)" "purgatory named the flipped segment"
e2e_reject "$work/bad.log" "e2e-kernel: started" "kernel not started after a failure"
e2e_passed "smoke $arch passed"
