#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: systemd-kexec-x86_64.sh STYX BUILD_DIR KERNELS_DIR WORK_DIR [styx|kexec-tools]...
# `systemctl kexec` on a real systemd system: a Debian 12 root built from Debian packages
# (mmdebstrap; cached by package list in E2E_CACHE/systemd-root) with systemd v252 as init, the
# .deb `cpack` makes for this build unpacked into it and /usr/sbin/kexec a link to styx (the
# /sbin/kexec systemd-shutdown executes, merged /usr). Debian's amd64 kernel boots it as its
# initramfs under qemu (TCG) with a software TPM 2.0; systemd loads /etc/ima/ima-policy.
#   first boot   /boot on its own tmpfs; `kexec --load /boot/vmlinuz --append=... --initrd=...`
#                (systemd v252's own call), more measurements, `systemctl kexec`; systemd's
#                shutdown hook, run after the file systems are unmounted and right before
#                `kexec -e`, reads one more file and sends the list and the PCRs;
#   second boot  (e2e.boot=second) sends its list and PCRs.
# Passes when the second kernel's list holds the hook's list whole, up to its last measurement,
# and replays to the TPM (evmctl and `styx ima replay`), which only a `kexec -e` that rebuilt
# after the hook can give: the load alone carries the list as it was at the load. The control,
# kexec-tools (Debian's, in the same root) as /sbin/kexec, must lose the list: its second list
# must not replay. Without a mode, both run.
set -eu
[ $# -ge 4 ] || {
  echo "usage: systemd-kexec-x86_64.sh STYX BUILD_DIR KERNELS_DIR WORK_DIR [styx|kexec-tools]..." >&2
  exit 2
}
styx=$1 build=$2 kernels=$3 work=$4
shift 4
modes=${*:-styx kexec-tools}
here=$(cd "$(dirname "$0")" && pwd)
E2E_TIMEOUT=${E2E_TIMEOUT:-600}
. "$here/lib.sh"
e2e_need qemu-system-x86_64 cpio lz4 swtpm evmctl mmdebstrap cpack dpkg-deb sha256sum
e2e_kernels "$kernels"
[ "$(id -u)" -eq 0 ] || e2e_skip "mmdebstrap builds the root as root only here"
mkdir -p "$work"
work=$(cd "$work" && pwd)
trap 'e2e_swtpm_stop; e2e_exit $?' EXIT

# The .deb of this build, and the packages its Depends name (without versions: the archive's).
rm -rf "$work/deb" && mkdir -p "$work/deb"
cpack --config "$build/CPackConfig.cmake" -B "$work/deb" >"$work/deb/cpack.log" 2>&1 ||
  { cat "$work/deb/cpack.log"; e2e_fail "cpack did not make the .deb"; }
deb=$(ls "$work"/deb/styx_*.deb)
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | grep . | sort)

# The root: systemd as init, kexec-tools for the control, what styx needs (the libraries its .deb
# depends on today, so that the key stays while they do, and whatever its Depends add); docs left
# out. Cached by everything that decides its contents.
base="systemd systemd-sysv kexec-tools libc6 libgcc-s1 libssl3 libstdc++6 libunicorn2 libzydis4.0 zlib1g"
# shellcheck disable=SC2086
packages=$(printf '%s\n' $base $depends | sort -u | tr '\n' ' ')
suite=bookworm
options="--variant=minbase --dpkgopt=path-exclude=/usr/share/doc/* --dpkgopt=path-exclude=/usr/share/man/* --dpkgopt=path-exclude=/usr/share/locale/* --dpkgopt=path-exclude=/usr/share/info/*"
key=$(printf '%s\n' "$suite" "$options" "$packages" | sha256sum | cut -c1-16)
cache=${E2E_CACHE:-$HOME/.cache/styx-e2e}/systemd-root/$key
if [ ! -s "$cache/root.cpio.lz4" ]; then
  echo "e2e: building the Debian root ($packages) into $cache"
  t0=$(e2e_now_ms)
  rm -rf "$cache.new" && mkdir -p "$cache.new"
  # shellcheck disable=SC2086
  mmdebstrap $options --include="$(echo $packages | tr ' ' ',')" \
    --customize-hook='chroot "$1" dpkg-query -W -f "\${Package} \${Version}\n" >"$1/../packages.txt"' \
    "$suite" "$cache.new/root" >"$cache.new/mmdebstrap.log" 2>&1 ||
    { tail -n 30 "$cache.new/mmdebstrap.log"; e2e_fail "mmdebstrap could not build the root"; }
  # lz4 (legacy format, as the kernel reads it): under TCG it unpacked in 12 s where gzip -1 took
  # 33 s (one measurement each, on a loaded machine), and the root is unpacked at each boot.
  (cd "$cache.new/root" && find . -print0 | cpio --null -o -H newc --quiet) | lz4 -l -q \
    >"$cache.new/root.cpio.lz4"
  rm -rf "$cache.new/root"
  rm -rf "$cache" && mv "$cache.new" "$cache"
  echo "e2e: root built in $((($(e2e_now_ms) - t0) / 1000)) s"
