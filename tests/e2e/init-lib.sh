# SPDX-License-Identifier: GPL-2.0-only
# The start of every e2e /init (busybox sh), installed as /etc/e2e/init-lib.sh and sourced first:
# mounts, then opens the results channel as file descriptor 3.
#
# The results channel is a serial line that only /init writes to: the kernel's console (and so
# every kernel message, at any log level) is elsewhere. The host asserts only what arrives there;
# a kernel message printed in the middle of a dump can no longer change what the host reads.
#   x86_64, arm64, riscv64  qemu's PCI 16550 (pci-serial, 1b36:0002), found through sysfs
#   ppc64le                 a second PAPR vty (spapr-vty), hvc1; the console is hvc0
#   s390x                   a virtio serial port named e2e.results (virtserialport on
#                           virtio-serial-ccw): not a terminal, so it can never be a console
#                           (the SCLP line-mode console would not do: the kernel's decompressor
#                           writes to it). Debian builds virtio_console as a module: the
#                           initramfs carries the one of the kernel it boots.
# lib.sh (e2e_results_args) adds the matching qemu device.

/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null

e2e_results_device() {
  case $(uname -m) in
    ppc64le) echo /dev/hvc1 ;;
    s390x)
      insmod /etc/e2e/virtio_console.ko 2>/dev/null || true
      # The port appears once the device has told the driver about it.
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        for p in /sys/class/virtio-ports/*; do
          [ "$(cat "$p/name" 2>/dev/null)" = e2e.results ] && echo "/dev/${p##*/}" && return 0
        done
        sleep 0.5
      done
      return 1
      ;;
    *)
      # The UART's tty sits somewhere below the PCI device (below a serial-core port device
      # since Linux 6.5).
      for d in /sys/bus/pci/devices/*; do
        [ "$(cat "$d/vendor" 2>/dev/null)" = 0x1b36 ] || continue
        [ "$(cat "$d/device" 2>/dev/null)" = 0x0002 ] || continue
        pci=$(readlink -f "$d")
        for t in /sys/class/tty/ttyS*; do
          case $(readlink -f "$t") in "$pci"/*) echo "/dev/${t##*/}" && return 0 ;; esac
        done
      done
      return 1
      ;;
  esac
}

e2e_results=$(e2e_results_device) && [ -c "$e2e_results" ] || {
  echo "e2e-init: no results channel ($(uname -m)); the host will report the test as failed"
  e2e_results=/dev/null
}
# Raw: no CR inserted before LF, nothing interpreted.
stty -F "$e2e_results" raw -echo 115200 2>/dev/null || true
exec 3>"$e2e_results"

# result LINE...: one line on the results channel, and a copy on the console for people reading
# the console log.
result() {
  printf '%s\n' "$*" >&3
  echo "$*"
}

# result_block NAME COMMAND...: COMMAND's output on the results channel between
# "----- e2e: begin NAME -----" and "----- e2e: end NAME -----".
result_block() {
  name=$1
  shift
  {
    echo "----- e2e: begin $name -----"
    "$@"
    echo "----- e2e: end $name -----"
  } >&3 2>&1
  echo "e2e-init: $name sent on the results channel"
}

# results_end: the last line the host requires before it trusts the channel; closing the
# descriptor waits until the line has left the UART.
results_end() {
  result "e2e-results: end"
  exec 3>&-
  sync
}
