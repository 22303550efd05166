// SPDX-License-Identifier: GPL-2.0-only
// The running machine's memory map (`styx load`): /proc/iomem text, or (first byte odd)
// /sys/firmware/memmap entries given as "start\nend\ntype" paragraphs separated by blank lines,
// written under a scratch sysroot and read through LiveSystem. RAM comes out sorted, in whole
// pages and without overlaps; the reservations inside System RAM in whole pages, sorted.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fuzz.h"
#include "live-system.h"

namespace fs = std::filesystem;

namespace {

const fs::path& sysroot() {
  static const fs::path root = [] {
    std::string dir = (fs::temp_directory_path() / "styx-fuzz-sysroot-XXXXXX").string();
    if (!mkdtemp(dir.data())) std::abort();
    return fs::path(dir);
  }();
  return root;
}

void write(const fs::path& file, std::string_view text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary)
      .write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const fs::path& root = sysroot();
  fs::remove_all(root / "proc");
  fs::remove_all(root / "sys");
  const std::string_view input = styx::fuzz::text(data + 1, size - 1);
  if (data[0] & 1) {
    size_t n = 0;
    for (size_t pos = 0; pos <= input.size() && n < 64; ++n) {
      size_t end = input.find("\n\n", pos);
      if (end == std::string_view::npos) end = input.size();
      std::string_view entry = input.substr(pos, end - pos);
      pos = end + 2;
      const fs::path dir = root / "sys/firmware/memmap" / std::to_string(n);
      for (const char* field : {"start", "end", "type"}) {
        const size_t eol = std::min(entry.find('\n'), entry.size());
        write(dir / field, entry.substr(0, eol));
        entry.remove_prefix(std::min(eol + 1, entry.size()));
      }
    }
  } else {
    write(root / "proc/iomem", input);
  }
  styx::fuzz::refusing([&] {
    const styx::host::LiveSystem live(root);
    const auto ram = live.ram();
    for (size_t i = 0; i < ram.size(); ++i) {
      FUZZ_CHECK(ram[i].size > 0 && ram[i].start % 4096 == 0 && ram[i].size % 4096 == 0);
      FUZZ_CHECK(ram[i].end() > ram[i].start);
      if (i > 0) FUZZ_CHECK(ram[i - 1].end() <= ram[i].start);
    }
  });
  styx::fuzz::refusing([&] {
    const auto reserved = styx::host::LiveSystem(root).ram_reservations();
    for (size_t i = 0; i < reserved.size(); ++i) {
      FUZZ_CHECK(reserved[i].size > 0 && reserved[i].start % 4096 == 0 &&
                 reserved[i].size % 4096 == 0);
      FUZZ_CHECK(reserved[i].end() > reserved[i].start);
      if (i > 0) FUZZ_CHECK(reserved[i - 1].start <= reserved[i].start);
    }
  });
  return 0;
}
