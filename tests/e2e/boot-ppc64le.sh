#!/bin/sh
# Usage: boot-ppc64le.sh STYX CACHE_DIR SOURCE_DIR PSERIES_ENTRY PSERIES_RTAS WORK_DIR
# Boots Debian 12's ppc64el kernel (an ELF vmlinux) through a Styx image in qemu-system-ppc64
# -machine pseries, without SLOF:
#  1. image = vmlinux + show-ima initramfs + qemu's own pseries DTB: the purgatory verifies it and
#     the kernel reaches /init;
#  2. the same image with one bit of the initrd flipped: the purgatory names the initrd segment
#     and the kernel never starts.
# PSERIES_ENTRY (the -bios) enters the image's purgatory in little-endian real mode as kexec
# leaves a pseries guest; PSERIES_RTAS is the RTAS instance SLOF would have put in memory, named
# in the tree's /rtas so the kernel can power off. The kernel and busybox come through a private
# apt configuration in CACHE_DIR, leaving the system's sources and architectures alone.
set -eu
[ $# -eq 6 ] || {
  echo "usage: boot-ppc64le.sh STYX CACHE_DIR SOURCE_DIR PSERIES_ENTRY PSERIES_RTAS WORK_DIR" >&2
  exit 2
}
styx=$1 cache=$2 src=$3 entry_shim=$4 rtas_blob=$5 work=$6
here=$(dirname "$0")
. "$here/lib.sh"
e2e_need qemu-system-ppc64 readelf cpio gzip apt-get dpkg-deb fdtput dd

mkdir -p "$cache" "$work"
if [ ! -s "$cache/vmlinux-ppc64le" ] || [ ! -s "$cache/busybox-ppc64le" ]; then
  apt=$cache/apt-bookworm-ppc64el
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/dl"
  chmod 0777 "$apt/dl"   # apt's _apt user downloads into it
  echo "deb [arch=ppc64el] http://deb.debian.org/debian bookworm main" >"$apt/sources.list"
  set -- -o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Architecture=ppc64el \
    -o APT::Architectures::=ppc64el -o Debug::NoLocking=1
  apt-get "$@" -qq update || e2e_fail "apt-get update (bookworm ppc64el) failed"
  pkg=$(apt-cache "$@" depends linux-image-powerpc64le |
    sed -n 's/^ *Depends: \(linux-image-[^ :]*\).*/\1/p' | head -n 1)
  [ -n "$pkg" ] || e2e_fail "cannot resolve linux-image-powerpc64le"
  rm -f "$apt/dl"/*.deb
  (cd "$apt/dl" && apt-get "$@" -q download "$pkg" busybox-static >/dev/null) ||
    e2e_fail "cannot download $pkg busybox-static"
  rm -rf "$apt/x" && mkdir "$apt/x"
  dpkg-deb --fsys-tarfile "$apt/dl/$pkg"_*.deb | tar -x -C "$apt/x" --wildcards './boot/vmlinux-*'
  dpkg-deb --fsys-tarfile "$apt/dl"/busybox-static_*.deb | tar -x -C "$apt/x" ./bin/busybox
  mv "$apt/x"/boot/vmlinux-* "$cache/vmlinux-ppc64le"
  mv "$apt/x/bin/busybox" "$cache/busybox-ppc64le"
  rm -rf "$apt/x" "$apt/dl"/*.deb
fi

"$here/make-initramfs.sh" ppc64le "$cache" "$work/show-ima.cpio.gz" show-ima
qemu-system-ppc64 -machine "pseries,dumpdtb=$work/pseries.dtb" -m 1024 -display none \
  >"$work/dumpdtb.log" 2>&1 || { cat "$work/dumpdtb.log"; e2e_fail "qemu could not dump the DTB"; }
# SLOF would instantiate RTAS and name it in /rtas; without SLOF, the blob goes where the tree says.
rtas=0x3fd00000
fdtput -t x "$work/pseries.dtb" /rtas linux,rtas-base $rtas
fdtput -t x "$work/pseries.dtb" /rtas linux,rtas-entry $rtas
# qemu writes its own tree below 1 GiB at every reset (at most 2 MiB): RAM for the image ends
# there. The kernel's tree keeps all 1 GiB; Styx keeps RTAS out of the way and reserves it.
"$styx" build --arch ppc64le --kernel "$cache/vmlinux-ppc64le" --initrd "$work/show-ima.cpio.gz" \
  --dtb "$work/pseries.dtb" --cmdline "console=hvc0 panic=-1" --mem 0:0x3fe00000 \
  --on-failure reset -o "$work/good.img" || e2e_fail "styx build"
e2e_segment "$work/good.img" initrd
cp "$work/good.img" "$work/bad.img"
e2e_flip_bit "$work/bad.img" "$seg_addr" 4660 3

# qemu's generic loader takes ELF files in the target's (big-endian) byte order only: each
# PT_LOAD of the little-endian image is loaded raw at its address.
boot() { # NAME
  loaders=""
  i=0
  while read -r off addr size; do
    dd if="$work/$1.img" of="$work/$1.load$i" bs=1M iflag=skip_bytes,count_bytes \
      skip=$((off)) count=$((size)) status=none
    loaders="$loaders -device loader,file=$work/$1.load$i,addr=$addr,force-raw=on"
    i=$((i + 1))
  done <<EOT
$(readelf -lW "$work/$1.img" | awk '$1 == "LOAD" { print $2, $4, $5 }')
EOT
  # shellcheck disable=SC2086
  e2e_qemu "$1" "$work/$1.log" qemu-system-ppc64 -machine pseries -m 1024 -bios "$entry_shim" \
    $loaders -device "loader,file=$rtas_blob,addr=$rtas,force-raw=on" \
    -device "loader,addr=0x1000,data=$(e2e_elf_entry "$work/$1.img"),data-len=8,data-be=on"
  rm -f "$work/$1".load*
}
boot good
e2e_expect "$work/good.log" "styx: verified" "purgatory verified the image"
e2e_expect "$work/good.log" "e2e-init: reached init (show-ima)" "the kernel reached init"
e2e_expect "$work/good.log" "reboot: Power down" "the kernel powered off through RTAS"

boot bad
e2e_expect "$work/bad.log" "styx: FAIL segment $seg_index (initrd)" "purgatory named the initrd"
e2e_reject "$work/bad.log" "Linux version" "the kernel never started"
echo "e2e: boot-ppc64le passed"
