#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: make-initramfs.sh ARCH KERNELS_DIR OUT MODE
#   ARCH      x86_64 (amd64), arm64, riscv64, ppc64le or s390x: picks KERNELS_DIR/busybox-ARCH (amd64 for x86_64)
#   OUT       the initramfs to write (cpio newc, gzip)
#   MODE      dump-ima: load an IMA policy that measures initramfs files, make a few records, print
#                       the ascii and the binary (base64) measurement lists between markers
#             show-ima: print the kernel command line and the ascii measurement list
#             kexec:    as dump-ima, then `styx load` the kernel and initramfs named by the
#                       environment (E2E_STYX: a static styx; E2E_KERNEL; E2E_NEXT_INITRD) with
#                       the running command line, measure more files, print the list as it is at
#                       exec time (markers "at-exec") and `styx exec`. With E2E_LOADER=kexec-c or
#                       kexec-s, Debian's kexec-tools (E2E_KEXEC: the binary, copied with the
#                       libraries it links) loads instead, with kexec_load (-c) or
#                       kexec_file_load (-s), and `kexec -e` executes: the control that loses
#                       the list. E2E_CHURN=N measures N more files (new ones, one record each)
#                       between the load and the exec.
#             kill-load: E2E_RUNS (default 100) times `styx load` of E2E_KERNEL with
#                       E2E_NEXT_INITRD, each killed with SIGKILL after a random delay up to the
#                       length of a whole load, then what is loaded checked against what
#                       `styx status` and /run/styx say (see kill-load-x86_64.sh); then one load
#                       left whole and executed
#             uefi:     sends what the kernel found of the firmware (/proc/iomem, /sys/firmware/fdt
#                       in base64, the ACPI tables' names, the EFI RTC's name and date: reading
#                       the date calls the firmware's GetTime runtime service); then, when built
#                       with E2E_STYX, E2E_KERNEL and E2E_NEXT_INITRD, `styx load --dry-run`,
#                       `styx load` (both with --reuse-cmdline --ima=skip: Debian's arm64 kernel
#                       cannot restore a list) and `styx exec`
#             chain:    a chain of kexecs through styx (E2E_STYX) into the kernels E2E_KERNEL and
#                       E2E_KERNEL2 by turns, E2E_HOPS (default 10) in all: each kernel (hop N,
#                       from e2e.hop=N on its command line) measures files as dump-ima, sends
#                       its list and PCRs tagged hop-N, and, while N < E2E_HOPS, loads the next
#                       kernel with a fresh cpio of the running initramfs and executes it
# Where the machine has a TPM, show-ima and kexec (right before executing) also send the binary
# list and every PCR of the sha1 and sha256 banks ("PCR-NN: hex", evmctl's format), tagged
# "next" and "at-exec".
# Every mode's /init says "e2e-init: reached init (MODE)" first and powers off at the end; what it
# reports goes to the results channel (init-lib.sh), never to the kernel's console.
set -eu

die() { echo "make-initramfs: $*" >&2; exit 1; }
[ $# -eq 4 ] || die "usage: make-initramfs.sh ARCH KERNELS_DIR OUT MODE"
arch=$1 kernels=$2 out=$3 mode=$4
case $arch in
  x86_64 | amd64) busybox=$kernels/busybox-amd64 ;;
  arm64 | aarch64) busybox=$kernels/busybox-arm64 ;;
  riscv64) busybox=$kernels/busybox-riscv64 ;;
  ppc64le | ppc64el) busybox=$kernels/busybox-ppc64le ;;
  s390x) busybox=$kernels/busybox-s390x ;;
  *) die "unknown ARCH $arch (x86_64, arm64, riscv64, ppc64le or s390x)" ;;
esac
case $mode in
  dump-ima | show-ima | kexec | chain | kill-load | uefi) ;;
  *) die "unknown MODE $mode (dump-ima, show-ima, kexec, chain, kill-load or uefi)" ;;
esac
[ -s "$busybox" ] || die "$busybox missing: run fetch-kernels.sh first"
command -v cpio >/dev/null || die "cpio not found"

