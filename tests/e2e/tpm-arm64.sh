#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: tpm-arm64.sh STYX SOURCE_DIR NATIVE_BUILD_DIR KERNELS_DIR CACHE_DIR WORK_DIR
# tpm-x86_64.sh on arm64: the small kernel of arm64-kernel/ (KEXEC_FILE, IMA_KEXEC, TCG_TIS) with a
# software TPM 2.0 behind qemu's tpm-tis-device, and styx-static cross-built for aarch64 in the
# initramfs. The first kernel measures, loads (device tree, console and RAM from the running
# system, the TPM node included), measures more, sends its list and PCRs and executes; the second
# sends its own. Both lists must replay to their PCRs, by evmctl and by STYX (the host's
# `styx ima replay`). The kexec-tools control runs in tpm-x86_64.sh (Debian's arm64 kexec binary
# would need arm64 libraries in the initramfs).
set -eu
[ $# -eq 6 ] || {
  echo "usage: tpm-arm64.sh STYX SOURCE_DIR NATIVE_BUILD_DIR KERNELS_DIR CACHE_DIR WORK_DIR" >&2
  exit 2
}
styx=$1 src=$2 native=$3 kernels=$4 cache=$5 work=$6
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-aarch64 aarch64-linux-gnu-g++ cpio gzip swtpm evmctl
e2e_kernels "$kernels"
mkdir -p "$work"
trap 'e2e_swtpm_stop; e2e_exit $?' EXIT

# One cross build for every arm64 test, beside their work directories.
styx_arm64=$("$here/cross-styx.sh" arm64 "$src" "$native" "$cache" "${work%/*}/styx-arm64") ||
  e2e_fail "could not cross-build styx-static for arm64"
e2e_arm64_ima_kernel "$cache"
e2e_kexec_initramfs arm64 "$kernels" "$styx_arm64" "$kernel" "$work"
e2e_swtpm "$work/tpm"
# shellcheck disable=SC2086
e2e_qemu tpm "$work/tpm.log" qemu-system-aarch64 -machine virt -cpu cortex-a57 -m 1024 \
  $e2e_tpm_args -device tpm-tis-device,tpmdev=tpm0 -kernel "$kernel" \
  -initrd "$work/kexec.cpio.gz" -append "console=ttyAMA0 panic=-1"
e2e_swtpm_stop
e2e_expect_kexec "$work/tpm.log" "$work"
for tag in at-exec next; do
  e2e_attested "$work/tpm.results" $tag "$work" ||
    e2e_fail "$tag: the list does not replay to the PCRs ($(tail -n 1 "$work/$tag.evmctl"))"
done
echo "e2e: ok: both kernels' lists replay to their PCRs"
e2e_passed "tpm-arm64 passed"
