#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: direct-boot.sh ARCH KERNELS_DIR WORK_DIR
# The baseline without Styx: qemu's own loader boots the Debian kernel for ARCH (x86_64 or arm64)
# with the show-ima initramfs. Checks that the kernel reaches /init, that /init prints the command
# line and the measurement list, and reports the wall time a boot takes here.
set -eu
[ $# -eq 3 ] || { echo "usage: direct-boot.sh ARCH KERNELS_DIR WORK_DIR" >&2; exit 2; }
arch=$1 kernels=$2 work=$3
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need cpio gzip
e2e_kernels "$kernels"

mkdir -p "$work"
"$here/make-initramfs.sh" "$arch" "$kernels" "$work/show-ima.cpio.gz" show-ima
case $arch in
  x86_64)
    e2e_need qemu-system-x86_64
    cmdline="console=ttyS0 panic=-1 e2e-direct"
    e2e_qemu direct "$work/direct.log" qemu-system-x86_64 -machine q35 -cpu max -m 1024 -nic none \
      -kernel "$kernels/vmlinuz-amd64" -initrd "$work/show-ima.cpio.gz" -append "$cmdline"
    ;;
  arm64)
    e2e_need qemu-system-aarch64
    cmdline="console=ttyAMA0 panic=-1 e2e-direct"
    e2e_qemu direct "$work/direct.log" qemu-system-aarch64 -machine virt -cpu cortex-a57 -m 1024 \
      -kernel "$kernels/Image-arm64" -initrd "$work/show-ima.cpio.gz" -append "$cmdline"
    ;;
  *) e2e_fail "unknown ARCH $arch" ;;
esac
results=$work/direct.results
e2e_results_complete "$results"
e2e_expect "$results" "e2e-init: reached init (show-ima)" "the kernel reached init"
[ "$(e2e_between "$results" cmdline)" = "$cmdline" ] ||
  e2e_fail "init did not print the command line \"$cmdline\""
echo "e2e: ok: init printed the command line"
e2e_between "$results" ascii_runtime_measurements | head -n 1 | grep -q ' boot_aggregate $' ||
  e2e_fail "the measurement list does not start with boot_aggregate"
echo "e2e: ok: init printed the measurement list"
e2e_expect "$results" "e2e-init: powering off" "init powers off"
e2e_expect_poweroff "the kernel powered the machine off"
e2e_passed "direct-boot $arch passed"
