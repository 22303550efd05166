#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: tpm-x86_64.sh STYX_STATIC KERNELS_DIR WORK_DIR
# Attestation across a real kexec, judged against a software TPM 2.0 (swtpm behind qemu's
# tpm-tis) by evmctl (ima-evm-utils), the replay remote verifiers use. Debian's amd64 kernel boots
# with the kexec initramfs: /init measures files under an IMA policy, loads the same kernel with
# the show-ima initramfs, measures more, sends its binary list and every sha1 and sha256 PCR, and
# executes; the second kernel sends its list and PCRs too.
#  1. styx load + styx exec: both kernels' lists replay to their PCRs;
#  2. the control, in the same test: Debian's kexec-tools, `kexec -c -l` (kexec_load) and
#     `kexec -s -l` (kexec_file_load), then `kexec -e`: the first kernel's list replays, the
#     second kernel's must not (it starts a new list while the TPM keeps every extension).
# A verdict that a lost list could also pass would prove nothing: the control shows it cannot.
set -eu
[ $# -eq 3 ] || { echo "usage: tpm-x86_64.sh STYX_STATIC KERNELS_DIR WORK_DIR" >&2; exit 2; }
styx_static=$1 kernels=$2 work=$3
styx=$styx_static # e2e_attested replays with it
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-x86_64 cpio gzip swtpm evmctl kexec ldd
e2e_kernels "$kernels"
mkdir -p "$work"
trap 'e2e_swtpm_stop; e2e_exit $?' EXIT

# run LOADER: one kexec from a fresh TPM; the results in $work/LOADER.results.
run() {
  E2E_LOADER=$1 E2E_KEXEC=$(command -v kexec) \
    e2e_kexec_initramfs x86_64 "$kernels" "$styx_static" "$kernels/vmlinuz-amd64" "$work/$1"
  e2e_swtpm "$work/$1/tpm"
  # shellcheck disable=SC2086
  e2e_qemu "$1" "$work/$1.log" qemu-system-x86_64 -machine q35 -cpu max -m 1024 -nic none \
    $e2e_tpm_args -device tpm-tis,tpmdev=tpm0 -kernel "$kernels/vmlinuz-amd64" \
    -initrd "$work/$1/kexec.cpio.gz" -append "console=ttyS0 panic=-1"
  e2e_swtpm_stop
  e2e_results_complete "$work/$1.results"
  e2e_expect "$work/$1.results" "e2e-init: reached init (show-ima)" "$1: the second kernel reached init"
  for tag in at-exec next; do
    if e2e_attested "$work/$1.results" $tag "$work/$1"; then
      eval "verdict_$(echo $tag | tr - _)=matched"
    else
      eval "verdict_$(echo $tag | tr - _)=failed"
    fi
  done
}

run styx
[ "$verdict_at_exec" = matched ] || e2e_fail "styx: the first kernel's list does not replay to its PCRs"
echo "e2e: ok: styx: the first kernel's list replays to its PCRs"
[ "$verdict_next" = matched ] ||
  e2e_fail "styx: the second kernel's list does not replay to its PCRs (the list was not carried whole)"
echo "e2e: ok: styx: the second kernel's list, carried across the kexec, replays to its PCRs"

for loader in kexec-c kexec-s; do
  run $loader
  [ "$verdict_at_exec" = matched ] ||
    e2e_fail "$loader: the first kernel's list does not replay: the control itself is broken"
  e2e_expect "$work/$loader.results" "e2e-init: reached init (show-ima)" "$loader: the kexec happened"
  [ "$verdict_next" = failed ] ||
    e2e_fail "$loader: the second kernel's list replays: the verdict cannot tell a lost list"
  echo "e2e: ok: control $loader: the second kernel's list does not replay (kexec-tools lost it)"
done
e2e_passed "tpm-x86_64 passed"
