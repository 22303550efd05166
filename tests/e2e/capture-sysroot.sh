#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: capture-sysroot.sh ARCH KERNELS_DIR OUT_DIR [WORK_DIR]   (WORK_DIR: default a temporary one)
#   ARCH   x86_64, arm64, arm64-uefi (the same arm64 kernel started by UEFI firmware, on ACPI), or
#          x86_64-crash / arm64-crash (two CPUs and crashkernel=256M: a crash region reserved)
# Boots the Debian kernel of ARCH from KERNELS_DIR (fetch-kernels.sh) in qemu with an initramfs whose
# /init loads an IMA policy, makes a few measurements and sends on the results channel (init-lib.sh),
# base64-encoded between
# "----- e2e: begin sysroot PATH -----" / "----- e2e: end sysroot PATH -----" lines, every file
# host::LiveSystem reads. Rebuilds them as a tree under OUT_DIR (its proc/ and sys/ are replaced):
#   proc/{cmdline,iomem,consoles,sys/kernel/arch}, sys/firmware/memmap/N/{start,end,type},
#   sys/firmware/fdt, sys/class/tty/TTY/{port,iomem_base,io_type,iomem_reg_shift} for each
#   console, sys/kernel/security/ima/{binary_runtime_measurements,runtime_measurements_count},
#   sys/kernel/kexec_loaded, and what a crash kernel's loader reads: sys/kernel/{vmcoreinfo,
#   kexec_crash_loaded,kexec_crash_size}, sys/devices/system/cpu/{possible,present,online} and
#   each CPU's crash_notes and crash_notes_size (whichever of them the kernel has).
# tests/data/sysroot/ holds the committed captures; see its README.md.
set -eu
[ $# -ge 3 ] || { echo "usage: capture-sysroot.sh ARCH KERNELS_DIR OUT_DIR [WORK_DIR]" >&2; exit 2; }
arch=$1 kernels=$2 out=$3 work=${4:-}
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need base64 cpio gzip awk

if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)

# The machines and command lines the captures were made with (README.md repeats them).
case $arch in
  x86_64)
    busybox=$kernels/busybox-amd64
    set -- qemu-system-x86_64 -machine q35 -cpu max -m 1024 -nic none -kernel "$kernels/vmlinuz-amd64"
    append="console=ttyS0 panic=-1"
    ;;
  arm64)
    busybox=$kernels/busybox-arm64
    # No random /chosen seeds, so the device tree is the same on every boot.
    set -- qemu-system-aarch64 -machine virt,dtb-randomness=off -cpu cortex-a57 -m 1024 \
      -kernel "$kernels/Image-arm64"
    append="console=ttyAMA0 ima_canonical_fmt panic=-1"
    ;;
  arm64-uefi)
    busybox=$kernels/busybox-arm64
    e2e_uefi_arm64_firmware "$work"
    # shellcheck disable=SC2086
    set -- qemu-system-aarch64 -machine virt,acpi=on -cpu cortex-a57 -m 1024 $e2e_uefi_args \
      -kernel "$kernels/Image-arm64"
    append="console=ttyAMA0 panic=-1"
    ;;
  x86_64-crash)
    busybox=$kernels/busybox-amd64
    set -- qemu-system-x86_64 -machine q35 -cpu max -smp 2 -m 1024 -nic none \
      -kernel "$kernels/vmlinuz-amd64"
    append="console=ttyS0 panic=-1 crashkernel=256M"
    ;;
  arm64-crash)
    busybox=$kernels/busybox-arm64
    set -- qemu-system-aarch64 -machine virt,dtb-randomness=off -cpu cortex-a57 -smp 2 -m 1024 \
      -kernel "$kernels/Image-arm64"
    append="console=ttyAMA0 panic=-1 crashkernel=256M"
    ;;
  *) e2e_fail "unknown ARCH $arch (x86_64, arm64, arm64-uefi, x86_64-crash or arm64-crash)" ;;
esac
e2e_need "$1"
[ -s "$busybox" ] || e2e_fail "$busybox missing: run fetch-kernels.sh first"


# The initramfs: busybox, init-lib.sh and /init only (no /dev/console node: making one needs
# root, so init-lib.sh mounts devtmpfs and opens the console itself).
stage=$work/initramfs
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/etc/e2e"
chmod 0755 "$stage"
cp "$busybox" "$stage/bin/busybox"
chmod 0755 "$stage/bin/busybox"
cp "$here/init-lib.sh" "$stage/etc/e2e/init-lib.sh"
cat >"$stage/init" <<'INIT'
#!/bin/busybox sh
. /etc/e2e/init-lib.sh
result "e2e-init: reached init (dump-sysroot), kernel $(uname -r)"
ima=/sys/kernel/security/ima

# Measure what initramfs programs execute and read; pseudo file systems stay out of the list.
printf '%s\n' 'dont_measure fsmagic=0x9fa0' 'dont_measure fsmagic=0x62656572' \
  'dont_measure fsmagic=0x73636673' 'measure func=BPRM_CHECK' \
  'measure func=FILE_CHECK mask=MAY_READ' >$ima/policy ||
  echo "e2e-init: cannot load the IMA policy"
