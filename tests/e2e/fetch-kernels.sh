#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: fetch-kernels.sh CACHE_DIR KERNELS_DIR
# Resolves the current Debian kernel and busybox-static packages of every ISA, fetches those not
# yet in CACHE_DIR (fetch-debs.sh: by version, checked by SHA-256), and fills KERNELS_DIR with
# links to the files the tests boot, each checked against the SHA-256 recorded when it was
# unpacked:
#   vmlinuz-amd64 Image-arm64 Image-riscv64 vmlinux-ppc64le vmlinuz-s390x   the kernels
#   vmlinuz-amd64-trixie   a second amd64 kernel version (Debian 13's), for kexecs between versions
#   config-amd64 config-arm64 config-riscv64 config-ppc64le config-s390x     their configurations
#   busybox-amd64 busybox-arm64 busybox-riscv64 busybox-ppc64le busybox-s390x
#   virtio_console-s390x.ko   the module of the s390x kernel behind the results channel there
#   versions.txt   one line per package: NAME PACKAGE VERSION SHA256-OF-THE-DEB
# riscv64 is not a bookworm architecture: its packages come from trixie. Needs the network only
# when Debian has moved on (or the cache is empty).
set -eu

die() { echo "fetch-kernels: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: fetch-kernels.sh CACHE_DIR KERNELS_DIR"
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" "$2"
cache=$(cd "$1" && pwd) kernels=$(cd "$2" && pwd)
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

# ISA name, Debian architecture, suite, kernel metapackage, the kernel file in the package, the
# name the tests use for it.
isas='x86_64 amd64 bookworm linux-image-amd64 ./boot/vmlinuz-* vmlinuz-amd64
arm64 arm64 bookworm linux-image-arm64 ./boot/vmlinuz-* Image-arm64
riscv64 riscv64 trixie linux-image-riscv64 ./boot/vmlinux-* Image-riscv64
ppc64le ppc64el bookworm linux-image-powerpc64le ./boot/vmlinux-* vmlinux-ppc64le
s390x s390x bookworm linux-image-s390x ./boot/vmlinuz-* vmlinuz-s390x
x86_64-trixie amd64 trixie linux-image-amd64 ./boot/vmlinuz-* vmlinuz-amd64-trixie'

work=$(mktemp -d "$cache/.fetch-kernels.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The lists of the five architectures update in parallel (mostly waiting on the network).
while read -r isa debarch suite meta _; do
  "$here/fetch-debs.sh" "$cache" "$debarch" "$suite" "$meta" busybox-static \
    >"$work/$isa.debs" 2>"$work/$isa.err" &
done <<EOT
$isas
EOT
wait
for isa in $(echo "$isas" | cut -d' ' -f1); do
  [ "$(wc -l <"$work/$isa.debs")" -eq 2 ] || die "$isa: $(tail -n 1 "$work/$isa.err")"
  cat "$work/$isa.err" >&2
done

# unpack DEB GLOB: prints the path of the first file in DEB matching GLOB, unpacked once under
# CACHE_DIR/files/<deb name>/ and checked against the SHA-256 taken then.
unpack() {
  dir=$cache/files/$(basename "$1" .deb)
  key=$(echo "$2" | tr -c 'A-Za-z0-9\n' _)
  if [ -f "$dir/$key.sha256" ]; then
    (cd "$dir" && sha256sum -c --status "$key.sha256") && {
      sed 's/^[0-9a-f]*  //' "$dir/$key.sha256" | sed "s|^|$dir/|"
      return 0
    }
    echo "fetch-kernels: $dir/$key.sha256 does not match: unpacking $1 again" >&2
  fi
  rm -rf "$dir.new" && mkdir -p "$dir.new"
  dpkg-deb --fsys-tarfile "$1" | tar -x -C "$dir.new" --wildcards "$2" 2>/dev/null || true
  member=$(cd "$dir.new" && find . -type f | LC_ALL=C sort | head -n 1)
  member=${member#./}
  [ -n "$member" ] || die "$1 has no file matching $2"
  mkdir -p "$dir/$(dirname "$member")"
  mv "$dir.new/$member" "$dir/$member"
  rm -rf "$dir.new"
  (cd "$dir" && sha256sum "$member" >"$key.sha256")
  echo "$dir/$member"
}

: >"$work/versions"
while read -r isa debarch suite meta glob name; do
  read -r kpkg kver ksha kdeb <"$work/$isa.debs"
  read -r bpkg bver bsha bdeb <<EOT
$(sed -n 2p "$work/$isa.debs")
EOT
  kernel=$(unpack "$kdeb" "$glob")
  config=$(unpack "$kdeb" './boot/config-*')
  busybox=$(unpack "$bdeb" './*bin/busybox')
  chmod 0755 "$busybox"
  ln -sf "$kernel" "$kernels/$name.new"
  ln -sf "$config" "$kernels/config-${name#*-}.new"
  ln -sf "$busybox" "$kernels/busybox-${name#*-}.new"
  if [ "$isa" = s390x ]; then
    module=$(unpack "$kdeb" './lib/modules/*/kernel/drivers/char/virtio_console.ko')
    ln -sf "$module" "$kernels/virtio_console-s390x.ko.new"
  fi
  echo "$name $kpkg $kver $ksha" >>"$work/versions"
  echo "busybox-${name#*-} $bpkg $bver $bsha" >>"$work/versions"
done <<EOT
$isas
EOT
for f in "$kernels"/*.new; do mv -f "$f" "${f%.new}"; done
mv "$work/versions" "$kernels/versions.txt"
echo "fetch-kernels: $kernels holds"
cat "$kernels/versions.txt"
