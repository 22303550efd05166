#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: build.sh CACHE_DIR
# Builds a small arm64 Linux 6.1 kernel with IMA and KEXEC_FILE (hence HAVE_IMA_KEXEC, so it restores
# an IMA measurement list handed over in /chosen/linux,ima-kexec-buffer) from Debian's
# linux-source-6.1, and prints the path of its Image on stdout. CACHE_DIR/arm64-ima-kernel/KEY/Image
# (KEY: a digest of the inputs) is reused while its inputs are the same (the stamp: config.fragment's SHA-256, the versions of
# linux-source-6.1 and the cross compiler) and it still has the SHA-256 recorded after the build.
set -eu

die() { echo "arm64-kernel/build.sh: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: build.sh CACHE_DIR"
fragment=$(cd "$(dirname "$0")" && pwd)/config.fragment
[ -f "$fragment" ] || die "$fragment missing"
# The source version is the installed package's, else that of the package apt would fetch.
source_version=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null ||
  apt-cache show --no-all-versions linux-source-6.1 2>/dev/null | sed -n 's/^Version: //p')
want="fragment $(sha256sum "$fragment" | cut -d' ' -f1)
linux-source-6.1 ${source_version:-unknown}
gcc-aarch64-linux-gnu $(dpkg-query -W -f '${Version}' gcc-aarch64-linux-gnu 2>/dev/null || echo unknown)"
# One directory per set of inputs, so that clones at different revisions share the cache without
# rebuilding each other's kernel.
key=$(echo "$want" | sha256sum | cut -c1-16)
mkdir -p "$1/arm64-ima-kernel/$key" || die "cannot create $1/arm64-ima-kernel/$key"
out=$(cd "$1/arm64-ima-kernel/$key" && pwd)
image=$out/Image stamp=$out/stamp log=$out/build.log src=$out/src

# One build at a time per cache; a second caller waits, then finds the fresh Image.
exec 9>"$out/lock"
flock 9 || die "cannot lock $out/lock"
if [ -s "$image" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] &&
  (cd "$out" && sha256sum -c --status Image.sha256 2>/dev/null); then
  echo "$image"
  exit 0
fi

for tool in make gcc aarch64-linux-gnu-gcc flex bison bc tar xz dpkg-deb sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found (see .ci/debian-packages)"
done

rm -rf "$src" "$stamp" "$out/Image.sha256"
mkdir -p "$src"
: >"$log"
echo "arm64-kernel/build.sh: building $image (log: $log)" >&2

tarball=/usr/src/linux-source-6.1.tar.xz
if [ ! -f "$tarball" ]; then
  (cd "$src" && apt-get download linux-source-6.1) >>"$log" 2>&1 ||
    die "linux-source-6.1 is not installed and apt-get download failed (see $log)"
  dpkg-deb -x "$src"/linux-source-6.1_*.deb "$src/deb" || die "cannot unpack the linux-source-6.1 package"
  tarball=$src/deb/usr/src/linux-source-6.1.tar.xz
fi
tar -xJf "$tarball" -C "$src" || die "cannot unpack $tarball"
tree=$src/linux-source-6.1
[ -f "$tree/Makefile" ] || die "$tarball does not hold linux-source-6.1/"

kmake() { make -C "$tree" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "$@" >>"$log" 2>&1; }
kmake tinyconfig || die "make tinyconfig failed (see $log)"
(cd "$tree" && scripts/kconfig/merge_config.sh -m .config "$fragment") >>"$log" 2>&1 ||
  die "merge_config.sh failed (see $log)"
kmake olddefconfig || die "make olddefconfig failed (see $log)"

# Every option the fragment turns on, and what they must bring along, has to be in the result.
for opt in $(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' "$fragment") \
  CONFIG_HAVE_IMA_KEXEC CONFIG_KEXEC_CORE CONFIG_ARM_PSCI_FW CONFIG_OF_EARLY_FLATTREE; do
  grep -qx "$opt=y" "$tree/.config" || die "$opt=y did not survive olddefconfig (unmet dependency?)"
done

kmake -j"$(nproc)" Image || die "kernel build failed (see $log)"
cp "$tree/arch/arm64/boot/Image" "$image.tmp"
mv "$image.tmp" "$image"
cp "$tree/.config" "$out/config"
(cd "$out" && sha256sum Image >Image.sha256)
echo "$want" >"$stamp"
rm -rf "$src"
echo "$image"
