#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: fetch-debs.sh CACHE_DIR DEBARCH SUITE PACKAGE...
# Prints, one line per PACKAGE, "PACKAGE VERSION SHA256 PATH": the .deb of the package's current
# version in SUITE (bookworm, trixie, ...) for DEBARCH, downloaded once into CACHE_DIR/debs/ and
# checked against the SHA-256 of apt's signed index before every use. A metapackage such as
# linux-image-amd64 is resolved to the kernel package it depends on.
#
# The package lists are private to CACHE_DIR/apt/SUITE-DEBARCH: the system's sources,
# architectures and lists stay as they are. The archive and security URIs are the ones the
# system's apt is configured with (`apt-get indextargets`), with SUITE, SUITE-updates and
# SUITE-security. When the lists cannot be updated (no network), the last lists are used and
# the script says so; a package not in the cache then fails with the reason.
set -eu

die() { echo "fetch-debs: $*" >&2; exit 1; }
[ $# -ge 4 ] || die "usage: fetch-debs.sh CACHE_DIR DEBARCH SUITE PACKAGE..."
cache=$1 arch=$2 suite=$3
shift 3
for tool in apt-get apt-cache sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found: the e2e inputs come from Debian packages"
done
mkdir -p "$cache/debs" "$cache/apt"
cache=$(cd "$cache" && pwd)
apt=$cache/apt/$suite-$arch
debs=$cache/debs

# One fetcher per list directory at a time; a second caller waits and then finds fresh lists.
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
exec 9>"$apt/lock"
flock 9 || die "cannot lock $apt/lock"

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
targets=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null | sort -u)
archive=$(echo "$targets" | awk -v s="$codename" '$2 == s { print $1; exit }')
security=$(echo "$targets" | awk -v s="$codename-security" '$2 == s { print $1; exit }')
[ -n "$archive" ] || die "apt has no Debian archive for '$codename' configured (apt-get indextargets)"
{
  echo "deb [arch=$arch] $archive $suite main"
  echo "deb [arch=$arch] $archive $suite-updates main"
  [ -z "$security" ] || echo "deb [arch=$arch] $security $suite-security main"
} >"$apt/sources.list.new"
mv "$apt/sources.list.new" "$apt/sources.list"

opts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/dev/null"
opts="$opts -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o APT::Architecture=$arch"
opts="$opts -o APT::Architectures::=$arch -o Debug::NoLocking=1 -o Acquire::Retries=3"
# Debian's container images switch apt's binary caches off; without them every query re-reads
# all lists.
opts="$opts -o Dir::Cache::pkgcache=$apt/cache/pkgcache.bin"
opts="$opts -o Dir::Cache::srcpkgcache=$apt/cache/srcpkgcache.bin"

# shellcheck disable=SC2086
if ! apt-get $opts -qq update >"$apt/update.log" 2>&1; then
  ls "$apt/lists"/*Packages* >/dev/null 2>&1 ||
    die "cannot update the $suite $arch package lists (see $apt/update.log)"
  echo "fetch-debs: cannot update the $suite $arch lists; using those of" \
    "$(date -r "$(ls -t "$apt/lists"/*Packages* | head -n 1)" '+%F %R')" >&2
fi

# field PACKAGE NAME: one field of the candidate version's record.
field() {
  # shellcheck disable=SC2086
  apt-cache $opts show --no-all-versions "$1" 2>/dev/null | sed -n "s/^$2: //p" | head -n 1
}

for pkg; do
  real=$pkg
  case $pkg in
    linux-image-*)
      # A metapackage depends on exactly one kernel package; a kernel package has a Version of
      # its own and no such dependency.
      # shellcheck disable=SC2086
      dep=$(apt-cache $opts depends "$pkg" 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1)
      [ -z "$dep" ] || real=$dep
      ;;
  esac
  version=$(field "$real" Version)
  sha=$(field "$real" SHA256)
  file=$(field "$real" Filename)
  [ -n "$version" ] && [ -n "$sha" ] && [ -n "$file" ] ||
    die "no $real in $suite for $arch (see $apt/update.log)"
  deb=$debs/${file##*/}
  if ! echo "$sha  $deb" | sha256sum -c --status 2>/dev/null; then
    rm -rf "$apt/dl" && mkdir -p "$apt/dl"
    chmod 0777 "$apt/dl" # apt's _apt user downloads into it
    # shellcheck disable=SC2086
    (cd "$apt/dl" && apt-get $opts -q download "$real=$version") >"$apt/download.log" 2>&1 ||
      die "cannot download $real $version for $arch: $(tail -n 1 "$apt/download.log")"
    got=$(ls "$apt/dl"/*.deb)
    echo "$sha  $got" | sha256sum -c --status ||
      die "$real $version: the download does not have the SHA-256 of the index"
    mv "$got" "$deb"
    echo "fetch-debs: fetched $real $version ($arch) into $debs" >&2
  fi
  echo "$real $version $sha $deb"
done
