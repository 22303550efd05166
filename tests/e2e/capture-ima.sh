#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: capture-ima.sh KERNELS_DIR OUT_DIR [WORK_DIR]   (WORK_DIR: default a temporary one)
# Boots the Debian amd64 kernel from KERNELS_DIR (fetch-kernels.sh) in qemu with the dump-ima
# initramfs and saves the kernel's own IMA measurement lists from the results channel:
#   OUT_DIR/debian12-amd64-binary_runtime_measurements
#   OUT_DIR/debian12-amd64-ascii_runtime_measurements
# tests/data/ima/ holds the committed capture; see its README.md.
set -eu
[ $# -ge 2 ] || { echo "usage: capture-ima.sh KERNELS_DIR OUT_DIR [WORK_DIR]" >&2; exit 2; }
kernels=$1 out=$2 work=${3:-}
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-x86_64 base64

if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work" "$out"
"$here/make-initramfs.sh" x86_64 "$kernels" "$work/dump-ima.cpio.gz" dump-ima
e2e_qemu capture-ima "$work/capture-ima.log" qemu-system-x86_64 -machine q35 -cpu max -m 1024 \
  -nic none -kernel "$kernels/vmlinuz-amd64" -initrd "$work/dump-ima.cpio.gz" \
  -append "console=ttyS0 ima_policy=tcb panic=-1"
results=$work/capture-ima.results
e2e_results_complete "$results"
e2e_expect "$results" "e2e-init: powering off" "the dump-ima init ran to the end"

e2e_between "$results" ascii_runtime_measurements >"$work/ascii"
e2e_between "$results" "binary_runtime_measurements base64" | base64 -d >"$work/binary" ||
  e2e_fail "the binary list on the results channel is not base64"
records=$(wc -l <"$work/ascii")
[ "$records" -gt 1 ] || e2e_fail "no measurements besides boot_aggregate"
head -n 1 "$work/ascii" | grep -q ' boot_aggregate $' || e2e_fail "the list does not start with boot_aggregate"
mv "$work/ascii" "$out/debian12-amd64-ascii_runtime_measurements"
mv "$work/binary" "$out/debian12-amd64-binary_runtime_measurements"
echo "e2e: captured $records records ($(wc -c <"$out/debian12-amd64-binary_runtime_measurements") bytes) into $out"
