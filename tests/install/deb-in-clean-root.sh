#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The .deb `cpack` makes, installed by apt into a clean Debian root (mmdebstrap, from the mirrors
# this system's apt uses), with its dependencies resolved from its own Depends: then the commands
# a new user runs first. Usage: deb-in-clean-root.sh BUILD_DIR WORK_DIR
set -eu
build=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
cpack --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/styx_*.deb)
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
# A result file outside the root: the hooks run inside mmdebstrap, their output interleaved.
results="$work/results"
# apt inside the root installs the file as a user would, resolving its Depends from the archive.
mmdebstrap --variant=apt \
  --customize-hook='copy-in '"$deb"' /tmp' \
  --customize-hook='chroot "$1" apt-get install -y --no-install-recommends /tmp/'"${deb##*/}" \
  --customize-hook='chroot "$1" styx --version >'"$results"'.version' \
  --customize-hook='chroot "$1" styx demo --arch arm64 >'"$results"'.demo' \
  --customize-hook='chroot "$1" styx kexec --help >'"$results"'.kexec' \
  --customize-hook='ls "$1"/usr/share/man/man1 "$1"/usr/share/bash-completion/completions \
      "$1"/usr/share/zsh/vendor-completions "$1"/usr/share/doc/styx >'"$results"'.files' \
  --customize-hook='chroot "$1" dpkg-query -W -f "\${Status}\n" styx >'"$results"'.status' \
  "$suite" /dev/null >"$work/mmdebstrap.log" 2>&1 || { tail -30 "$work/mmdebstrap.log"; exit 1; }

fail=0
expect() { grep -q -- "$2" "$results.$1" || { echo "FAIL: $1 lacks '$2':"; cat "$results.$1"; fail=1; }; }
expect status "install ok installed"
expect version "^styx "
expect demo "handed off to the next kernel"
expect demo "named segment 1 (initrd) as corrupt"
expect kexec "Usage: kexec"
for f in styx.1 styx-build.1 styx-load.1 styx-kexec.1 LICENSE _styx; do expect files "^$f\$"; done
grep -qx styx "$results.files" || { echo "FAIL: no bash completion"; fail=1; }
exit $fail
