// SPDX-License-Identifier: GPL-2.0-only
// Builds images for the emulated tests and runs them, for any ISA the build knows.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "arch-info.h"
#include "builder.h"
#include "cli.h"
#include "digest.h"
#include "embedded-purgatory.h"
#include "emulate.h"
#include "handoff-seal.h"
#include "ima.h"
#include "parse.h"
#include "run.h"

namespace styx::test {

/// A fresh directory for one test, named after the test, removed when the test ends. Test
/// fixtures that work with files derive from it.
class TestDir {
 public:
  explicit TestDir(const std::string& prefix) {
    std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    root_ = std::filesystem::temp_directory_path() /
            (prefix + "-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~TestDir() { std::filesystem::remove_all(root_); }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::filesystem::path& root() const { return root_; }
  std::string path(const std::string& name) const { return (root_ / name).string(); }
  /// Writes `data` to `name`, creating the directories it needs.
  void write(const std::string& name, const std::vector<uint8_t>& data) const {
    std::filesystem::create_directories(std::filesystem::path(path(name)).parent_path());
    std::ofstream(path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(data.data()),
               static_cast<std::streamsize>(data.size()));
  }

 private:
  std::filesystem::path root_;
};

inline std::vector<std::string> arch_names() {
  std::vector<std::string> names;
  for (const host::ArchInfo* a : host::all_arches()) names.emplace_back(a->name);
  return names;
}

inline std::string param_name(const testing::TestParamInfo<std::string>& info) {
  return info.param;
}

inline std::vector<uint8_t> pattern(size_t size, uint32_t seed) {
  std::vector<uint8_t> out(size);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : out) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  return out;
}

/// A request with 64 MiB of RAM at the ISA's usual base and no segments yet.
inline host::BuildRequest base_request(const host::ArchInfo& arch) {
  host::BuildRequest req;
  req.arch = &arch;
  req.ram = {{arch.demo_ram_base, 64 << 20}};
  return req;
}

/// A well-formed IMA kexec buffer with `records` ima-ng records, padded with zeros to at least
/// `size` bytes (the purgatory checks the structure of every `ima` segment).
inline std::vector<uint8_t> ima_buffer(size_t size, bool big_endian, size_t records = 3) {
  host::ImaList list;
  for (size_t i = 0; i < records; ++i) {
    host::ImaRecord r;
    r.pcr = 10;
    const auto digest = pattern(20, static_cast<uint32_t>(100 + i));
    std::copy(digest.begin(), digest.end(), r.digest.begin());
    r.template_name = "ima-ng";
    const auto file_digest = pattern(32, static_cast<uint32_t>(200 + i));
    auto field = [&r](const std::string& bytes) {
      const uint32_t n = static_cast<uint32_t>(bytes.size());
      for (int b = 0; b < 4; ++b) r.data.push_back(static_cast<uint8_t>(n >> (8 * b)));
      r.data.insert(r.data.end(), bytes.begin(), bytes.end());
    };
    field(std::string("sha256:\0", 8) + std::string(file_digest.begin(), file_digest.end()));
    field("/bin/file" + std::to_string(i) + std::string(1, '\0'));
    list.records.push_back(std::move(r));
  }
  const auto plain = host::build_ima_kexec_buffer(list, big_endian, 0);
  return size > plain.size() ? host::build_ima_kexec_buffer(list, big_endian, size - plain.size())
                             : plain;
}

/// Adds a segment of `size` bytes at RAM base + `offset`: pattern bytes, or for the `ima` role a
/// valid IMA buffer of that size.
inline void add_segment(host::BuildRequest& req, Role role, uint64_t offset, size_t size) {
  const uint32_t seed = static_cast<uint32_t>(req.segments.size() + 1);
  req.segments.push_back(
      {role, std::string(role_name(role)), req.arch->demo_ram_base + offset,
       role == Role::kIma ? ima_buffer(size, req.arch->big_endian) : pattern(size, seed)});
}

/// Kernel, initrd and the ISA's boot data, with the entry in the kernel and the boot register
/// pointing at the boot data.
inline host::BuildRequest typical_request(const host::ArchInfo& arch) {
  host::BuildRequest req = base_request(arch);
  add_segment(req, Role::kKernel, 0x200000, 8192);
  add_segment(req, Role::kInitrd, 0x1000000, 5003);  // odd length on purpose
  add_segment(req, arch.boot_data_role, 0x2000000, 4096);
  req.entry = req.segments[0].addr;
  req.boot_args = {{std::string(arch.boot_data_register()), req.segments[2].addr}};
  return req;
}

inline host::Image build(const host::BuildRequest& req) {
  return host::build_image(req, host::embedded_purgatory(req.arch->name));
}

/// Runs `image` with `flips`; `patch` may change the linked purgatory bytes (the hand-off block
/// sits at image.handoff_offset) before the run. The patched bytes are sealed again unless
/// `reseal` is false, so that what a test reaches is the check after the seal.
inline emu::RunResult run(const host::Image& image, const std::vector<cli::Flip>& flips = {},
                          const std::function<void(std::vector<uint8_t>&)>& patch = {},
                          bool reseal = true) {
  emu::RunInput in = cli::run_input(image, flips);
  if (patch) {
    patch(in.chunks.back().bytes);  // the purgatory is the last chunk
    if (reseal) host::seal_purgatory(in.chunks.back().bytes, image.handoff_offset);
  }
  in.max_instructions = 200'000'000;
  return emu::run(in);
}

struct CliResult {
  int status;
  std::string out;
  std::string err;
};

/// Runs `styx args...` in-process.
inline CliResult styx(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int status = cli::run(args, out, err);
  return {status, out.str(), err.str()};
}

/// Stores a little- or big-endian integer into the purgatory bytes, as the target reads it.
inline void poke(std::vector<uint8_t>& bytes, size_t offset, uint64_t value, size_t width,
                 bool big_endian) {
  for (size_t i = 0; i < width; ++i)
    bytes[offset + (big_endian ? width - 1 - i : i)] = static_cast<uint8_t>(value >> (8 * i));
}

}  // namespace styx::test
