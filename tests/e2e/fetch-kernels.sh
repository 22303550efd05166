#!/bin/sh
# Usage: fetch-kernels.sh CACHE_DIR
# Fills CACHE_DIR with Debian 12 kernels and static busybox binaries for the e2e tests:
#   vmlinuz-amd64  Image-arm64  busybox-amd64  busybox-arm64  versions.txt
# Idempotent: when every file is there it does nothing (and needs no network).
# Needs root for `dpkg --add-architecture arm64` and `apt-get update` on the first run.
set -eu

die() { echo "fetch-kernels: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: fetch-kernels.sh CACHE_DIR"
cache=$1
mkdir -p "$cache"
cd "$cache"

want="vmlinuz-amd64 Image-arm64 busybox-amd64 busybox-arm64 versions.txt"
missing=no
for f in $want; do [ -s "$f" ] || missing=yes; done
if [ $missing = no ]; then
  echo "fetch-kernels: cache complete in $cache"
  cat versions.txt
  exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found: the e2e kernels come from Debian packages"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64 || die "cannot add the arm64 architecture (run once as root)"
  apt-get update -qq || die "apt-get update failed"
elif ! apt-cache show linux-image-arm64:arm64 >/dev/null 2>&1; then
  apt-get update -qq || die "apt-get update failed"
fi

# The real package behind a metapackage such as linux-image-amd64.
real_package() {
  pkg=$(apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ :]*\).*/\1/p' | head -n 1)
  [ -n "$pkg" ] || die "cannot resolve $1 to a kernel package (apt-get update?)"
  echo "$pkg"
}

work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"   # apt's _apt user downloads into it

# fetch PACKAGE MEMBER_GLOB OUTPUT: download one .deb and extract one file from it.
fetch() {
  (cd "$work" && apt-get download -q "$1" >/dev/null 2>"$work/err") ||
    die "cannot download $1: $(tail -n 1 "$work/err")"
  deb=$(ls "$work"/*.deb)
  rm -rf "$work/x" && mkdir "$work/x"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/x" --wildcards "$2" 2>/dev/null || true
  member=$(cd "$work/x" && find . -type f | sort | head -n 1)
  [ -n "$member" ] || die "$1 has no file matching $2"
  mv "$work/x/$member" "$3"
  echo "$3 $1 $(dpkg-deb -f "$deb" Version) $member" >>"$work/versions"
  rm -f "$deb"
}

amd64=$(real_package linux-image-amd64)
arm64=$(real_package linux-image-arm64:arm64)
fetch "$amd64:amd64" './boot/vmlinuz-*' vmlinuz-amd64
fetch "$arm64:arm64" './boot/vmlinuz-*' Image-arm64
fetch busybox-static:amd64 './bin/busybox' busybox-amd64
fetch busybox-static:arm64 './bin/busybox' busybox-arm64
chmod 0755 busybox-amd64 busybox-arm64
mv "$work/versions" versions.txt
echo "fetch-kernels: fetched into $cache"
cat versions.txt