echo hello >/tmp/hello.txt
cat /tmp/hello.txt /init >/dev/null
: >/tmp/empty
cat /tmp/empty
busybox true

dump() {
  for f; do
    [ -f "$f" ] && result_block "sysroot $f" base64 "$f"
  done
}
dump /proc/cmdline /proc/iomem /proc/consoles /proc/sys/kernel/arch /sys/kernel/kexec_loaded \
  /sys/firmware/fdt
for d in /sys/firmware/memmap/*; do dump "$d/start" "$d/end" "$d/type"; done
dump /sys/kernel/vmcoreinfo /sys/kernel/kexec_crash_loaded /sys/kernel/kexec_crash_size \
  /sys/devices/system/cpu/possible /sys/devices/system/cpu/present /sys/devices/system/cpu/online
for c in /sys/devices/system/cpu/cpu[0-9]*; do dump "$c/crash_notes" "$c/crash_notes_size"; done
for t in $(cut -d' ' -f1 /proc/consoles); do
  dump "/sys/class/tty/$t/port" "/sys/class/tty/$t/iomem_base" "/sys/class/tty/$t/io_type" \
    "/sys/class/tty/$t/iomem_reg_shift"
done
# Back to back, so the count is that of the list (nothing measured in between).
dump $ima/runtime_measurements_count $ima/binary_runtime_measurements
result "e2e-init: powering off"
results_end
poweroff -f
INIT
chmod 0755 "$stage/init"
# The same bytes on every run (no times, inode or device numbers), so the device tree, which
# records where the initramfs ends, is the same too.
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
  gzip -9n >"$work/dump-sysroot.cpio.gz"

log=$work/capture-sysroot-$arch.log
e2e_qemu "capture-sysroot $arch" "$log" "$@" -initrd "$work/dump-sysroot.cpio.gz" -append "$append"
results=$work/capture-sysroot-$arch.results
e2e_results_complete "$results"
e2e_expect "$results" "e2e-init: powering off" "the dump-sysroot init ran to the end"

# Every dumped file into its own base64 file, then decoded into the tree.
b64=$work/b64 tree=$work/tree-$arch
rm -rf "$b64" "$tree"
mkdir -p "$b64" "$tree"
tr -d '\r' <"$results" | awk -v dir="$b64" '
  /^----- e2e: begin sysroot \/[^ ]* -----$/ { n++; f = dir "/" n; print n, $5 > (dir "/index");
                                              printf "" > f; next }
  /^----- e2e: end sysroot \/[^ ]* -----$/ { close(f); f = ""; next }
  f != "" { print > f }'
[ -s "$b64/index" ] || e2e_fail "no sysroot files on the results channel"
while read -r n path; do
  mkdir -p "$tree$(dirname "$path")"
  base64 -d <"$b64/$n" >"$tree$path" || e2e_fail "$path on the results channel is not base64"
done <"$b64/index"

# What every capture must hold; the rest depends on the kernel and the machine.
for f in proc/cmdline proc/iomem proc/consoles proc/sys/kernel/arch sys/kernel/kexec_loaded \
  sys/kernel/security/ima/binary_runtime_measurements \
  sys/kernel/security/ima/runtime_measurements_count; do
  [ -f "$tree/$f" ] || e2e_fail "the capture lacks $f"
done
case $arch in
  x86_64*)
    [ -f "$tree/sys/firmware/memmap/0/type" ] || e2e_fail "the capture lacks sys/firmware/memmap"
    [ -f "$tree/sys/class/tty/ttyS0/port" ] || e2e_fail "the capture lacks sys/class/tty/ttyS0"
    ;;
  arm64*)
    [ -s "$tree/sys/firmware/fdt" ] || e2e_fail "the capture lacks sys/firmware/fdt"
    [ -f "$tree/sys/class/tty/ttyAMA0/port" ] || e2e_fail "the capture lacks sys/class/tty/ttyAMA0"
    ;;
esac
case $arch in
  *-crash)
    grep -q 'Crash kernel' "$tree/proc/iomem" || e2e_fail "crashkernel=256M reserved no Crash kernel"
    for f in sys/kernel/vmcoreinfo sys/devices/system/cpu/possible \
      sys/devices/system/cpu/cpu0/crash_notes sys/devices/system/cpu/cpu1/crash_notes; do
      [ -f "$tree/$f" ] || e2e_fail "the capture lacks $f"
    done
    ;;
esac
count=$(cat "$tree/sys/kernel/security/ima/runtime_measurements_count")
[ "$count" -gt 1 ] || e2e_fail "no measurements besides boot_aggregate"

mkdir -p "$out"
rm -rf "$out/proc" "$out/sys"
cp -R "$tree/proc" "$tree/sys" "$out/"
echo "e2e: captured $(wc -l <"$b64/index") files ($count IMA records) of $arch into $out"
