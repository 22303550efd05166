// SPDX-License-Identifier: GPL-2.0-only
// The running machine's memory map (`styx load`): /proc/iomem text, or (first byte odd)
// /sys/firmware/memmap entries given as "start\nend\ntype" paragraphs separated by blank lines,
// written under a scratch sysroot and read through LiveSystem. RAM comes out sorted, in whole
// pages and without overlaps; the reservations inside System RAM in whole pages, sorted; the
// crash regions non-empty and sorted. With bit 1 of the first byte set, the input's lines are the
// crash files instead (cpu/possible, cpu0 and cpu1's crash_notes and crash_notes_size, then
// vmcoreinfo): every note comes out for an ascending CPU, at a non-zero address, at most a page
// long, and vmcoreinfo neither empty nor wrapping.
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
  if (data[0] & 2) {
    std::string_view rest = input;
    const fs::path cpu = root / "sys/devices/system/cpu";
    for (const fs::path& file : {cpu / "possible", cpu / "cpu0/crash_notes",
                                 cpu / "cpu0/crash_notes_size", cpu / "cpu1/crash_notes",
                                 cpu / "cpu1/crash_notes_size", root / "sys/kernel/vmcoreinfo"}) {
      const size_t eol = std::min(rest.find('\n'), rest.size());
      write(file, rest.substr(0, eol));
      rest.remove_prefix(std::min(eol + 1, rest.size()));
    }
    styx::fuzz::refusing([&] {
      const auto notes = styx::host::LiveSystem(root).crash_notes();
      FUZZ_CHECK(!notes.empty() && notes.size() <= 2);
      for (size_t i = 0; i < notes.size(); ++i) {
        FUZZ_CHECK(notes[i].addr != 0 && notes[i].size > 0 && notes[i].size <= 4096);
        if (i > 0) FUZZ_CHECK(notes[i - 1].cpu < notes[i].cpu);
      }
    });
    styx::fuzz::refusing([&] {
      const auto info = styx::host::LiveSystem(root).vmcoreinfo();
      FUZZ_CHECK(info.size > 0 && info.end() > info.start);
    });
    return 0;
  }
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
  styx::fuzz::refusing([&] {
    const auto crash = styx::host::LiveSystem(root).crash_regions();
    for (size_t i = 0; i < crash.size(); ++i) {
      FUZZ_CHECK(crash[i].size > 0 && crash[i].end() > crash[i].start);
      if (i > 0) FUZZ_CHECK(crash[i - 1].start <= crash[i].start);
    }
  });
  return 0;
}
