#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: kill-load-x86_64.sh STYX_STATIC KERNELS_DIR WORK_DIR
# Fault injection on a running system: in one boot of the Debian amd64 kernel, `styx load` of a
# real kernel and initrd is killed with SIGKILL 100 times at random points of its run
# (make-initramfs.sh mode kill-load, kill-load-init.sh). After every kill /sys/kernel/kexec_loaded
# must be 0 or 1 and agree with `styx status` and /run/styx: nothing loaded (a record left then is
# called stale), a complete load by styx whose files still match the recorded digests, or a load
# styx says did not finish. Then the same load left to finish is executed and the purgatory
# verifies it. Checks: no run inconsistent; every run reported; the kills landed before the record,
# between it and the system call's end, and loads got as far as loading (else the test proved
# nothing); the next kernel reached init.
set -eu
[ $# -eq 3 ] || { echo "usage: kill-load-x86_64.sh STYX_STATIC KERNELS_DIR WORK_DIR" >&2; exit 2; }
styx=$1 kernels=$2 work=$3
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-x86_64 cpio gzip
e2e_kernels "$kernels"
runs=${E2E_RUNS:-100}

# About 170 s on an idle 2-core machine; each run slows down with the host's load, so the qemu
# bound is wider than the default.
E2E_TIMEOUT=${E2E_KILL_TIMEOUT:-800}
mkdir -p "$work"
"$here/make-initramfs.sh" x86_64 "$kernels" "$work/next.cpio.gz" show-ima
E2E_STYX=$styx E2E_KERNEL=$kernels/vmlinuz-amd64 E2E_NEXT_INITRD=$work/next.cpio.gz \
  E2E_RUNS=$runs "$here/make-initramfs.sh" x86_64 "$kernels" "$work/kill.cpio.gz" kill-load
e2e_qemu kill-load "$work/kill.log" qemu-system-x86_64 -machine q35 -cpu max -m 1024 -nic none \
  -kernel "$kernels/vmlinuz-amd64" -initrd "$work/kill.cpio.gz" -append "console=ttyS0 panic=-1"
results=$work/kill.results
e2e_results_complete "$results"
e2e_expect "$results" "e2e-init: reached init (kill-load)" "the first kernel reached init"
tr -d '\r' <"$results" | grep '^e2e-kill: an uninterrupted' | sed 's/^/e2e: /'
summary=$(tr -d '\r' <"$results" | sed -n 's/^e2e-kill: summary: //p')
[ -n "$summary" ] || e2e_fail "no summary from the kill runs"
echo "e2e: kill runs: $summary"
tr -d '\r' <"$results" | grep 'INCONSISTENT' | sed 's/^/e2e: /' || true
field() { echo "$summary" | sed -n "s/.* $1 \([0-9]*\).*/\1/p; s/^$1 \([0-9]*\).*/\1/p"; }
[ "$(field runs)" -eq "$runs" ] || e2e_fail "the summary counts $(field runs) runs, not $runs"
reported=$(tr -d '\r' <"$results" | grep -c '^e2e-kill: run [0-9]*: killed after ' || true)
[ "$reported" -eq "$runs" ] || e2e_fail "$reported runs reported, not $runs"
[ "$(field inconsistent)" -eq 0 ] || e2e_fail "$(field inconsistent) runs left an inconsistent state"
echo "e2e: ok: every one of $runs killed loads left a consistent state"
# The control: kills before the record was written (none), between it and the end of the system
# call (stale), and loads that got as far as loading (complete, unfinished) all happened.
[ "$(field none)" -gt 0 ] || e2e_fail "no kill landed before the record was written"
[ "$(field stale)" -gt 0 ] || e2e_fail "no kill landed between the record and the system call's end"
[ $(($(field complete) + $(field unfinished))) -gt 0 ] || e2e_fail "no load got as far as loading"
e2e_expect "$results" "styx: starting the loaded image" "styx exec rebooted"
e2e_reject "$results" "e2e-init: styx exec returned" "the reboot did not fail"
e2e_expect "$work/kill.log" "styx: verified " "the purgatory verified every segment"
e2e_expect "$results" "e2e-init: reached init (show-ima)" "the second kernel reached init"
e2e_passed "kill-load-x86_64 passed: $summary"
