#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: kexec-arm64.sh SOURCE_DIR NATIVE_BUILD_DIR KERNELS_DIR CACHE_DIR WORK_DIR
# A real kexec with Styx on a running arm64 system, as kexec-x86_64.sh does on x86_64: styx-static
# is cross-built for aarch64 (cross-styx.sh, with the native build's purgatories), and qemu boots
# the small arm64 kernel of arm64-kernel/ (KEXEC, KEXEC_FILE, IMA_KEXEC; built and cached on
# first use) with an initramfs whose /init measures files, runs `styx load --kernel ... --initrd
# ... --reuse-cmdline` (the device tree, console and RAM come from the running system), measures
# more and `styx exec`s into the same kernel with the show-ima initramfs. Checks: the binary is a
# static aarch64 executable; then e2e_expect_kexec (lib.sh), and that the purgatory kexec entered
# hashed with its identity map and caches on.
set -eu
[ $# -eq 5 ] || {
  echo "usage: kexec-arm64.sh SOURCE_DIR NATIVE_BUILD_DIR KERNELS_DIR CACHE_DIR WORK_DIR" >&2
  exit 2
}
src=$1 native=$2 kernels=$3 cache=$4 work=$5
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-aarch64 aarch64-linux-gnu-g++ readelf cpio gzip
e2e_kernels "$kernels"

mkdir -p "$work"
# One cross build for every arm64 test, beside their work directories.
styx=$("$here/cross-styx.sh" arm64 "$src" "$native" "$cache" "${work%/*}/styx-arm64") ||
  e2e_fail "could not cross-build styx-static for arm64"
readelf -h "$styx" | grep -q 'Machine: *AArch64' || e2e_fail "$styx is not an AArch64 executable"
if readelf -lW "$styx" | grep -q 'INTERP'; then e2e_fail "$styx is not statically linked"; fi
echo "e2e: ok: $styx is a static AArch64 executable of $(wc -c <"$styx") bytes"
if command -v qemu-aarch64 >/dev/null; then
  qemu-aarch64 "$styx" --version || e2e_fail "$styx --version failed under qemu-aarch64"
fi

e2e_arm64_ima_kernel "$cache"
e2e_kexec_initramfs arm64 "$kernels" "$styx" "$kernel" "$work"

e2e_qemu kexec "$work/kexec.log" qemu-system-aarch64 -machine virt -cpu cortex-a57 -m 1024 \
  -kernel "$kernel" -initrd "$work/kexec.cpio.gz" -append "console=ttyAMA0 panic=-1"
e2e_expect_kexec "$work/kexec.log" "$work"
e2e_expect "$work/kexec.log" "styx: mmu: on for hashing at EL1" "the purgatory hashed with the MMU on"
e2e_passed "kexec-arm64 passed"
