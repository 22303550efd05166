#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: uefi-kexec-arm64.sh SOURCE_DIR NATIVE_BUILD_DIR KERNELS_DIR CACHE_DIR WORK_DIR
# A real kexec with Styx on an arm64 machine booted through UEFI, on ACPI: qemu virt,acpi=on
# starts Debian's UEFI firmware (qemu-efi-aarch64), which runs Debian's arm64 kernel's EFI stub
# (-kernel through fw_cfg). The stub's device tree has no /memory: RAM is only in /proc/iomem.
# The initramfs (make-initramfs.sh mode uefi) reports what the kernel found of the firmware, then
# `styx load --dry-run`, `styx load` and `styx exec` of the same kernel with an initramfs that
# reports the same. Checks: RAM came from /proc/iomem and no segment overlaps a range it
# reserves; the purgatory verified; the next kernel got its tree from Styx (initrd properties,
# which the stub never writes), kept every linux,uefi-* property, found the same ACPI tables and
# the same RAM (from the same EFI memory map), and called the firmware's runtime services.
set -eu
[ $# -eq 5 ] || {
  echo "usage: uefi-kexec-arm64.sh SOURCE_DIR NATIVE_BUILD_DIR KERNELS_DIR CACHE_DIR WORK_DIR" >&2
  exit 2
}
src=$1 native=$2 kernels=$3 cache=$4 work=$5
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-aarch64 aarch64-linux-gnu-g++ readelf cpio gzip base64 dtc
e2e_kernels "$kernels"

mkdir -p "$work"
# The cross build every arm64 kexec test shares, beside their work directories.
styx=$("$here/cross-styx.sh" arm64 "$src" "$native" "$cache" "${work%/*}/styx-arm64") ||
  e2e_fail "could not cross-build styx-static for arm64"
kernel=$kernels/Image-arm64
"$here/make-initramfs.sh" arm64 "$kernels" "$work/next.cpio.gz" uefi
E2E_STYX=$styx E2E_KERNEL=$kernel E2E_NEXT_INITRD=$work/next.cpio.gz \
  "$here/make-initramfs.sh" arm64 "$kernels" "$work/first.cpio.gz" uefi
e2e_uefi_arm64_firmware "$work"

log=$work/uefi-kexec.log results=$work/uefi-kexec.results
# shellcheck disable=SC2086
e2e_qemu uefi-kexec "$log" qemu-system-aarch64 -machine virt,acpi=on -cpu cortex-a57 -m 1024 \
  $e2e_uefi_args -kernel "$kernel" -initrd "$work/first.cpio.gz" -append "console=ttyAMA0 panic=-1"
e2e_results_complete "$results"

# The two boots' reports, in the order they were sent: the first kernel's, then the next one's.
tr -d '\r' <"$results" >"$work/all"
awk -v dir="$work" '
  /^----- e2e: begin dry-run -----$/ { boot = 1 }
  /^----- e2e: begin / { name = $4 (NF > 5 ? "-" $5 : ""); f = dir "/" boot "." name; printf "" > f; next }
  /^----- e2e: end / { close(f); f = ""; next }
  f != "" { print >> f }' boot=0 "$work/all"
# 0.NAME: what the first kernel sent before `styx load --dry-run`; 1.NAME: the dry run, the load
# and what the next kernel sent.
[ "$(grep -c '^e2e-init: reached init (uefi)$' "$work/all")" -eq 2 ] ||
  e2e_fail "not two kernels reached init (the first, then the one styx exec started)"
echo "e2e: ok: both kernels reached init"

for b in 0 1; do
  base64 -d <"$work/$b.fdt-base64" >"$work/$b.dtb" || e2e_fail "boot $b: the device tree is not base64"
  dtc -q -I dtb -O dts "$work/$b.dtb" >"$work/$b.dts" || e2e_fail "boot $b: dtc cannot read the device tree"
done
grep -q 'memory@\|device_type = "memory"' "$work/0.dts" &&
  e2e_fail "the first kernel's tree has a /memory node: not the EFI stub's tree"
