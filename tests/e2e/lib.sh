# SPDX-License-Identifier: GPL-2.0-only
# Helpers shared by the e2e scripts (sourced; POSIX sh). Functions that run styx use $styx.
# shellcheck disable=SC2154,SC2034
# Every qemu run is bounded by E2E_TIMEOUT seconds (default 300), writes the guest's serial console
# to LOG and its results channel (init-lib.sh: a serial line only the test's /init writes to) to
# LOG with .results for .log, and reports its wall time. Checks read what /init reports from the
# results channel only. From the console they read only what the shim, the purgatory and the
# stand-in kernels print: those run while no kernel does, so no kernel message can enter their
# lines. On failure the script prints both logs of every run, and what changed in its inputs
# since the test last passed.
#
# ctest passes E2E_NAME (the test's name) and E2E_CACHE (the cache, see fetch-kernels.sh);
# e2e_passed records the inputs of a passing run in E2E_CACHE/last-pass/E2E_NAME, and a run that
# fails, however it fails, ends by comparing its inputs with those (the test's own script only:
# the scripts it runs inherit E2E_TOP).

E2E_TIMEOUT=${E2E_TIMEOUT:-300}
e2e_logs=""
e2e_inputs=""
if [ -z "${E2E_TOP:-}" ]; then
  export E2E_TOP=$$
  trap 'e2e_exit $?' EXIT
fi

e2e_exit() {
  case $1 in 0 | 77) ;; *) e2e_changes >&2 ;; esac
}

e2e_fail() {
  echo "FAIL: $*" >&2
  for l in $e2e_logs; do
    for f in "$l" "${l%.log}.results"; do
      [ -f "$f" ] || continue
      case $f in *.results) what="results channel" ;; *) what="serial console" ;; esac
      echo "----- $what $f -----" >&2
      tr -d '\r' <"$f" >&2
      echo "----- end of $f -----" >&2
    done
  done
  exit 1
}

# e2e_inputs_file: the versions of everything the test ran on (the fetched packages, qemu, the
# arm64 test kernel), one line each.
e2e_inputs_file() {
  out=$1
  : >"$out"
  for f in $e2e_inputs; do [ -f "$f" ] && cat "$f" >>"$out"; done
  dpkg-query -W -f '${Package} ${Version}\n' qemu-system-x86 qemu-system-arm qemu-system-misc \
    qemu-system-ppc qemu-system-s390x opensbi qemu-efi-aarch64 2>/dev/null >>"$out" || true
}

# e2e_changes: what differs between this run's inputs and those of the test's last pass.
e2e_changes() {
  [ -n "${E2E_NAME:-}" ] && [ -n "${E2E_CACHE:-}" ] || return 0
  last=$E2E_CACHE/last-pass/$E2E_NAME
  now=$(mktemp)
  e2e_inputs_file "$now"
  if [ ! -f "$last" ]; then
    echo "e2e: $E2E_NAME has not passed with this cache before; its inputs:"
    sed 's/^/e2e:   /' "$now"
  elif cmp -s "$last" "$now"; then
    echo "e2e: the inputs are those of the last pass ($(date -r "$last" '+%F %R')): Styx or the test changed"
  else
    echo "e2e: the inputs changed since the last pass ($(date -r "$last" '+%F %R')); - then, + now:"
    diff "$last" "$now" | sed -n 's/^\([<>]\) /\1 /p' | sed 's/^</e2e:   -/; s/^>/e2e:   +/'
  fi
  rm -f "$now"
}

# e2e_passed MESSAGE: records this run's inputs as the last that passed, and says MESSAGE.
e2e_passed() {
  if [ -n "${E2E_NAME:-}" ] && [ -n "${E2E_CACHE:-}" ]; then
    mkdir -p "$E2E_CACHE/last-pass"
    e2e_inputs_file "$E2E_CACHE/last-pass/$E2E_NAME.new"
    mv "$E2E_CACHE/last-pass/$E2E_NAME.new" "$E2E_CACHE/last-pass/$E2E_NAME"
  fi
  echo "e2e: $*"
}

# e2e_kernels DIR: the directory of the fetched kernels and busybox binaries (fetch-kernels.sh);
# their versions count among this test's inputs.
e2e_kernels() {
  [ -s "$1/versions.txt" ] || e2e_fail "$1/versions.txt missing: run fetch-kernels.sh first"
  e2e_inputs="$e2e_inputs $1/versions.txt"
}

