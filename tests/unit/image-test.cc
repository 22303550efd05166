// SPDX-License-Identifier: GPL-2.0-only
// Styx image files: serialise/parse round trip, files on disk, and what the parser rejects.
#include "image.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch-info.h"
#include "builder.h"
#include "bytes.h"
#include "digest.h"
#include "elf-file.h"
#include "embedded-purgatory.h"
#include "error.h"
#include "parse.h"
#include "unit/crafted-image.h"

namespace {

namespace fs = std::filesystem;
using styx::host::Image;
using styx::host::InputError;

std::vector<uint8_t> random_bytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(size);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// A realistic request for `arch`: kernel, initrd, boot data, and an empty segment.
styx::host::BuildRequest sample_request(std::string_view arch_name) {
  styx::host::BuildRequest req;
  req.arch = styx::host::find_arch(arch_name);
  const bool x86 = arch_name == "x86_64";
  const uint64_t ram = x86 ? 0x100000 : 0x40000000;
  req.ram = {{ram, 64 << 20}};
  const uint64_t kernel = x86 ? 0x1000000 : 0x40080000;
  const uint64_t boot_data = ram + (32 << 20);
  req.segments = {
      {styx::Role::kKernel, "Image", kernel, random_bytes(20000, 1), 0x10000},  // with a reserve
      {styx::Role::kInitrd, "initrd.img", ram + (16 << 20) + 0x10, random_bytes(7001, 2)},
      {req.arch->boot_data_role, "boot-data", boot_data, random_bytes(4096, 3)},
      {styx::Role::kIma, "empty", ram + (40 << 20), {}},
  };
  req.entry = kernel;
  req.boot_args = {{std::string(req.arch->boot_data_register()), boot_data}};
  return req;
}

Image sample_image(std::string_view arch_name) {
  return styx::host::build_image(sample_request(arch_name),
                                 styx::host::embedded_purgatory(arch_name));
}

std::string parse_error(std::span<const uint8_t> bytes, const std::string& name) {
  try {
    styx::host::parse_image(bytes, name);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

void expect_parse_error(std::span<const uint8_t> bytes, const std::string& name,
                        const std::string& detail) {
  const std::string error = parse_error(bytes, name);
  EXPECT_EQ(error.rfind(name + ": ", 0), 0u) << "'" << error << "'";
  EXPECT_NE(error.find(detail), std::string::npos) << error;
}

void expect_same_image(const Image& a, const Image& b) {
  EXPECT_EQ(a.arch, b.arch);
  ASSERT_EQ(a.segments.size(), b.segments.size());
  for (size_t i = 0; i < a.segments.size(); ++i) {
    SCOPED_TRACE("segment " + std::to_string(i));
    EXPECT_EQ(a.segments[i].role, b.segments[i].role);
    EXPECT_EQ(a.segments[i].addr, b.segments[i].addr);
    EXPECT_EQ(a.segments[i].data, b.segments[i].data);
    EXPECT_EQ(a.segments[i].reserve, b.segments[i].reserve);
  }
  ASSERT_EQ(a.ram.size(), b.ram.size());
  for (size_t i = 0; i < a.ram.size(); ++i) {
    EXPECT_EQ(a.ram[i].start, b.ram[i].start);
    EXPECT_EQ(a.ram[i].size, b.ram[i].size);
  }
  EXPECT_EQ(a.purgatory_addr, b.purgatory_addr);
  EXPECT_EQ(a.purgatory, b.purgatory);
  EXPECT_EQ(a.purgatory_memsz, b.purgatory_memsz);
  EXPECT_EQ(a.purgatory_entry, b.purgatory_entry);
  EXPECT_EQ(a.handoff_offset, b.handoff_offset);
  EXPECT_EQ(0, std::memcmp(&a.handoff, &b.handoff, sizeof a.handoff));
}

// File offset of the purgatory's contents inside a serialised image.
size_t purgatory_file_offset(const std::vector<uint8_t>& bytes, const Image& image) {
  const styx::host::ElfFile elf(bytes, "probe");
  for (const auto& s : elf.segments())
    if (s.type == PT_LOAD && s.paddr == image.purgatory_addr) return s.offset;
  throw std::runtime_error("no purgatory segment");
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "styx-image-test.XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path path_;
};

class ImageFile : public ::testing::TestWithParam<const char*> {
 protected:
  const Image image_ = sample_image(GetParam());
  const std::vector<uint8_t> bytes_ = styx::host::serialize_image(image_);
};

TEST_P(ImageFile, RoundTripsThroughSerializeAndParse) {
  const Image back = styx::host::parse_image(bytes_, "image");
  expect_same_image(image_, back);
  EXPECT_EQ(back.arch->name, GetParam());
  ASSERT_EQ(back.segments.size(), 4u);
  EXPECT_EQ(back.segments[0].role, styx::Role::kKernel);
  EXPECT_EQ(back.segments[2].role, back.arch->boot_data_role);
  EXPECT_TRUE(back.segments[3].data.empty());
  EXPECT_EQ(back.handoff.entry, sample_request(GetParam()).entry);
  EXPECT_EQ(back.handoff.segment_count, 4u);
}

TEST_P(ImageFile, HandoffDigestsAreOpenSslDigestsOfTheParsedData) {
  const Image back = styx::host::parse_image(bytes_, "image");
  for (size_t i = 0; i < back.segments.size(); ++i) {
    const auto d = styx::host::sha256(back.segments[i].data);
    EXPECT_EQ(styx::host::to_hex(back.handoff.segments[i].sha256), styx::host::to_hex(d))
        << "segment " << i;
  }
}

TEST_P(ImageFile, IsAnElfExecutableWithOneLoadPerNonEmptySegment) {
  const styx::host::ElfFile elf(bytes_, "image");
  EXPECT_EQ(elf.type(), ET_EXEC);
  EXPECT_EQ(elf.machine(), image_.arch->elf_machine);
  EXPECT_EQ(elf.entry(), image_.purgatory_entry);
  size_t loads = 0, notes = 0;
  for (const auto& s : elf.segments()) {
    loads += s.type == PT_LOAD;
    notes += s.type == PT_NOTE;
  }
  EXPECT_EQ(loads, 3u + 1u);  // three non-empty segments and the purgatory
  EXPECT_EQ(notes, 1u);
}

TEST_P(ImageFile, WritesAndReadsAFile) {
  TempDir dir;
  const std::string path = (dir.path() / "boot.styx").string();
  styx::host::write_image(path, image_);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"boot.styx"});
  EXPECT_EQ(fs::file_size(path), bytes_.size());
  expect_same_image(image_, styx::host::read_image(path));
}

TEST_P(ImageFile, RejectsEveryTruncation) {
  const std::span<const uint8_t> all(bytes_);
  for (size_t size = 0; size < all.size(); ++size) {
    const std::string error = parse_error(all.first(size), "cut.styx");
    ASSERT_EQ(error.rfind("cut.styx: ", 0), 0u) << "truncated to " << size << ": '" << error << "'";
  }
}

TEST_P(ImageFile, RejectsACorruptedElfMagic) {
  auto bytes = bytes_;
  bytes[1] = 'e';
  expect_parse_error(bytes, "magic.styx", "not an ELF file");
}

TEST_P(ImageFile, RejectsACorruptedHandoffMagic) {
  auto bytes = bytes_;
  bytes[purgatory_file_offset(bytes, image_) + image_.handoff_offset] ^= 0xff;
  expect_parse_error(bytes, "handoff.styx", "hand-off block has a bad magic");
}

TEST_P(ImageFile, RejectsAHandoffBlockOfAnotherVersion) {
  auto bytes = bytes_;
  const size_t at = purgatory_file_offset(bytes, image_) + image_.handoff_offset +
                    offsetof(styx::Handoff, version);
  styx::host::put_uint(bytes, at, styx::kHandoffVersion + 1, 4, image_.arch->big_endian);
  expect_parse_error(
      bytes, "version.styx",
      "hand-off block version " + std::to_string(styx::kHandoffVersion + 1) + " is not supported");
}

TEST_P(ImageFile, RejectsAHandoffThatDisagreesWithTheNote) {
  auto bytes = bytes_;
  const size_t at = purgatory_file_offset(bytes, image_) + image_.handoff_offset +
                    offsetof(styx::Handoff, segments) +
                    1 * sizeof(styx::Segment);  // segment 1 addr
  styx::host::put_uint(bytes, at, image_.segments[1].addr + 1, 8, image_.arch->big_endian);
  expect_parse_error(bytes, "disagree.styx", "disagree on segment 1");
}

TEST_P(ImageFile, RejectsAnImageWithoutTheStyxNote) {
  const styx::host::ElfFile elf(bytes_, "probe");
  auto bytes = bytes_;
  const auto& note = elf.segments()[0];
  ASSERT_EQ(note.type, static_cast<uint32_t>(PT_NOTE));
  bytes[note.offset + 12] = 'X';  // the note's name: "Xtyx"
  expect_parse_error(bytes, "nonote.styx", "not a Styx image (no Styx note)");
}

TEST_P(ImageFile, RejectsStructurallyImpossibleImages) {
  using styx::test::crafted_image;
  const uint64_t ram = image_.ram[0].start, page = image_.arch->page_size;
  const std::vector<std::pair<std::function<void(Image&)>, std::string>> cases{
      {[](Image& i) { i.segments[1].addr = 0xfffffffffffff000; },
       "segment 1 (initrd): address range wraps"},
      {[&](Image& i) { i.segments[1].addr = i.segments[0].addr + 1; },
       "segment 1 (initrd): " + styx::host::hex(image_.segments[0].addr + 1) +
           "+0x1b59 overlaps "
           "segment 0 (kernel)"},
      {[&](Image& i) { i.segments[1].addr = ram + (64 << 20); }, "is not inside one RAM range"},
      {[&](Image& i) { i.segments[2].addr = i.purgatory_addr; },
       "purgatory: " + styx::host::hex(image_.purgatory_addr)},
      {[&](Image& i) {
         i.ram.push_back({ram + page, page});
       },
       "overlaps RAM range"},
      {[](Image& i) { i.ram[0].size = 0xfffffffffffff000; }, "wraps around the address space"},
      {[&](Image& i) {
         i.ram.push_back({ram - 0x10000000, 0});
       },
       ": empty"},
      {[&](Image& i) {
         i.ram.push_back({ram - 0x10000000, 3});
       },
       "must be multiples of"},
      {[](Image& i) { i.handoff.entry = 0x10; }, "entry 0x10 is not inside RAM"},
      {[](Image& i) { i.handoff.log_addr = 0x10; }, "memory log 0x10+"},
      {[](Image& i) {
         i.ram.clear();
         for (uint64_t r = 0; r < 1025; ++r)
           i.ram.push_back({0x100000000 + 2 * r * 0x1000, 0x1000});
       },
       "1025 RAM ranges, at most 1024"},
  };
  for (const auto& [change, detail] : cases)
    expect_parse_error(crafted_image(image_, change), "crafted.styx", detail);
}

TEST_P(ImageFile, RejectsTheRawPurgatory) {
  expect_parse_error(styx::host::embedded_purgatory(GetParam()), "purgatory.elf",
                     "not a Styx image");
}

INSTANTIATE_TEST_SUITE_P(AllArches, ImageFile, ::testing::Values("x86_64", "arm64"));

TEST(ImageParse, RejectsANonElfFile) {
  const std::string text = "console=ttyS0 root=/dev/vda\n";
  expect_parse_error(std::vector<uint8_t>(text.begin(), text.end()), "cmdline.txt",
                     "not an ELF file");
}

TEST(ImageParse, RejectsAnElfOfAnUnknownMachine) {
  // A machine no port is planned for: the test must not depend on which ISAs are built.
  const auto bytes = styx::host::write_elf(EM_SPARCV9, false, 0, {});
  expect_parse_error(bytes, "sparc.elf", "not a Styx image (ELF machine 43)");
}

TEST(ImageParse, RejectsAnExecutableWithoutTheNote) {
  std::vector<styx::host::ElfWriterSegment> segs(1);
  segs[0].header = {PT_LOAD, PF_R | PF_X, 0, 0x100000, 0x100000, 0, 16, 1};
  segs[0].data.assign(16, 0x90);
  const auto bytes = styx::host::write_elf(EM_X86_64, false, 0x100000, segs);
  expect_parse_error(bytes, "vmlinux", "not a Styx image (no Styx note)");
}

TEST(ImageFiles, ReadingAMissingOrEmptyFileFails) {
  TempDir dir;
  const std::string missing = (dir.path() / "missing.styx").string();
  try {
    styx::host::read_image(missing);
    FAIL() << "read a missing file";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(missing + ": ", 0), 0u) << e.what();
  }
  const std::string empty = (dir.path() / "empty.styx").string();
  std::ofstream(empty).close();
  try {
    styx::host::read_image(empty);
    FAIL() << "read an empty file";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), empty + ": empty file");
  }
}

