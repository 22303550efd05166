#!/bin/sh
# Usage: boot-s390x.sh STYX CACHE_DIR SOURCE_DIR WORK_DIR
# Boots Debian 12's s390x kernel through a Styx image in qemu-system-s390x:
#  1. image = kernel + show-ima initramfs + the IMA list of tests/data: the purgatory verifies it
#     on the SCLP console and the kernel reaches /init;
#  2. the same image with one bit of the initrd flipped: the purgatory names the initrd segment
#     and the kernel never starts.
# The kernel and busybox come through a private apt configuration in CACHE_DIR (s390x packages
# of bookworm), leaving the system's sources and architectures alone.
set -eu
[ $# -eq 4 ] || { echo "usage: boot-s390x.sh STYX CACHE_DIR SOURCE_DIR WORK_DIR" >&2; exit 2; }
styx=$1 cache=$2 src=$3 work=$4
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-s390x cpio gzip apt-get dpkg-deb

mkdir -p "$cache" "$work"
if [ ! -s "$cache/vmlinuz-s390x" ] || [ ! -s "$cache/busybox-s390x" ]; then
  apt=$cache/apt-bookworm-s390x
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/dl"
  chmod 0777 "$apt/dl"   # apt's _apt user downloads into it
  echo "deb [arch=s390x] http://deb.debian.org/debian bookworm main" >"$apt/sources.list"
  set -- -o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Architecture=s390x \
    -o APT::Architectures::=s390x -o Debug::NoLocking=1
  apt-get "$@" -qq update || e2e_fail "apt-get update (bookworm s390x) failed"
  pkg=$(apt-cache "$@" depends linux-image-s390x |
    sed -n 's/^ *Depends: \(linux-image-[^ :]*\).*/\1/p' | head -n 1)
  [ -n "$pkg" ] || e2e_fail "cannot resolve linux-image-s390x"
  rm -f "$apt/dl"/*.deb
  (cd "$apt/dl" && apt-get "$@" -q download "$pkg" busybox-static >/dev/null) ||
    e2e_fail "cannot download $pkg busybox-static"
  rm -rf "$apt/x" && mkdir "$apt/x"
  dpkg-deb --fsys-tarfile "$apt/dl/$pkg"_*.deb | tar -x -C "$apt/x" --wildcards './boot/vmlinuz-*'
  dpkg-deb --fsys-tarfile "$apt/dl"/busybox-static_*.deb | tar -x -C "$apt/x" ./bin/busybox
  mv "$apt/x"/boot/vmlinuz-* "$cache/vmlinuz-s390x"
  mv "$apt/x/bin/busybox" "$cache/busybox-s390x"
  rm -rf "$apt/x" "$apt/dl"/*.deb
fi

"$here/make-initramfs.sh" s390x "$cache" "$work/show-ima.cpio.gz" show-ima
# qemu's -kernel takes the image as an ELF and starts CPU 0 at its entry (the purgatory) in
# 64-bit mode. The console is the SCLP's VT220 console, qemu's -serial on s390x. Linux on s390x
# has no IMA hand-over: the list is carried and verified, not restored.
"$styx" build --arch s390x --kernel "$cache/vmlinuz-s390x" --initrd "$work/show-ima.cpio.gz" \
  --ima-list "$src/tests/data/ima/debian12-amd64-binary_runtime_measurements" \
  --cmdline "panic=-1" --mem 0:1G --on-failure reset -o "$work/good.img" || e2e_fail "styx build"
e2e_segment "$work/good.img" initrd
cp "$work/good.img" "$work/bad.img"
e2e_flip_bit "$work/bad.img" "$seg_addr" 4660 3

boot() { # NAME
  e2e_qemu "$1" "$work/$1.log" qemu-system-s390x -machine s390-ccw-virtio -m 1024 \
    -kernel "$work/$1.img"
}
boot good
e2e_expect "$work/good.log" "styx: verified 3 segments" "purgatory verified the image"
e2e_expect "$work/good.log" "e2e-init: reached init (show-ima)" "the kernel reached init"
e2e_expect "$work/good.log" "panic=-1" "the kernel read the command line from its parameter area"

boot bad
e2e_expect "$work/bad.log" "styx: FAIL segment $seg_index (initrd)" "purgatory named the initrd"
e2e_reject "$work/bad.log" "Linux version" "the kernel never started"
echo "e2e: boot-s390x passed"
