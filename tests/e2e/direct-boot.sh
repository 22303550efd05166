#!/bin/sh
# Usage: direct-boot.sh ARCH CACHE_DIR WORK_DIR
# The baseline without Styx: qemu's own loader boots the Debian kernel for ARCH (x86_64 or arm64)
# with the show-ima initramfs. Checks that the kernel reaches /init, that /init prints the command
# line and the measurement list, and reports the wall time a boot takes here.
set -eu
[ $# -eq 3 ] || { echo "usage: direct-boot.sh ARCH CACHE_DIR WORK_DIR" >&2; exit 2; }
arch=$1 cache=$2 work=$3
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need cpio gzip

mkdir -p "$work"
"$here/make-initramfs.sh" "$arch" "$cache" "$work/show-ima.cpio.gz" show-ima
case $arch in
  x86_64)
    e2e_need qemu-system-x86_64
    cmdline="console=ttyS0 panic=-1 e2e-direct"
    e2e_qemu direct "$work/direct.log" qemu-system-x86_64 -machine q35 -cpu max -m 1024 -nic none \
      -kernel "$cache/vmlinuz-amd64" -initrd "$work/show-ima.cpio.gz" -append "$cmdline"
    ;;
  arm64)
    e2e_need qemu-system-aarch64
    cmdline="console=ttyAMA0 panic=-1 e2e-direct"
    e2e_qemu direct "$work/direct.log" qemu-system-aarch64 -machine virt -cpu cortex-a57 -m 1024 \
      -kernel "$cache/Image-arm64" -initrd "$work/show-ima.cpio.gz" -append "$cmdline"
    ;;
  *) e2e_fail "unknown ARCH $arch" ;;
esac
e2e_expect "$work/direct.log" "e2e-init: reached init (show-ima)" "the kernel reached init"
[ "$(e2e_between "$work/direct.log" cmdline)" = "$cmdline" ] ||
  e2e_fail "init did not print the command line \"$cmdline\""
echo "e2e: ok: init printed the command line"
e2e_between "$work/direct.log" ascii_runtime_measurements | head -n 1 | grep -q ' boot_aggregate $' ||
  e2e_fail "the measurement list does not start with boot_aggregate"
echo "e2e: ok: init printed the measurement list"
e2e_expect "$work/direct.log" "e2e-init: powering off" "init powered off"
echo "e2e: direct-boot $arch passed"
