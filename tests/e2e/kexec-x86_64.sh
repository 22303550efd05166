#!/bin/sh
# Usage: kexec-x86_64.sh STYX_STATIC CACHE_DIR WORK_DIR
# A real kexec with Styx on a running system: qemu boots the Debian amd64 kernel (fetch-kernels.sh)
# with an initramfs whose /init loads an IMA policy, measures files, runs
# `styx load --kernel ... --initrd ... --reuse-cmdline`, measures more files, and `styx exec`s.
# Checks: the load succeeded; exec noticed the measurements taken after the load and loaded again;
# the purgatory's verification lines appear between the two kernels; the second kernel (same
# kernel, show-ima initramfs) lists every record the first had at exec time, in order, before
# its own boot_aggregate.
set -eu
[ $# -eq 3 ] || { echo "usage: kexec-x86_64.sh STYX_STATIC CACHE_DIR WORK_DIR" >&2; exit 2; }
styx_static=$1 cache=$2 work=$3
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-x86_64 cpio gzip
[ -s "$cache/vmlinuz-amd64" ] || e2e_fail "$cache/vmlinuz-amd64 missing: run fetch-kernels.sh $cache"

mkdir -p "$work"
"$here/make-initramfs.sh" x86_64 "$cache" "$work/next.cpio.gz" show-ima
E2E_STYX=$styx_static E2E_KERNEL=$cache/vmlinuz-amd64 E2E_NEXT_INITRD=$work/next.cpio.gz \
  "$here/make-initramfs.sh" x86_64 "$cache" "$work/kexec.cpio.gz" kexec

e2e_qemu kexec "$work/kexec.log" qemu-system-x86_64 -machine q35 -cpu max -m 1024 -nic none \
  -kernel "$cache/vmlinuz-amd64" -initrd "$work/kexec.cpio.gz" -append "console=ttyS0 panic=-1"
log=$work/kexec.log
e2e_expect "$log" "e2e-init: reached init (kexec)" "the first kernel reached init"
e2e_between "$log" load >"$work/load.out"
grep -q '^styx: loaded ' "$work/load.out" || e2e_fail "styx load did not load (see the load lines)"
echo "e2e: ok: styx load: $(grep '^styx: IMA' "$work/load.out")"
e2e_expect "$log" "styx: the IMA list grew from " "styx exec loaded again with the newer list"
e2e_expect "$log" "styx: starting the loaded image" "styx exec rebooted"
e2e_reject "$log" "e2e-init: styx exec returned" "the reboot did not fail"

# The purgatory speaks after the first kernel's last words and before the second's first.
tr -d '\r' <"$log" >"$work/console"
first=$(grep -n 'styx: starting the loaded image' "$work/console" | head -n 1 | cut -d: -f1)
verified=$(grep -n '^styx: verified' "$work/console" | head -n 1 | cut -d: -f1)
second=$(grep -n 'Linux version' "$work/console" | sed -n 2p | cut -d: -f1)
[ -n "$verified" ] || e2e_fail "no purgatory verification line on the console"
[ -n "$second" ] || e2e_fail "the second kernel did not start"
[ "$first" -lt "$verified" ] && [ "$verified" -lt "$second" ] ||
  e2e_fail "the purgatory's lines are not between the two kernels ($first, $verified, $second)"
echo "e2e: ok: the purgatory verified between the kernels:"
sed -n "${first},${second}p" "$work/console" | grep '^styx:' | sed 's/^/e2e:   /'
e2e_expect "$log" "e2e-init: reached init (show-ima)" "the second kernel reached init"

# The list printed right before `styx exec` must come first; `styx exec` itself may add records
# (it reads its state file) before it snapshots, and says how many it carries.
e2e_between "$log" at-exec >"$work/at-exec"
n=$(wc -l <"$work/at-exec")
[ "$n" -gt 1 ] || e2e_fail "the first kernel's list at exec time is empty"
carried=$(sed -n 's/^styx: the IMA list grew from [0-9]* to \([0-9]*\) measurements.*/\1/p' "$work/console")
[ "$carried" -ge "$n" ] || e2e_fail "styx exec carried $carried records, the list had $n"
e2e_between "$log" ascii_runtime_measurements >"$work/second"
head -n "$n" "$work/second" >"$work/second.head"
cmp -s "$work/at-exec" "$work/second.head" || {
  diff "$work/at-exec" "$work/second.head" || true
  e2e_fail "the second kernel's list does not start with the first kernel's $n records"
}
echo "e2e: ok: the second kernel lists the first kernel's $n records at exec time first"
sed -n "$((carried + 1))p" "$work/second" | grep -q ' boot_aggregate $' ||
  e2e_fail "record $((carried + 1)) is not the second kernel's own boot_aggregate"
echo "e2e: ok: then $((carried - n)) record(s) styx exec caused, then its own boot_aggregate"
echo "e2e: kexec-x86_64 passed"