fi
e2e_inputs="$e2e_inputs $cache/packages.txt"
echo "e2e: root $cache/root.cpio.lz4: $(($(stat -c %s "$cache/root.cpio.lz4") / 1048576)) MiB, $(wc -l <"$cache/packages.txt") packages"

# overlay MODE DIR: what the cached root lacks, as a second cpio: styx from the .deb, the test's
# units and scripts, /init for the kernel to run (systemd), and /usr/sbin/kexec: styx, or
# kexec-tools' own (the control).
overlay() {
  o=$2/overlay
  rm -rf "$o" && mkdir -p "$o/etc/e2e" "$o/etc/ima" "$o/etc/systemd/system/multi-user.target.wants" \
    "$o/usr/lib/systemd/system-shutdown" "$o/usr/sbin"
  dpkg-deb -x "$deb" "$o"
  [ "$1" = styx ] && ln -s ../bin/styx "$o/usr/sbin/kexec"
  ln -s /sbin/init "$o/init"
  cp "$here/systemd-root/results.sh" "$here/systemd-root/first.sh" "$here/systemd-root/second.sh" \
    "$o/etc/e2e/"
  cp "$here/systemd-root/ima-policy" "$o/etc/ima/ima-policy"
  cp "$here/systemd-root/shutdown-hook.sh" "$o/usr/lib/systemd/system-shutdown/e2e"
  for b in first second; do
    cp "$here/systemd-root/e2e-$b.service" "$o/etc/systemd/system/"
    ln -s ../e2e-$b.service "$o/etc/systemd/system/multi-user.target.wants/e2e-$b.service"
  done
  # No udev here: a getty would wait for its device unit. kexec-tools' own units stay out of it.
  for u in serial-getty@.service getty@.service kexec-load.service kexec.service; do
    ln -s /dev/null "$o/etc/systemd/system/$u"
  done
  chmod 0755 "$o/etc/e2e/first.sh" "$o/etc/e2e/second.sh" "$o/usr/lib/systemd/system-shutdown/e2e"
  # The kernel makes no parent directory itself; directories the root has only get their mode
  # again (none of these is one of its usr-merge links: /bin, /sbin, /lib).
  (cd "$o" && find . -mindepth 1 -print0 | cpio --null -o -H newc --quiet) | lz4 -l -q >"$2/overlay.cpio.lz4"
}

