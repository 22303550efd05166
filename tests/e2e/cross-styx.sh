#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: cross-styx.sh DEBARCH SOURCE_DIR NATIVE_BUILD_DIR CACHE_DIR WORK_DIR
# Builds styx-static for another Debian architecture (arm64, riscv64, ppc64el, s390x) and prints
# its path: a STYX_HOST_ONLY build with cross-host.cmake in WORK_DIR (kept, so a second run only
# relinks what changed), embedding the purgatories that NATIVE_BUILD_DIR built and checked. The
# target's static libraries and headers come from its Debian -dev packages of the system's
# release, fetched by version with fetch-debs.sh (private package lists; the system's
# architectures stay as they are) and unpacked with `dpkg-deb -x` into
# CACHE_DIR/cross-root-DEBARCH/KEY, KEY naming the exact packages; nothing is installed. Progress
# goes to stderr, the build's output to WORK_DIR/build.log.
set -eu

die() { echo "cross-styx: $*" >&2; exit 1; }
[ $# -eq 5 ] || die "usage: cross-styx.sh DEBARCH SOURCE_DIR NATIVE_BUILD_DIR CACHE_DIR WORK_DIR"
debarch=$1 src=$2 native=$3 cache=$4 work=$5
case $debarch in
  arm64) triple=aarch64-linux-gnu ;;
  riscv64) triple=riscv64-linux-gnu ;;
  ppc64el) triple=powerpc64le-linux-gnu ;;
  s390x) triple=s390x-linux-gnu ;;
  *) die "unknown DEBARCH $debarch (arm64, riscv64, ppc64el or s390x)" ;;
esac
for tool in "$triple-g++" cmake ninja dpkg-deb sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found (see .ci/debian-packages)"
done

# libfmt9 holds the libfmt.so that fmt's CMake package insists exists (only the headers are used).
packages="libssl-dev zlib1g-dev libfdt-dev libfmt-dev libfmt9 libcli11-dev nlohmann-json3-dev"
mkdir -p "$cache" "$work"
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
# shellcheck disable=SC2086
debs=$("$(dirname "$0")/fetch-debs.sh" "$cache" "$debarch" "$codename" $packages) ||
  die "cannot fetch the $debarch packages"
key=$(echo "$debs" | cut -d' ' -f3 | sha256sum | cut -c1-16)
root=$(cd "$cache" && pwd)/cross-root-$debarch/$key
if [ ! -f "$root/versions" ]; then
  echo "cross-styx: unpacking $debarch packages into $root" >&2
  rm -rf "$root.new"
  mkdir -p "$root.new"
  echo "$debs" | while read -r pkg version _ deb; do
    dpkg-deb -x "$deb" "$root.new" || die "cannot unpack $deb"
    echo "$pkg $version" >>"$root.new/versions"
  done
  rm -rf "$root"
  mv "$root.new" "$root"
fi

# Tests that share WORK_DIR build it one at a time; the second finds it up to date.
exec 9>"$work/lock"
flock 9 || die "cannot lock $work/lock"
echo "cross-styx: building styx-static for $triple in $work (log: $work/build.log)" >&2
{
  cmake -S "$src" -B "$work" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$src/tests/e2e/cross-host.cmake" -DSTYX_CROSS_TRIPLE="$triple" \
    -DSTYX_CROSS_ROOT="$root" -DSTYX_HOST_ONLY=ON -DSTYX_PURGATORY_DIR="$native" &&
    cmake --build "$work" -j2 --target styx-static
} >"$work/build.log" 2>&1 || {
  tail -n 30 "$work/build.log" >&2
  die "the $triple build of styx-static failed (see $work/build.log)"
}
echo "$work/styx-static"