# e2e_skip REASON: the feature under test does not exist yet (ctest: SKIP_RETURN_CODE 77).
e2e_skip() {
  echo "SKIP: $*"
  exit 77
}

e2e_need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || e2e_fail "$tool not found (see .ci/debian-packages)"
  done
}

# e2e_styx_has_kernel / e2e_styx_has_ima: whether $styx has `build --kernel` / `ima show` yet.
e2e_styx_has_kernel() { "$styx" build --help 2>&1 | grep -q -- '--kernel'; }
e2e_styx_has_ima() { "$styx" --help 2>&1 | grep -Eq '^ +ima( |$)'; }

e2e_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# e2e_results_args QEMU FILE: the qemu options of the results channel (init-lib.sh) into FILE.
e2e_results_args() {
  chardev="-chardev file,id=e2e-results,path=$2"
  case $1 in
    qemu-system-x86_64 | qemu-system-aarch64 | qemu-system-riscv64)
      echo "$chardev -device pci-serial,chardev=e2e-results" ;;
    qemu-system-ppc64) echo "$chardev -device spapr-vty,chardev=e2e-results" ;;
    qemu-system-s390x)
      echo "$chardev -device virtio-serial-ccw -device virtserialport,chardev=e2e-results,name=e2e.results" ;;
    *) e2e_fail "no results channel for $1" ;;
  esac
}

# e2e_qemu NAME LOG QEMU ARGS...: run qemu under the timeout with the console (COM1, UART0, hvc0,
# the SCLP VT220) in LOG and the results channel in e2e_results (LOG with .results for .log).
# Sets e2e_status to qemu's exit status (124: timed out) and e2e_poweroff to yes when the guest
# powered the machine off (qemu's own trace of the request, cause 6: guest shutdown; a reset under
# -no-reboot, a panic included, is not one), and prints the wall time.
e2e_qemu() {
  name=$1 log=$2
  shift 2
  e2e_logs="$e2e_logs $log"
  e2e_results=${log%.log}.results
  rm -f "$log" "$e2e_results"
  qemu=$1
  shift
  t0=$(e2e_now_ms)
  e2e_status=0
  # shellcheck disable=SC2046
  timeout "$E2E_TIMEOUT" "$qemu" "$@" $(e2e_results_args "$qemu" "$e2e_results") \
    -display none -monitor none -serial "file:$log" -no-reboot \
    -trace qemu_system_shutdown_request </dev/null >"$log.qemu.all" 2>&1 || e2e_status=$?
  e2e_poweroff=no
  if grep -q '^qemu_system_shutdown_request reason=6$' "$log.qemu.all"; then e2e_poweroff=yes; fi
  grep -v '^qemu_system_shutdown_request ' "$log.qemu.all" >"$log.qemu" || true
  rm -f "$log.qemu.all"
  t1=$(e2e_now_ms)
  ms=$((t1 - t0))
  echo "e2e: $name: qemu exit $e2e_status, wall time $((ms / 1000)).$((ms % 1000 / 100)) s"
  [ "$e2e_status" -ne 124 ] || e2e_fail "$name: qemu still running after ${E2E_TIMEOUT} s"
  if [ -s "$log.qemu" ]; then sed "s/^/e2e: $name: qemu: /" "$log.qemu"; fi
}

# qemu command lines. x86_64: the shim enters the image's ELF entry in long mode; no NIC (the iPXE
# option ROM would write into high RAM after the image is loaded).
e2e_qemu_x86_64() { # NAME LOG SHIM IMAGE [ARGS...]
  name=$1 log=$2 shim=$3 image=$4
  shift 4
  e2e_qemu "$name" "$log" qemu-system-x86_64 -machine q35 -cpu max -m 1024 -nic none \
    -kernel "$shim" -append "$(e2e_elf_entry "$image")" -device "loader,file=$image" "$@"
}
e2e_qemu_arm64() { # NAME LOG IMAGE [ARGS...]
  name=$1 log=$2 image=$3
  shift 3
  e2e_qemu "$name" "$log" qemu-system-aarch64 -machine virt -cpu cortex-a57 -m 1024 \
    -device "loader,file=$image" -device "loader,addr=$(e2e_elf_entry "$image"),cpu-num=0" "$@"
}