grep -q 'linux,uefi-system-table' "$work/0.dts" || e2e_fail "the first kernel was not started by UEFI"
echo "e2e: ok: the first kernel runs on UEFI with a tree that has no /memory"

# Where RAM came from, and no kexec segment on anything /proc/iomem reserves.
grep -q '^styx: RAM: .* from /proc/iomem (System RAM; the tree has no /memory)' "$work/1.dry-run" ||
  e2e_fail "styx load --dry-run does not say RAM came from /proc/iomem"
echo "e2e: ok: $(grep '^styx: RAM: ' "$work/1.dry-run")"
sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : reserved$/\1 \2/p' "$work/0.iomem" >"$work/reserved"
[ -s "$work/reserved" ] || e2e_fail "the first kernel's /proc/iomem reserves nothing"
awk '$1 ~ /^[0-9]+$/ && $3 ~ /^0x/ { print $3, $4, $5 }' "$work/1.dry-run" >"$work/segments"
[ -s "$work/segments" ] || e2e_fail "no segments in the dry run"
while read -r mem memsz what; do
  while read -r first last; do
    if [ $((mem)) -le $((0x$last)) ] && [ $((0x$first)) -lt $((mem + memsz)) ]; then
      e2e_fail "segment $what at $mem+$memsz overlaps reserved $first-$last"
    fi
  done <"$work/reserved"
done <"$work/segments"
echo "e2e: ok: $(wc -l <"$work/segments") segments, none over the $(wc -l <"$work/reserved") reserved ranges"
grep -q '^styx: loaded ' "$work/1.load" || e2e_fail "styx load did not load"
e2e_expect "$results" "styx: starting the loaded image" "styx exec rebooted"
e2e_reject "$results" "e2e-init: styx exec returned" "the reboot did not fail"

runs=$(tr -d '\r' <"$log" | grep -c 'styx: purgatory for ' || true)
[ "$runs" -eq 1 ] || e2e_fail "the purgatory ran $runs times, not once"
e2e_expect "$log" "styx: verified " "the purgatory verified every segment"

# The next kernel's tree is Styx's, with the firmware's properties kept.
grep -q 'linux,initrd-start' "$work/1.dts" || e2e_fail "the next kernel's tree has no initrd from styx"
for p in linux,uefi-system-table linux,uefi-mmap-start linux,uefi-mmap-size \
  linux,uefi-mmap-desc-size linux,uefi-mmap-desc-ver; do
  want=$(grep "$p = " "$work/0.dts") || e2e_fail "the first kernel's tree has no $p"
  got=$(grep "$p = " "$work/1.dts") || e2e_fail "the next kernel's tree lost $p"
  [ "$want" = "$got" ] || e2e_fail "$p: $want in the first kernel's tree, $got in the next's"
done
echo "e2e: ok: the next kernel booted from styx's tree with every linux,uefi-* property kept"
grep -q 'DSDT' "$work/0.acpi-tables" || e2e_fail "the first kernel found no ACPI DSDT"
cmp -s "$work/0.acpi-tables" "$work/1.acpi-tables" ||
  e2e_fail "the next kernel found other ACPI tables: $(tr '\n' ' ' <"$work/1.acpi-tables")"
echo "e2e: ok: the next kernel found the same ACPI tables: $(tr '\n' ' ' <"$work/1.acpi-tables")"
grep -v '^ ' "$work/0.iomem" >"$work/0.top"
grep -v '^ ' "$work/1.iomem" >"$work/1.top"
cmp -s "$work/0.top" "$work/1.top" || {
  diff "$work/0.top" "$work/1.top" || true
  e2e_fail "the next kernel's RAM differs from the first's (top level of /proc/iomem)"
}
echo "e2e: ok: the next kernel has the same RAM, from the same EFI memory map"
rtc=$(grep -c '^e2e-init: EFI RTC ' "$work/all" || true)
[ "$rtc" -eq 2 ] || e2e_fail "the EFI RTC (GetTime, a runtime service) answered in $rtc of 2 kernels"
echo "e2e: ok: both kernels read the time through EFI runtime services"
e2e_passed "uefi-kexec-arm64 passed"
