#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: zknh-riscv64.sh STYX KERNEL_BIN WORK_DIR
# The riscv64 purgatory's Zknh routine on a CPU that has it: qemu-system-riscv64 with
# `-cpu rv64,zknh=true` (qemu 7.2 then writes "_zknh" into each cpu node's riscv,isa), OpenSBI's
# fw_jump, the purgatory in S-mode, the smoke test's stand-in kernel. The device tree segment is
# qemu's own tree for that -cpu, at boot argument a1. Checks, from the console:
# - zknh on, tree says so: `styx: sha256: zknh`, both segments verified, the kernel started; a
#   flipped data bit is named under the routine and the kernel never starts;
# - zknh off, tree says so: `styx: sha256: generic (zknh: riscv,isa ... lacks zknh)`;
# - zknh off, tree claims it (a tree that lies): the probe traps, OpenSBI redirects the illegal
#   instruction to the purgatory's own stvec, and the generic code verifies and boots.
set -eu
[ $# -eq 3 ] || { echo "usage: zknh-riscv64.sh STYX KERNEL_BIN WORK_DIR" >&2; exit 2; }
styx=$1 kernel=$2 work=$3
. "$(dirname "$0")/lib.sh"
e2e_need qemu-system-riscv64 readelf
[ -f "$E2E_OPENSBI_JUMP" ] || e2e_skip "no $E2E_OPENSBI_JUMP (Debian package opensbi)"

mem=0x80200000:0x3fe00000 kaddr=0x80400000 daddr=0x81000000 dtbaddr=0x82000000
with=rv64,zknh=true without=rv64,zknh=false
mkdir -p "$work"
head -c 1048576 /dev/urandom >"$work/data.bin"

for cpu in with without; do
  eval "spec=\$$cpu"
  qemu-system-riscv64 -machine "virt,dumpdtb=$work/$cpu.dtb" -cpu "$spec" -m 1024 -display none \
    -bios "$E2E_OPENSBI_JUMP" >/dev/null 2>&1 || e2e_fail "qemu -cpu $spec dumpdtb"
  "$styx" build --arch riscv64 --segment "kernel=$kernel@$kaddr" \
    --segment "data=$work/data.bin@$daddr" --segment "dtb=$work/$cpu.dtb@$dtbaddr" \
    --entry "$kaddr" --boot-arg "a1=$dtbaddr" --mem "$mem" --on-failure reset \
    --purgatory-addr 0x80200000 -o "$work/$cpu.img" || e2e_fail "styx build ($cpu zknh)"
done
grep -q '_zknh' "$work/with.dtb" || e2e_fail "qemu's tree for -cpu $with does not name zknh"
cp "$work/with.img" "$work/bad.img"
e2e_flip_bit "$work/bad.img" "$daddr" 4660 3

started="e2e-kernel: started, a1=$(printf '0x%016x' "$dtbaddr")"

e2e_qemu_riscv64 zknh "$work/zknh.log" "$work/with.img" -cpu "$with"
e2e_expect "$work/zknh.log" "styx: sha256: zknh" "the purgatory chose the Zknh routine"
e2e_expect "$work/zknh.log" "styx: verified 3 segments" "the Zknh routine verified the image"
e2e_expect "$work/zknh.log" "$started" "kernel started after the Zknh routine"

e2e_qemu_riscv64 zknh-bad "$work/zknh-bad.log" "$work/bad.img" -cpu "$with"
e2e_expect "$work/zknh-bad.log" "styx: sha256: zknh" "the Zknh routine hashed the corrupt image"
e2e_expect "$work/zknh-bad.log" "styx: FAIL segment 1 (data)" "the Zknh routine named the flipped segment"
e2e_reject "$work/zknh-bad.log" "e2e-kernel: started" "kernel not started after a failure"

e2e_qemu_riscv64 no-zknh "$work/no-zknh.log" "$work/without.img" -cpu "$without"
e2e_expect "$work/no-zknh.log" "styx: sha256: generic (zknh: riscv,isa of the cpu nodes lacks zknh)" \
  "the generic code on a CPU without Zknh"
e2e_expect "$work/no-zknh.log" "$started" "kernel started after the generic code"

e2e_qemu_riscv64 lying-tree "$work/lying-tree.log" "$work/with.img" -cpu "$without"
e2e_expect "$work/lying-tree.log" \
  "styx: sha256: generic (zknh: the device tree claims zknh, but its instructions trap)" \
  "the probe's trap was caught and the generic code chosen"
e2e_expect "$work/lying-tree.log" "styx: verified 3 segments" "the generic code verified the image"
e2e_expect "$work/lying-tree.log" "$started" "kernel started after the caught trap"
e2e_passed "zknh-riscv64 passed"