# e2e_uefi_arm64_firmware DIR: sets e2e_uefi_args to the qemu options that start an arm64 virt
# machine in Debian's UEFI firmware (qemu-efi-aarch64, AAVMF: its code read-only, a fresh copy of
# its variable store in DIR). With -kernel, the firmware runs the kernel's EFI stub (qemu hands it
# the Image and initrd through fw_cfg).
E2E_AAVMF_DIR=/usr/share/AAVMF
e2e_uefi_arm64_firmware() {
  for f in AAVMF_CODE.fd AAVMF_VARS.fd; do
    [ -s "$E2E_AAVMF_DIR/$f" ] || e2e_fail "$E2E_AAVMF_DIR/$f missing (qemu-efi-aarch64, see .ci/debian-packages)"
  done
  mkdir -p "$1"
  cp "$E2E_AAVMF_DIR/AAVMF_VARS.fd" "$1/AAVMF_VARS.fd"
  e2e_uefi_args="-drive if=pflash,format=raw,readonly=on,file=$E2E_AAVMF_DIR/AAVMF_CODE.fd"
  e2e_uefi_args="$e2e_uefi_args -drive if=pflash,format=raw,file=$1/AAVMF_VARS.fd"
}

# Debian's OpenSBI build whose next stage is at a fixed 0x80200000 (fw_dynamic needs -kernel).
E2E_OPENSBI_JUMP=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf

e2e_qemu_riscv64() { # NAME LOG IMAGE [ARGS...]
  name=$1 log=$2 image=$3
  shift 3
  e2e_qemu "$name" "$log" qemu-system-riscv64 -machine virt -m 1024 -bios "$E2E_OPENSBI_JUMP" \
    -device "loader,file=$image" "$@"
}

# e2e_elf_entry FILE: e_entry of an ELF file, in hex.
e2e_elf_entry() {
  readelf -h "$1" | sed -n 's/^ *Entry point address: *\(0x[0-9a-fA-F]*\).*/\1/p'
}

# e2e_segment IMAGE ROLE: seg_index, seg_addr, seg_size of the image's first segment with that role.
e2e_segment() {
  read -r seg_index seg_addr seg_size <<EOT || true
$("$styx" inspect "$1" | awk -v role="$2" '$2 == role && $1 ~ /^[0-9]+$/ { print $1, $3, $4; exit }')
EOT
  [ -n "$seg_addr" ] || e2e_fail "$1 has no $2 segment"
}

# e2e_flip_bit IMAGE ADDR OFFSET BIT: flip one bit of the PT_LOAD placed at ADDR, in place.
e2e_flip_bit() {
  addr=$(printf '%d' "$2")
  off=$(readelf -lW "$1" | awk '$1 == "LOAD" { print $2, $4 }' | while read -r o p; do
    [ "$(printf '%d' "$p")" -eq "$addr" ] && printf '%d\n' "$o"
  done | head -n 1)
  [ -n "$off" ] || e2e_fail "no PT_LOAD at $2 in $1"
  pos=$((off + $3))
  byte=$(od -An -tu1 -j "$pos" -N1 "$1" | tr -d ' ')
  printf '%b' "\\0$(printf '%o' $((byte ^ (1 << $4))))" |
    dd of="$1" bs=1 seek="$pos" conv=notrunc status=none
}

# e2e_expect LOG TEXT WHAT / e2e_reject LOG TEXT WHAT: a fixed string is (not) in LOG: the
# console for what the purgatory, the shim or a stand-in kernel prints, the results channel for
# what /init reports.
e2e_expect() {
  tr -d '\r' <"$1" | grep -qF -- "$2" || e2e_fail "$3: no \"$2\" in $1"
  echo "e2e: ok: $3"
}
e2e_reject() {
  if tr -d '\r' <"$1" | grep -qF -- "$2"; then e2e_fail "$3: \"$2\" in $1"; fi
  echo "e2e: ok: $3"
}

# e2e_expect_poweroff WHAT: the last qemu run ended with the guest powering the machine off.
e2e_expect_poweroff() {
  [ "$e2e_poweroff" = yes ] || e2e_fail "$1: the machine was not powered off"
  echo "e2e: ok: $1"
}

# e2e_results_complete RESULTS: the results channel holds /init's last line, so nothing was cut.
e2e_results_complete() {
  tr -d '\r' <"$1" | grep -qx 'e2e-results: end' ||
    e2e_fail "the results channel $1 ends before /init's last line"
}

# e2e_between RESULTS NAME: the lines between "----- e2e: begin NAME -----" and its end marker.
e2e_between() {
  tr -d '\r' <"$1" | sed -n "/^----- e2e: begin $2 -----\$/,/^----- e2e: end $2 -----\$/p" |
    sed '1d;$d'
}

