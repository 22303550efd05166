#!/bin/sh
# Usage: cross-styx.sh DEBARCH SOURCE_DIR NATIVE_BUILD_DIR CACHE_DIR WORK_DIR
# Builds styx-static for another Debian architecture (arm64, riscv64, ppc64el, s390x) and prints
# its path: a STYX_HOST_ONLY build with cross-host.cmake in WORK_DIR (kept, so a second run only
# relinks what changed), embedding the purgatories that NATIVE_BUILD_DIR built and checked. The
# target's static libraries and headers come from its Debian -dev packages, fetched with
# `apt-get download` and unpacked with `dpkg-deb -x` into CACHE_DIR/cross-root-DEBARCH; nothing
# is installed. DEBARCH must be a dpkg architecture (dpkg --add-architecture, as fetch-kernels.sh
# does for arm64). Progress goes to stderr, the build's output to WORK_DIR/build.log.
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
for tool in "$triple-g++" cmake ninja apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || die "$tool not found (see .ci/debian-packages)"
done

# Arch-specific packages are named with :DEBARCH, architecture-independent ones without.
# libfmt9 holds the libfmt.so that fmt's CMake package insists exists (only the headers are used).
packages="libssl-dev:$debarch zlib1g-dev:$debarch libfdt-dev:$debarch libfmt-dev:$debarch"
packages="$packages libfmt9:$debarch libcli11-dev nlohmann-json3-dev"
mkdir -p "$cache" "$work"
root=$(cd "$cache" && pwd)/cross-root-$debarch
if [ "$(cat "$root/packages" 2>/dev/null)" != "$packages" ]; then
  echo "cross-styx: fetching $debarch packages into $root" >&2
  rm -rf "$root"
  mkdir -p "$root/deb"
  chmod 0755 "$root/deb" # apt's _apt user downloads into it
  # shellcheck disable=SC2086
  (cd "$root/deb" && apt-get download -q $packages >"$root/download.log" 2>&1) ||
    die "apt-get download failed (see $root/download.log; is $debarch a dpkg architecture?)"
  for deb in "$root"/deb/*.deb; do
    dpkg-deb -x "$deb" "$root" || die "cannot unpack $deb"
    echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" >>"$root/versions"
  done
  rm -rf "$root/deb"
  echo "$packages" >"$root/packages"
fi

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