kernel=$kernels/vmlinuz-amd64
run() { # MODE: one boot through `systemctl kexec`; sets verdict_at_hook and verdict_next
  dir=$work/$1
  rm -rf "$dir" && mkdir -p "$dir"
  overlay "$1" "$dir"
  # The second boot's initramfs: the same root. The first boot's: that, plus /boot-image with the
  # kernel and the second initramfs (first.sh moves them onto its /boot).
  cat "$cache/root.cpio.lz4" "$dir/overlay.cpio.lz4" >"$dir/initrd.img"
  mkdir -p "$dir/boot/boot-image"
  cp "$kernel" "$dir/boot/boot-image/vmlinuz"
  cp "$dir/initrd.img" "$dir/boot/boot-image/initrd.img"
  (cd "$dir/boot" && find . -mindepth 1 -print0 | cpio --null -o -H newc --quiet) >"$dir/boot.cpio"
  # The uncompressed archive first: a legacy lz4 stream has no end mark, its decoder reads to the
  # end of the initramfs.
  cat "$dir/boot.cpio" "$dir/initrd.img" >"$dir/first.img"
  rm -rf "$dir/boot" "$dir/overlay"
  e2e_swtpm "$dir/tpm"
  # shellcheck disable=SC2086
  e2e_qemu "$1" "$work/$1.log" qemu-system-x86_64 -machine q35 -cpu max -m 1536 -nic none \
    $e2e_tpm_args -device tpm-tis,tpmdev=tpm0 -kernel "$kernel" -initrd "$dir/first.img" \
    -append "console=ttyS0 panic=-1 no_timer_check e2e.boot=first"
  e2e_swtpm_stop
  rm -f "$dir/first.img" "$dir/boot.cpio"
  r=$work/$1.results
  e2e_results_complete "$r"
  e2e_expect "$r" "e2e-first: reached the first boot, systemd 252" "$1: systemd 252 ran the first boot"
  e2e_expect "$r" "e2e-hook: systemd-shutdown runs the hooks for: kexec" \
    "$1: systemd-shutdown went on to kexec"
  e2e_expect "$r" "e2e-hook: /boot unmounted" "$1: /boot was unmounted before the kexec"
  e2e_expect "$r" "e2e-second: reached the second boot" "$1: the second kernel reached systemd"
  e2e_expect_poweroff "$1: the second boot powered off"
  e2e_between "$r" at-hook >"$dir/at-hook"
  grep -q ' /var/tmp/e2e-at-shutdown *$' "$dir/at-hook" ||
    e2e_fail "$1: the hook's list lacks its own last measurement"
  grep -q ' /var/tmp/e2e-after-load-3 *$' "$dir/at-hook" ||
    e2e_fail "$1: the hook's list lacks the measurements after the load"
  echo "e2e: $1: the list at the hook: $(wc -l <"$dir/at-hook") records"
  e2e_between "$r" ascii_runtime_measurements >"$dir/second"
  echo "e2e: $1: the second kernel's list: $(wc -l <"$dir/second") records"
  for tag in at-hook next; do
    if e2e_attested "$r" $tag "$dir"; then v=matched; else v=failed; fi
    eval "verdict_$(echo $tag | tr - _)=$v"
  done
  [ "$verdict_at_hook" = matched ] ||
    e2e_fail "$1: the first kernel's list at the hook does not replay: the check itself is broken"
}

for mode in $modes; do
  case $mode in
    styx)
      run styx
      e2e_expect "$work/styx.results" "e2e-first: kexec is /usr/bin/styx" "styx: /sbin/kexec is styx"
      e2e_expect "$work/styx.results" "styx: loaded " "styx: kexec --load loaded"
      e2e_expect "$work/styx.results" "; kept as /run/styx/files/initrd." \
        "styx: the load kept its initrd in /run"
      runs=$(tr -d '\r' <"$work/styx.log" | grep -c 'styx: purgatory for ' || true)
      [ "$runs" -eq 1 ] || e2e_fail "styx: the purgatory ran $runs times, not once"
      e2e_expect "$work/styx.log" "styx: verified " "styx: the purgatory verified every segment"
      n=$(wc -l <"$work/styx/at-hook")
      head -n "$n" "$work/styx/second" | cmp -s - "$work/styx/at-hook" ||
        e2e_fail "styx: the second kernel's list does not start with the $n records of the hook's"
      echo "e2e: ok: styx: the second kernel lists the hook's $n records first, the last read after the unmount"
      [ "$verdict_next" = matched ] ||
        e2e_fail "styx: the second kernel's list does not replay to the TPM (the list was not carried whole)"
      echo "e2e: ok: styx: the second kernel's list replays to the TPM"
      ;;
    kexec-tools)
      run kexec-tools
      e2e_expect "$work/kexec-tools.results" "e2e-first: kexec is /usr/sbin/kexec" \
        "kexec-tools: /sbin/kexec is kexec-tools'"
      [ "$verdict_next" = failed ] ||
        e2e_fail "kexec-tools: the second kernel's list replays: the verdict cannot tell a lost list"
      echo "e2e: ok: control kexec-tools: the second kernel's list does not replay (kexec-tools lost it)"
      ;;
    *) e2e_fail "unknown mode $mode" ;;
  esac
done
e2e_passed "systemd-kexec-x86_64 passed ($modes)"