# e2e_expect_carried_first RESULTS CARRIED WORK: the kernel's measurement list in RESULTS (sent
# by the show-ima init) starts with exactly the records in CARRIED (`styx ima show` output), followed by
# the kernel's own boot_aggregate.
e2e_expect_carried_first() {
  e2e_between "$1" ascii_runtime_measurements >"$3/measurements"
  n=$(wc -l <"$2")
  head -n "$n" "$3/measurements" >"$3/measurements.carried"
  if ! cmp -s "$2" "$3/measurements.carried"; then
    diff "$2" "$3/measurements.carried" || true
    e2e_fail "the kernel's list does not start with the $n carried records (diff: styx ima show, kernel)"
  fi
  echo "e2e: ok: the kernel lists the $n carried records first"
  sed -n "$((n + 1))p" "$3/measurements" | grep -q ' boot_aggregate $' ||
    e2e_fail "record $((n + 1)) is not the kernel's own boot_aggregate"
  echo "e2e: ok: then its own boot_aggregate"
}

# e2e_arm64_ima_kernel CACHE: sets kernel to the small arm64 kernel with IMA_KEXEC (arm64-kernel/,
# built and cached on first use: minutes).
e2e_arm64_ima_kernel() {
  kernel=$("$here/arm64-kernel/build.sh" "$1") || {
    tail -n 40 "$(ls -t "$1"/arm64-ima-kernel/*/build.log | head -n 1)" 2>/dev/null || true
    e2e_fail "could not build the arm64 IMA kernel"
  }
  e2e_inputs="$e2e_inputs $(dirname "$kernel")/stamp"
}

# e2e_kexec_initramfs ARCH KERNELS STYX KERNEL WORK: WORK/kexec.cpio.gz, whose /init loads KERNEL
# with WORK/next.cpio.gz (show-ima) through STYX (a static styx for ARCH) and executes it.
e2e_kexec_initramfs() {
  "$here/make-initramfs.sh" "$1" "$2" "$5/next.cpio.gz" show-ima
  E2E_STYX=$3 E2E_KERNEL=$4 E2E_NEXT_INITRD=$5/next.cpio.gz \
    "$here/make-initramfs.sh" "$1" "$2" "$5/kexec.cpio.gz" kexec
}

# e2e_expect_kexec LOG WORK: a real kexec (make-initramfs.sh mode kexec, the next kernel with the
# show-ima initramfs), from the results channel of LOG and the purgatory's lines on its console.
# Checks: `styx load` loaded; `styx exec` noticed the measurements taken after the load and
# loaded again; the purgatory ran once and verified; the second kernel lists every record the
# first had at exec time, in order, then any that `styx exec` itself caused, then its own
# boot_aggregate.
e2e_expect_kexec() {
  log=$1 results=${1%.log}.results
  e2e_results_complete "$results"
  e2e_expect "$results" "e2e-init: reached init (kexec)" "the first kernel reached init"
  e2e_between "$results" load >"$2/load.out"
  grep -q '^styx: loaded ' "$2/load.out" || e2e_fail "styx load did not load (see the load lines)"
  echo "e2e: ok: styx load: $(grep '^styx: IMA' "$2/load.out")"
  e2e_expect "$results" "styx: the IMA list grew from " "styx exec loaded again with the newer list"
  e2e_expect "$results" "styx: starting the loaded image" "styx exec rebooted"
  e2e_reject "$results" "e2e-init: styx exec returned" "the reboot did not fail"

  # The purgatory runs once, between the kernels (the kexec entry is the purgatory), and says so
  # on the console while no kernel runs.
  runs=$(tr -d '\r' <"$log" | grep -c 'styx: purgatory for ' || true)
  [ "$runs" -eq 1 ] || e2e_fail "the purgatory ran $runs times, not once"
  e2e_expect "$log" "styx: verified " "the purgatory verified every segment"
  echo "e2e: ok: the purgatory verified between the kernels:"
  tr -d '\r' <"$log" | grep -o 'styx: .*' | sed 's/^/e2e:   /'
  e2e_expect "$results" "e2e-init: reached init (show-ima)" "the second kernel reached init"

  # The list sent right before `styx exec` must come first; `styx exec` itself may add records
  # (it reads its state file) before it snapshots, and says how many it carries.
  e2e_between "$results" at-exec >"$2/at-exec"
  n=$(wc -l <"$2/at-exec")
  [ "$n" -gt 1 ] || e2e_fail "the first kernel's list at exec time is empty"
  carried=$(tr -d '\r' <"$results" |
    sed -n 's/^styx: the IMA list grew from [0-9]* to \([0-9]*\) measurements.*/\1/p')
  [ "$carried" -ge "$n" ] || e2e_fail "styx exec carried $carried records, the list had $n"
  e2e_between "$results" ascii_runtime_measurements >"$2/second"
  head -n "$n" "$2/second" >"$2/second.head"
  cmp -s "$2/at-exec" "$2/second.head" || {
    diff "$2/at-exec" "$2/second.head" || true
    e2e_fail "the second kernel's list does not start with the first kernel's $n records"
  }
  echo "e2e: ok: the second kernel lists the first kernel's $n records at exec time first"
  sed -n "$((carried + 1))p" "$2/second" | grep -q ' boot_aggregate $' ||
    e2e_fail "record $((carried + 1)) is not the second kernel's own boot_aggregate"
  echo "e2e: ok: then $((carried - n)) record(s) styx exec caused, then its own boot_aggregate"
}

