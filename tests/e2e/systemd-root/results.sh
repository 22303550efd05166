# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the scripts of the systemd root (/etc/e2e/results.sh): opens the results channel,
# qemu's PCI 16550 (1b36:0002), as file descriptor 3. The console, and so every kernel message,
# is COM1; only these scripts write to this line (init-lib.sh does the same for busybox /init).
e2e_results=
for d in /sys/bus/pci/devices/*; do
  [ "$(cat "$d/vendor" 2>/dev/null)" = 0x1b36 ] && [ "$(cat "$d/device" 2>/dev/null)" = 0x0002 ] ||
    continue
  pci=$(readlink -f "$d")
  for t in /sys/class/tty/ttyS*; do
    case $(readlink -f "$t") in "$pci"/*) e2e_results=/dev/${t##*/} ;; esac
  done
done
[ -c "$e2e_results" ] || e2e_results=/dev/null
stty -F "$e2e_results" raw -echo 115200 2>/dev/null || true
exec 3>>"$e2e_results"
ima=/sys/kernel/security/ima

result() {
  printf '%s\n' "$*" >&3
  echo "$*"
}
result_block() {
  name=$1
  shift
  {
    echo "----- e2e: begin $name -----"
    "$@"
    echo "----- e2e: end $name -----"
  } >&3 2>&1
}
# No program is run here for the first time (cat ran above): one would be measured, and extend
# PCR 10, between the list's read and the PCRs', and the pair would never replay.
pcrs() { # BANK: evmctl's text format
  n=0
  while [ $n -le 23 ]; do
    printf 'PCR-%02d: %s\n' $n "$(cat /sys/class/tpm/tpm0/pcr-$1/$n)"
    n=$((n + 1))
  done
}
# send_list TAG: the binary list and both PCR banks, read back to back, for the host's replay.
send_list() {
  result_block "binary_runtime_measurements base64 $1" base64 $ima/binary_runtime_measurements
  result_block "pcr-sha1 $1" pcrs sha1
  result_block "pcr-sha256 $1" pcrs sha256
}
