#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: chain-x86_64.sh STYX_STATIC KERNELS_DIR WORK_DIR
# Ten kexecs in a row in one machine with a software TPM 2.0 (swtpm behind tpm-tis), between two
# kernel versions by turns: Debian 12's amd64 kernel (6.1) and Debian 13's (6.12), so the list
# goes from the older kernel to the newer and back five times each. Every kernel (make-initramfs.sh
# mode chain) measures files, sends its binary list and PCRs, and loads and executes the next with
# styx load + styx exec. Checks, for every kernel: its list replays to its PCRs (evmctl and styx
# ima replay agree); it holds one boot_aggregate per kernel booted so far; the list of the kernel
# before it is a prefix of its own, byte for byte (no record lost, changed or duplicated); it runs
# another version than the kernel before it.
set -eu
[ $# -eq 3 ] || { echo "usage: chain-x86_64.sh STYX_STATIC KERNELS_DIR WORK_DIR" >&2; exit 2; }
styx=$1 kernels=$2 work=$3
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-x86_64 cpio gzip swtpm evmctl cmp
e2e_kernels "$kernels"
hops=10
mkdir -p "$work"
trap 'e2e_swtpm_stop; e2e_exit $?' EXIT

E2E_STYX=$styx E2E_KERNEL=$kernels/vmlinuz-amd64 E2E_KERNEL2=$kernels/vmlinuz-amd64-trixie \
  E2E_HOPS=$hops "$here/make-initramfs.sh" x86_64 "$kernels" "$work/chain.cpio.gz" chain
e2e_swtpm "$work/tpm"
# Eleven boots in one qemu run.
E2E_TIMEOUT=$((E2E_TIMEOUT * 4))
# shellcheck disable=SC2086
e2e_qemu chain "$work/chain.log" qemu-system-x86_64 -machine q35 -cpu max -m 1024 -nic none \
  $e2e_tpm_args -device tpm-tis,tpmdev=tpm0 -kernel "$kernels/vmlinuz-amd64" \
  -initrd "$work/chain.cpio.gz" -append "console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1"
e2e_swtpm_stop
results=$work/chain.results
e2e_results_complete "$results"

h=0
while [ $h -le $hops ]; do
  release=$(tr -d '\r' <"$results" | sed -n "s/^e2e-init: hop $h, kernel \(.*\)/\1/p")
  [ -n "$release" ] || e2e_fail "kernel $h of the chain did not report"
  e2e_attested "$results" "hop-$h" "$work" ||
    e2e_fail "kernel $h ($release): its list does not replay to its PCRs ($(tail -n 1 "$work/hop-$h.evmctl"))"
  aggregates=$("$styx" ima show "$work/hop-$h.list" | grep -c ' boot_aggregate $' || true)
  [ "$aggregates" -eq $((h + 1)) ] ||
    e2e_fail "kernel $h ($release): $aggregates boot_aggregate records, not $((h + 1))"
  if [ $h -gt 0 ]; then
    size=$(wc -c <"$work/hop-$((h - 1)).list")
    cmp -s -n "$size" "$work/hop-$((h - 1)).list" "$work/hop-$h.list" ||
      e2e_fail "kernel $h ($release): its list does not start with kernel $((h - 1))'s"
    [ "$release" != "$previous" ] || e2e_fail "kernels $((h - 1)) and $h both run $release"
  fi
  echo "e2e: ok: kernel $h ($release): $("$styx" ima show "$work/hop-$h.list" | wc -l) records," \
    "$aggregates boot_aggregate, replays to its PCRs"
  [ $h -ne 1 ] || first_pair="$previous and $release"
  previous=$release
  h=$((h + 1))
done
e2e_passed "chain-x86_64 passed: $hops kexecs between $first_pair"