stage=$(mktemp -d)
chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/etc/e2e"
cp "$busybox" "$stage/bin/busybox"
chmod 0755 "$stage/bin/busybox"
echo "$mode" >"$stage/etc/e2e/mode"
if [ "$mode" = kexec ]; then
  for f in "${E2E_STYX:-}" "${E2E_KERNEL:-}" "${E2E_NEXT_INITRD:-}"; do
    [ -s "$f" ] || die "kexec mode needs E2E_STYX, E2E_KERNEL and E2E_NEXT_INITRD (missing: '$f')"
  done
  mkdir -p "$stage/boot"
  cp "$E2E_STYX" "$stage/bin/styx"
  chmod 0755 "$stage/bin/styx"
  cp "$E2E_KERNEL" "$stage/boot/vmlinuz"
  cp "$E2E_NEXT_INITRD" "$stage/boot/next.cpio.gz"
  loader=${E2E_LOADER:-styx}
  case $loader in
    styx) ;;
    kexec-c | kexec-s)
      [ -x "${E2E_KEXEC:-}" ] || die "E2E_LOADER=$loader needs E2E_KEXEC (kexec-tools' kexec)"
      cp "$E2E_KEXEC" "$stage/bin/kexec"
      # The binary runs in the initramfs with the host's libraries (same architecture).
      for lib in $(ldd "$E2E_KEXEC" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
        mkdir -p "$stage$(dirname "$lib")"
        cp -L "$lib" "$stage$lib"
      done
      ;;
    *) die "unknown E2E_LOADER $loader (styx, kexec-c or kexec-s)" ;;
  esac
  echo "$loader" >"$stage/etc/e2e/loader"
  echo "${E2E_CHURN:-0}" >"$stage/etc/e2e/churn"
fi
if [ "$mode" = kill-load ]; then
  for f in "${E2E_STYX:-}" "${E2E_KERNEL:-}" "${E2E_NEXT_INITRD:-}"; do
    [ -s "$f" ] || die "kill-load mode needs E2E_STYX, E2E_KERNEL and E2E_NEXT_INITRD (missing: '$f')"
  done
  mkdir -p "$stage/boot" "$stage/run"
  cp "$E2E_STYX" "$stage/bin/styx"
  chmod 0755 "$stage/bin/styx"
  cp "$E2E_KERNEL" "$stage/boot/vmlinuz"
  cp "$E2E_NEXT_INITRD" "$stage/boot/next.cpio.gz"
  echo "${E2E_RUNS:-100}" >"$stage/etc/e2e/runs"
  cp "$(dirname "$0")/kill-load-init.sh" "$stage/etc/e2e/kill-load-init.sh"
fi
if [ "$mode" = uefi ] && [ -n "${E2E_STYX:-}" ]; then
  for f in "$E2E_STYX" "${E2E_KERNEL:-}" "${E2E_NEXT_INITRD:-}"; do
    [ -s "$f" ] || die "uefi mode with E2E_STYX needs E2E_KERNEL and E2E_NEXT_INITRD (missing: '$f')"
  done
  mkdir -p "$stage/boot"
  cp "$E2E_STYX" "$stage/bin/styx"
  chmod 0755 "$stage/bin/styx"
  cp "$E2E_KERNEL" "$stage/boot/vmlinuz"
  cp "$E2E_NEXT_INITRD" "$stage/boot/next.cpio.gz"
fi
if [ "$mode" = chain ]; then
  for f in "${E2E_STYX:-}" "${E2E_KERNEL:-}" "${E2E_KERNEL2:-}"; do
    [ -s "$f" ] || die "chain mode needs E2E_STYX, E2E_KERNEL and E2E_KERNEL2 (missing: '$f')"
  done
  mkdir -p "$stage/boot"
  cp "$E2E_STYX" "$stage/bin/styx"
  chmod 0755 "$stage/bin/styx"
  cp "$E2E_KERNEL" "$stage/boot/vmlinuz-0"
  cp "$E2E_KERNEL2" "$stage/boot/vmlinuz-1"
  echo "${E2E_HOPS:-10}" >"$stage/etc/e2e/hops"
fi

cp "$(dirname "$0")/init-lib.sh" "$stage/etc/e2e/init-lib.sh"
# The module behind the results channel, where Debian's kernel has it as one (init-lib.sh).
if [ -f "$kernels/virtio_console-$arch.ko" ]; then
  cp "$kernels/virtio_console-$arch.ko" "$stage/etc/e2e/virtio_console.ko"
fi

# No /dev/console node (making one needs root): init-lib.sh mounts devtmpfs and opens the
# console itself. Everything the host checks goes to the results channel (init-lib.sh).
cat >"$stage/init" <<'INIT'
#!/bin/busybox sh
. /etc/e2e/init-lib.sh
mode=$(cat /etc/e2e/mode)
result "e2e-init: reached init ($mode)"
ima=/sys/kernel/security/ima

pcrs() { # BANK: evmctl's text format
  n=0
  while [ $n -le 23 ]; do
    printf 'PCR-%02d: %s\n' $n "$(cat /sys/class/tpm/tpm0/pcr-$1/$n)"
    n=$((n + 1))
  done
}
report_tpm() { # TAG: the binary list and the PCRs, back to back
  [ -d /sys/class/tpm/tpm0/pcr-sha256 ] || return 0
  result_block "binary_runtime_measurements base64 $1" base64 $ima/binary_runtime_measurements
  result_block "pcr-sha1 $1" pcrs sha1
  result_block "pcr-sha256 $1" pcrs sha256
}

if [ "$mode" = kill-load ]; then
  . /etc/e2e/kill-load-init.sh
  results_end
  poweroff -f
fi