# e2e_swtpm DIR: starts a fresh software TPM 2.0 (swtpm) with its state in DIR and sets
# e2e_tpm_args to the qemu options that put it behind tpm-tis; e2e_swtpm_stop ends it.
e2e_swtpm() {
  e2e_need swtpm
  e2e_swtpm_stop
  rm -rf "$1" && mkdir -p "$1"
  swtpm socket --tpmstate "dir=$1" --ctrl "type=unixio,path=$1/sock" --tpm2 \
    --flags not-need-init,startup-clear --pid "file=$1/pid" --log "file=$1/log" -d ||
    e2e_fail "swtpm did not start (see $1/log)"
  e2e_swtpm_dir=$1
  e2e_tpm_args="-chardev socket,id=chrtpm,path=$1/sock -tpmdev emulator,id=tpm0,chardev=chrtpm"
}
e2e_swtpm_stop() {
  if [ -n "${e2e_swtpm_dir:-}" ] && [ -f "$e2e_swtpm_dir/pid" ]; then
    kill "$(cat "$e2e_swtpm_dir/pid")" 2>/dev/null || true
  fi
  e2e_swtpm_dir=""
}

# e2e_attested RESULTS TAG WORK: whether the binary list /init sent under TAG replays to the PCRs
# it sent with it, by evmctl (ima-evm-utils), the tool remote verifiers use, and by
# `$styx ima replay` on the same files: the two must agree, or the test fails. The lists hold an
# open-writers violation, which the kernel extends as all ones: evmctl replays it so with
# --ignore-violations (without it, evmctl extends the record's zeros and no list with a
# violation ever matches). Writes
# WORK/TAG.list, WORK/TAG.pcr-sha1, WORK/TAG.pcr-sha256 and evmctl's output to WORK/TAG.evmctl.
e2e_attested() {
  e2e_between "$1" "binary_runtime_measurements base64 $2" | base64 -d >"$3/$2.list" ||
    e2e_fail "$2: the binary list on the results channel is not base64"
  [ -s "$3/$2.list" ] || e2e_fail "$2: no binary list on the results channel"
  for bank in sha1 sha256; do
    e2e_between "$1" "pcr-$bank $2" >"$3/$2.pcr-$bank"
    [ "$(wc -l <"$3/$2.pcr-$bank")" -eq 24 ] || e2e_fail "$2: not 24 $bank PCRs on the results channel"
  done
  evmctl_ok=yes styx_ok=yes
  evmctl ima_measurement --ignore-violations --pcrs "sha256,$3/$2.pcr-sha256" \
    --pcrs "sha1,$3/$2.pcr-sha1" "$3/$2.list" >"$3/$2.evmctl" 2>&1 || evmctl_ok=no
  "$styx" ima replay "$3/$2.list" --pcrs "sha256,$3/$2.pcr-sha256" --pcrs "sha1,$3/$2.pcr-sha1" \
    >"$3/$2.replay" 2>&1 || styx_ok=no
  [ "$evmctl_ok" = "$styx_ok" ] || {
    cat "$3/$2.evmctl" "$3/$2.replay"
    e2e_fail "$2: evmctl and styx ima replay disagree (evmctl matched: $evmctl_ok, styx: $styx_ok)"
  }
  echo "e2e: $2: evmctl: $(tail -n 1 "$3/$2.evmctl")"
  echo "e2e: $2: styx ima replay: $(grep -E '^(matched|diverged|no number)' "$3/$2.replay" | head -n 1)"
  [ "$evmctl_ok" = yes ]
}
