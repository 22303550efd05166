// SPDX-License-Identifier: GPL-2.0-only
// /run/styx/files: the bytes a load read, kept for `styx exec` (see load-copies.h).
#include "load-copies.h"

#include <sys/vfs.h>

#include <filesystem>
#include <set>

#include "error.h"
#include "file-io.h"
#include "load-record.h"

namespace styx::cli {
namespace {

namespace fs = std::filesystem;

// statfs(2) f_type values (linux/magic.h), spelled out: the header is Linux-only.
constexpr long kTmpfsMagic = 0x01021994;
constexpr long kRamfsMagic = static_cast<long>(0x858458f6);

bool statfs_memory_backed(const std::string& dir) {
  struct statfs st {};
  if (::statfs(dir.c_str(), &st) != 0) return false;
  return static_cast<long>(st.f_type) == kTmpfsMagic || static_cast<long>(st.f_type) == kRamfsMagic;
}

MemoryBackedProbe& probe() {
  static MemoryBackedProbe p = statfs_memory_backed;
  return p;
}

}  // namespace

std::string why_no_load_copies(const host::LiveSystem& live) {
  const fs::path dir = live.path(kLoadCopiesDir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return dir.string() + ": " + ec.message();
  if (!probe()(dir.string())) return dir.string() + " is not on tmpfs or ramfs";
  return "";
}

std::string keep_load_copy(const host::LiveSystem& live, std::string_view what,
                           const std::string& sha256, std::span<const uint8_t> bytes) {
  const std::string path =
      (live.path(kLoadCopiesDir) / (std::string(what) + "." + sha256)).string();
  host::write_file_atomic(path, bytes, false);
  return path;
}

void remove_stale_load_copies(const host::LiveSystem& live, const std::optional<LoadState>& keep) {
  std::set<fs::path> kept;
  if (keep)
    for (const auto* file : {&keep->kernel, &keep->initrd, &keep->dtb})
      if (*file && (*file)->copy) kept.insert(fs::path(*(*file)->copy).filename());
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(live.path(kLoadCopiesDir), ec)) {
    std::error_code ignored;
    if (!kept.contains(e.path().filename())) fs::remove(e.path(), ignored);
  }
}

void set_memory_backed_probe(MemoryBackedProbe p) {
  probe() = p ? std::move(p) : MemoryBackedProbe(statfs_memory_backed);
}

}  // namespace styx::cli