if [ "$mode" = uefi ]; then
  result_block iomem cat /proc/iomem
  result_block "fdt base64" base64 /sys/firmware/fdt
  result_block acpi-tables ls /sys/firmware/acpi/tables
  for r in /sys/class/rtc/rtc*; do
    # 6.1's name attribute is "DRIVER DEVICE": "rtc-efi rtc-efi.0".
    case "$(cat "$r/name" 2>/dev/null)" in rtc-efi*) ;; *) continue ;; esac
    result "e2e-init: EFI RTC ${r##*/}: $(cat "$r/date")"
  done
  if [ -x /bin/styx ]; then
    load() { styx load --kernel /boot/vmlinuz --initrd /boot/next.cpio.gz --reuse-cmdline --ima=skip "$@"; }
    result_block dry-run load --dry-run
    result_block load load
    styx exec >&3 2>&1
    result "e2e-init: styx exec returned"
  fi
  result "e2e-init: powering off"
  results_end
  poweroff -f
fi

if [ "$mode" != show-ima ]; then
  # Measure what initramfs programs execute and read; pseudo file systems stay out of the list.
  printf '%s\n' 'dont_measure fsmagic=0x9fa0' 'dont_measure fsmagic=0x62656572' \
    'dont_measure fsmagic=0x73636673' 'measure func=BPRM_CHECK' \
    'measure func=FILE_CHECK mask=MAY_READ' >$ima/policy ||
    result "e2e-init: cannot load the IMA policy"
  echo hello >/tmp/hello.txt
  cat /tmp/hello.txt /etc/e2e/mode /init >/dev/null
  echo 'a name with spaces' >'/tmp/name with spaces'
  cat '/tmp/name with spaces' >/dev/null
  : >/tmp/empty
  cat /tmp/empty
  busybox true
  exec 4>/tmp/open-for-write      # a reader while it is open for write: an open_writers violation
  cat /tmp/open-for-write
  exec 4>&-
fi

if [ "$mode" = kexec ]; then
  loader=$(cat /etc/e2e/loader)
  case $loader in
    styx) load() { styx load --kernel /boot/vmlinuz --initrd /boot/next.cpio.gz --reuse-cmdline; } ;;
    kexec-c | kexec-s)
      load() { kexec -${loader#kexec-} -l /boot/vmlinuz --initrd=/boot/next.cpio.gz --reuse-cmdline; } ;;
  esac
  result_block load load
  # Measured after the load: `styx exec` must notice and load again.
  echo 'measured after the load' >/tmp/after-load.txt
  cat /tmp/after-load.txt >/dev/null
  churn=$(cat /etc/e2e/churn)
  if [ "$churn" -gt 0 ]; then
    mkdir /tmp/churn
    i=0
    while [ $i -lt "$churn" ]; do
      echo "churn $i" >/tmp/churn/$i
      i=$((i + 1))
    done
    (cd /tmp/churn && find . -type f | xargs cat >/dev/null)
    result "e2e-init: measured $churn more files after the load"
  fi
  result_block at-exec cat $ima/ascii_runtime_measurements
  report_tpm at-exec
  # What the loader says before the reboot goes to the results channel (styx drains a terminal
  # before it reboots); the next kernel's /init appends to the same channel.
  if [ "$loader" = styx ]; then styx exec >&3 2>&1; else kexec -e >&3 2>&1; fi
  result "e2e-init: $loader exec returned"
  results_end
  poweroff -f
fi

if [ "$mode" = chain ]; then
  # The last e2e.hop= on the command line: each load appends one.
  hop=$(sed -n 's/.* e2e\.hop=\([0-9]*\).*/\1/p' /proc/cmdline)
  hop=${hop:-0}
  result "e2e-init: hop $hop, kernel $(uname -r)"
  report_tpm "hop-$hop"
  if [ "$hop" -lt "$(cat /etc/e2e/hops)" ]; then
    # The next initrd: this initramfs as it was unpacked (mount points kept empty).
    (cd / && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp \) -prune \
      -print -o -print | cpio -o -H newc >/tmp/next.cpio) 2>/dev/null
    next=$(((hop + 1) % 2))
    result_block "load hop-$hop" styx load --kernel /boot/vmlinuz-$next --initrd /tmp/next.cpio \
      --reuse-cmdline --append "e2e.hop=$((hop + 1))"
    styx exec >&3 2>&1
    result "e2e-init: styx exec returned"
  fi
  results_end
  poweroff -f
fi

result_block cmdline cat /proc/cmdline
result_block ascii_runtime_measurements cat $ima/ascii_runtime_measurements
[ "$mode" != show-ima ] || report_tpm next
if [ "$mode" = dump-ima ]; then
  result_block "binary_runtime_measurements base64" base64 $ima/binary_runtime_measurements
fi
result "e2e-init: powering off"
results_end
poweroff -f
INIT
chmod 0755 "$stage/init"

find "$stage" -exec touch -h -d @0 {} +
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
