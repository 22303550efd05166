#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: kexec-x86_64.sh STYX_STATIC KERNELS_DIR WORK_DIR
# A real kexec with Styx on a running system: qemu boots the Debian amd64 kernel (fetch-kernels.sh)
# with an initramfs whose /init loads an IMA policy, measures files, runs
# `styx load --kernel ... --initrd ... --reuse-cmdline`, measures more files, and `styx exec`s.
# Checks: the load succeeded; exec noticed the measurements taken after the load and loaded again;
# the purgatory's verification lines appear between the two kernels; the second kernel (same
# kernel, show-ima initramfs) lists every record the first had at exec time, in order, before
# its own boot_aggregate.
set -eu
[ $# -eq 3 ] || { echo "usage: kexec-x86_64.sh STYX_STATIC KERNELS_DIR WORK_DIR" >&2; exit 2; }
styx_static=$1 kernels=$2 work=$3
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-x86_64 cpio gzip
e2e_kernels "$kernels"

mkdir -p "$work"
e2e_kexec_initramfs x86_64 "$kernels" "$styx_static" "$kernels/vmlinuz-amd64" "$work"

e2e_qemu kexec "$work/kexec.log" qemu-system-x86_64 -machine q35 -cpu max -m 1024 -nic none \
  -kernel "$kernels/vmlinuz-amd64" -initrd "$work/kexec.cpio.gz" -append "console=ttyS0 panic=-1"
e2e_expect_kexec "$work/kexec.log" "$work"
e2e_passed "kexec-x86_64 passed"
