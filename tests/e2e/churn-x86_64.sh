#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: churn-x86_64.sh STYX_STATIC KERNELS_DIR WORK_DIR
# Ten thousand measurements between `styx load` and `styx exec`, with a software TPM 2.0: the
# kexec initramfs (make-initramfs.sh mode kexec, E2E_CHURN) reads 10,000 new files after the load.
# `styx exec` must carry the grown list whole: the second kernel's list replays to its PCRs
# (evmctl and styx ima replay), starts with every record the first kernel had at exec time, and holds exactly the
# records styx exec said it carried plus the second kernel's own boot_aggregate.
set -eu
[ $# -eq 3 ] || { echo "usage: churn-x86_64.sh STYX_STATIC KERNELS_DIR WORK_DIR" >&2; exit 2; }
styx=$1 kernels=$2 work=$3
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-x86_64 cpio gzip swtpm evmctl
e2e_kernels "$kernels"
churn=10000
mkdir -p "$work"
trap 'e2e_swtpm_stop; e2e_exit $?' EXIT

E2E_CHURN=$churn e2e_kexec_initramfs x86_64 "$kernels" "$styx" "$kernels/vmlinuz-amd64" "$work"
e2e_swtpm "$work/tpm"
# shellcheck disable=SC2086
e2e_qemu churn "$work/churn.log" qemu-system-x86_64 -machine q35 -cpu max -m 1024 -nic none \
  $e2e_tpm_args -device tpm-tis,tpmdev=tpm0 -kernel "$kernels/vmlinuz-amd64" \
  -initrd "$work/kexec.cpio.gz" -append "console=ttyS0 panic=-1"
e2e_swtpm_stop
results=$work/churn.results
e2e_expect "$results" "e2e-init: measured $churn more files after the load" "the first kernel measured $churn files after the load"
e2e_expect_kexec "$work/churn.log" "$work"
n=$(wc -l <"$work/at-exec")
[ "$n" -gt "$churn" ] || e2e_fail "the first kernel's list at exec time has $n records, fewer than $churn"
carried=$(tr -d '\r' <"$results" |
  sed -n 's/^styx: the IMA list grew from [0-9]* to \([0-9]*\) measurements.*/\1/p')
total=$(wc -l <"$work/second")
[ "$total" -eq $((carried + 1)) ] ||
  e2e_fail "the second kernel lists $total records, not the $carried carried plus its boot_aggregate"
echo "e2e: ok: the second kernel lists exactly the $carried carried records and its boot_aggregate"
e2e_attested "$results" at-exec "$work" || e2e_fail "the first kernel's list does not replay to its PCRs"
e2e_attested "$results" next "$work" ||
  e2e_fail "the second kernel's list does not replay to its PCRs ($(tail -n 1 "$work/next.evmctl"))"
echo "e2e: ok: both kernels' lists replay to their PCRs"
e2e_passed "churn-x86_64 passed: $carried records carried"