TEST(ImageFiles, WriteIntoAMissingDirectoryFailsAndLeavesNothing) {
  TempDir dir;
  const Image image = sample_image("arm64");
  const fs::path path = dir.path() / "no-such-dir" / "boot.styx";
  try {
    styx::host::write_image(path.string(), image);
    FAIL() << "wrote into a missing directory";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ": ", 0), 0u) << e.what();
  }
  EXPECT_FALSE(fs::exists(path.parent_path()));
  EXPECT_TRUE(dir.entries().empty());
}

TEST(ImageFiles, WriteReplacesAnExistingFileWithoutLeavingTemporaries) {
  TempDir dir;
  const std::string path = (dir.path() / "boot.styx").string();
  std::ofstream(path) << "an older, unrelated file that is longer than nothing";
  const Image image = sample_image("x86_64");
  styx::host::write_image(path, image);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"boot.styx"});
  expect_same_image(image, styx::host::read_image(path));

  // A second write over the image itself.
  const Image other = sample_image("arm64");
  styx::host::write_image(path, other);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"boot.styx"});
  EXPECT_EQ(styx::host::read_image(path).arch->name, "arm64");
  const auto perms = fs::status(path).permissions();
  EXPECT_EQ(perms & fs::perms::owner_exec, fs::perms::none);
  EXPECT_NE(perms & fs::perms::owner_read, fs::perms::none);
}

TEST(ImageRoles, ParseRoleAcceptsEveryRoleName) {
  for (uint32_t r = 0; r < styx::kRoleCount; ++r) {
    const auto role = static_cast<styx::Role>(r);
    styx::Role parsed = styx::Role::kData;
    EXPECT_TRUE(styx::host::parse_role(styx::host::role_label(role), parsed));
    EXPECT_EQ(parsed, role);
  }
  styx::Role parsed = styx::Role::kKernel;
  EXPECT_FALSE(styx::host::parse_role("vmlinux", parsed));
  EXPECT_FALSE(styx::host::parse_role("", parsed));
  EXPECT_EQ(parsed, styx::Role::kKernel);
}

}  // namespace
