#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: check-sysroot.sh UNIT_TEST KERNELS_DIR SOURCE_DIR WORK_DIR
# Captures the sysroot trees again (x86_64, arm64 and their -crash variants) (capture-sysroot.sh) and checks that what does not change from
# boot to boot still matches tests/data/sysroot: the machine name, the command line, the firmware
# memory map (sys/firmware/memmap and the top level of proc/iomem; nested iomem lines move with
# KASLR), the consoles and their sysfs entries, kexec_loaded and the device tree (apart from where
# the initramfs went). IMA digests change with busybox, so the lists are not compared; instead the
# LiveSystem unit tests run against the fresh trees, which checks every value they assert,
# the number of IMA records included.
set -eu
[ $# -eq 4 ] || { echo "usage: check-sysroot.sh UNIT_TEST KERNELS_DIR SOURCE_DIR WORK_DIR" >&2; exit 2; }
unit_test=$1 kernels=$2 src=$3 work=$4
here=$(dirname "$0")
. "$here/lib.sh"
e2e_kernels "$kernels"

mkdir -p "$work"
captures="x86_64 arm64 x86_64-crash arm64-crash"
for arch in $captures; do
  "$here/capture-sysroot.sh" "$arch" "$kernels" "$work/fresh/$arch" "$work/$arch" ||
    e2e_fail "capture-sysroot.sh $arch failed"
  e2e_logs="$e2e_logs $work/$arch/capture-sysroot-$arch.log"
done

for arch in $captures; do
  kept=$src/tests/data/sysroot/$arch fresh=$work/fresh/$arch
  for f in proc/cmdline proc/sys/kernel/arch proc/consoles sys/kernel/kexec_loaded \
    sys/firmware/memmap sys/class/tty; do
    [ -e "$kept/$f" ] || [ -e "$fresh/$f" ] || continue
    diff -r "$kept/$f" "$fresh/$f" || e2e_fail "$arch: $f differs from tests/data/sysroot"
  done
  grep -v '^ ' "$kept/proc/iomem" >"$work/$arch.iomem.kept"
  grep -v '^ ' "$fresh/proc/iomem" >"$work/$arch.iomem.fresh"
  diff "$work/$arch.iomem.kept" "$work/$arch.iomem.fresh" ||
    e2e_fail "$arch: the top level of proc/iomem differs from tests/data/sysroot"
  if [ -e "$kept/sys/firmware/fdt" ]; then
    if command -v dtc >/dev/null; then
      for t in kept fresh; do
        eval "tree=\$$t"
        dtc -q -I dtb -O dts "$tree/sys/firmware/fdt" | grep -v 'linux,initrd-' >"$work/$arch.dts.$t"
      done
      diff "$work/$arch.dts.kept" "$work/$arch.dts.fresh" ||
        e2e_fail "$arch: the device tree differs from tests/data/sysroot"
    else
      echo "e2e: note: no dtc; $arch device tree checked by the unit tests only"
    fi
  fi
  echo "e2e: ok: $arch: the stable files match tests/data/sysroot"
done

# (gtest 1.12 has no --gtest_fail_if_no_test_run: count what ran.)
STYX_TEST_SYSROOT=$work/fresh "$unit_test" --gtest_brief=1 \
  --gtest_filter='LiveSystemX86_64.*:LiveSystemArm64.*:Captures/LiveSystemCrash.*' >"$work/unit-test.out" 2>&1 || {
  cat "$work/unit-test.out"
  e2e_fail "LiveSystem reads other values from the fresh captures"
}
cat "$work/unit-test.out"
ran=$(sed -n 's/^\[==========\] \([0-9]*\) tests\{0,1\} from .* ran\..*/\1/p' "$work/unit-test.out")
[ "${ran:-0}" -gt 0 ] || e2e_fail "no LiveSystem unit test ran"
echo "e2e: ok: LiveSystem reads the same values from the fresh captures"
e2e_passed "check-sysroot passed"
