// SPDX-License-Identifier: GPL-2.0-only
// build_image(): where the purgatory goes, what the hand-off block holds, and which requests fail.
#include "builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "arch-info.h"
#include "digest.h"
#include "embedded-purgatory.h"
#include "error.h"
#include "handoff-codec.h"
#include "image-limits.h"
#include "parse.h"
#include "purgatory.h"
#include "random-bytes.h"

namespace {

using styx::host::BuildRequest;
using styx::host::Image;
using styx::host::InputError;

constexpr uint64_t kMiB = 1 << 20;

using styx::test::random_bytes;

uint64_t align_up(uint64_t v, uint64_t a) {
  return (v + a - 1) / a * a;
}

class Builder : public ::testing::TestWithParam<const char*> {
 protected:
  std::string_view arch_name() const { return GetParam(); }
  bool x86() const { return arch_name() == "x86_64"; }
  uint64_t ram_base() const { return x86() ? 0x100000 : 0x40000000; }
  uint64_t ram_end() const { return ram_base() + 64 * kMiB; }

  // Kernel at +16 MiB and boot data at +32 MiB of 64 MiB of RAM.
  BuildRequest request() const {
    BuildRequest req;
    req.arch = &arch_;
    req.ram = {{ram_base(), 64 * kMiB}};
    req.segments = {
        {styx::Role::kKernel, "vmlinuz", ram_base() + 16 * kMiB, random_bytes(50000, 1)},
        {arch_.boot_data_role, "boot-data", ram_base() + 32 * kMiB, random_bytes(3000, 2)},
    };
    req.entry = ram_base() + 16 * kMiB + 0x200;
    return req;
  }

  Image build(const BuildRequest& req) const {
    return styx::host::build_image(req, styx::host::embedded_purgatory(arch_name()));
  }

  // The InputError message of a request that must fail ("" if it built).
  std::string build_error(const BuildRequest& req) const {
    try {
      build(req);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }

  void expect_error(const BuildRequest& req, const std::string& detail) const {
    const std::string error = build_error(req);
    EXPECT_FALSE(error.empty()) << "built; expected '" << detail << "'";
    EXPECT_NE(error.find(detail), std::string::npos) << error;
  }

  const styx::host::ArchInfo& arch_ = *styx::host::find_arch(GetParam());
  const styx::host::Purgatory purgatory_ =
      styx::host::load_purgatory(styx::host::embedded_purgatory(GetParam()), arch_, "purgatory");
  const uint64_t total_ = align_up(purgatory_.memsz, 16) + 4096;  // with the default log
};

void expect_clear_of_segments(const Image& image) {
  for (const auto& s : image.segments) {
    if (s.data.empty()) continue;
    const bool clear = s.addr + s.data.size() <= image.purgatory_addr ||
                       image.purgatory_addr + image.purgatory_memsz <= s.addr;
    EXPECT_TRUE(clear) << "purgatory overlaps the segment at " << s.addr;
  }
}

TEST_P(Builder, PlacesThePurgatoryAtTheTopOfRam) {
  const Image image = build(request());
  EXPECT_EQ(image.purgatory_memsz, total_);
  EXPECT_EQ(image.purgatory_addr, (ram_end() - total_) / 4096 * 4096);
  EXPECT_GE(image.purgatory_addr, ram_base());
  EXPECT_LE(image.purgatory_addr + image.purgatory_memsz, ram_end());
  EXPECT_EQ(image.purgatory_addr % 4096, 0u);
  EXPECT_EQ(image.purgatory_addr % purgatory_.align, 0u);
  EXPECT_EQ(image.purgatory_entry, image.purgatory_addr + purgatory_.entry);
  expect_clear_of_segments(image);
}

TEST_P(Builder, PlacesThePurgatoryJustBelowASegmentAtTheTop) {
  auto req = request();
  const uint64_t top = ram_end() - 0x10000;
  req.segments.push_back({styx::Role::kInitrd, "initrd", top, random_bytes(0x10000, 3)});
  // A second segment that the first candidate below `top` still hits.
  const uint64_t lower = top - total_ - 0x800;
  req.segments.push_back({styx::Role::kData, "data", lower, random_bytes(0x1000, 4)});
  const Image image = build(req);
  EXPECT_EQ(image.purgatory_addr, (lower - total_) / 4096 * 4096);
  expect_clear_of_segments(image);
}

TEST_P(Builder, PrefersTheHighestRamRangeWithRoom) {
  auto req = request();
  const uint64_t high = ram_base() + 1024 * kMiB;
  req.ram.push_back({high, 1 * kMiB});
  req.segments.push_back({styx::Role::kData, "filler", high, random_bytes(1 * kMiB - 0x1000, 5)});
  // Only 4 KiB left at the top of the high range: too small, so the low range's top is used.
  const Image image = build(req);
  EXPECT_EQ(image.purgatory_addr, (ram_end() - total_) / 4096 * 4096);

  req.segments.back().data.resize(1 * kMiB / 2);
  EXPECT_EQ(build(req).purgatory_addr, (high + 1 * kMiB - total_) / 4096 * 4096);
}

TEST_P(Builder, ExplicitAddressMayBeAnyMultipleOfThePurgatoryAlignment) {
  auto req = request();
  const uint64_t base = ram_base() + 8 * kMiB + purgatory_.align;
  ASSERT_NE(base % 4096, 0u);
  req.purgatory_addr = base;
  const Image image = build(req);
  EXPECT_EQ(image.purgatory_addr, base);
  EXPECT_EQ(image.purgatory_entry, base + purgatory_.entry);
  EXPECT_EQ(image.handoff.log_addr, base + align_up(purgatory_.memsz, 16));
  for (size_t i = 0; i < purgatory_.relocations.size(); ++i) {
    uint64_t v = 0;
    std::memcpy(&v, &image.purgatory[purgatory_.relocations[i]], 8);  // little-endian ISAs
    EXPECT_EQ(v, base + static_cast<uint64_t>(purgatory_.addends[i]));
  }
}

TEST_P(Builder, ExplicitAddressMisalignedIsRejected) {
  auto req = request();
  const uint64_t base = ram_base() + 8 * kMiB + purgatory_.align / 2;
  req.purgatory_addr = base;
  EXPECT_EQ(build_error(req), "purgatory address " + styx::host::hex(base) +
                                  ": must be a multiple of " + styx::host::hex(purgatory_.align));
}

TEST_P(Builder, ExplicitAddressOverlappingASegmentIsRejected) {
  auto req = request();
  req.purgatory_addr = ram_base() + 16 * kMiB - 4096;  // runs into the kernel
  expect_error(req, "purgatory at " + styx::host::hex(ram_base() + 16 * kMiB - 4096) + ": ");
  expect_error(req, "overlaps kernel segment vmlinuz");
}

TEST_P(Builder, ExplicitAddressOutsideRamIsRejected) {
  auto req = request();
  req.purgatory_addr = ram_end() - 4096;  // starts in RAM, ends past it
  expect_error(req, "not inside RAM");
  req.purgatory_addr = ram_end() + 64 * kMiB;
  expect_error(req, "not inside RAM");
}

TEST_P(Builder, HandoffHoldsOpenSslDigestsAndTheRequest) {
  auto req = request();
  req.segments.push_back({styx::Role::kIma, "empty", ram_base() + 48 * kMiB, {}});
  req.policy = styx::FailurePolicy::kReset;
  const Image image = build(req);
  const styx::Handoff& h = image.handoff;
  EXPECT_EQ(h.magic, styx::kHandoffMagic);
  EXPECT_EQ(h.version, styx::kHandoffVersion);
  EXPECT_EQ(h.size, sizeof(styx::Handoff));
  ASSERT_EQ(h.segment_count, 3u);
  for (size_t i = 0; i < req.segments.size(); ++i) {
    SCOPED_TRACE("segment " + std::to_string(i));
    EXPECT_EQ(h.segments[i].addr, req.segments[i].addr);
    EXPECT_EQ(h.segments[i].size, req.segments[i].data.size());
    EXPECT_EQ(h.segments[i].role, static_cast<uint32_t>(req.segments[i].role));
    EXPECT_EQ(styx::host::to_hex(h.segments[i].sha256),
              styx::host::to_hex(styx::host::sha256(req.segments[i].data)));
  }
  EXPECT_EQ(h.entry, req.entry);
  EXPECT_EQ(h.failure_policy, static_cast<uint32_t>(styx::FailurePolicy::kReset));
  EXPECT_EQ(h.reset_method, static_cast<uint32_t>(arch_.reset_methods.front()));
  EXPECT_EQ(h.console.kind, arch_.default_console.kind);
  EXPECT_EQ(h.console.base, arch_.default_console.base);
  // The linked purgatory carries exactly this block.
  const auto block = styx::host::encode_handoff(h, arch_.big_endian);
  EXPECT_TRUE(std::equal(block.begin(), block.end(),
                         image.purgatory.begin() + static_cast<ptrdiff_t>(image.handoff_offset)));
}

TEST_P(Builder, BootArgsLandAtTheIndexOfTheirRegister) {
  auto req = request();
  const std::string reg(arch_.boot_registers.back());
  req.boot_args = {{reg, 0x1122334455667788}};
  const Image image = build(req);
  const size_t index = arch_.boot_registers.size() - 1;
  for (size_t i = 0; i < styx::kMaxBootArgs; ++i)
    EXPECT_EQ(image.handoff.boot_args[i], i == index ? 0x1122334455667788u : 0u) << "arg " << i;
}

TEST_P(Builder, LogFollowsThePurgatoryMemory) {
  auto req = request();
  req.log_size = 1000;
  const Image image = build(req);
  const auto& h = image.handoff;
  EXPECT_EQ(h.log_size, 1008u);
  EXPECT_EQ(h.log_addr, image.purgatory_addr + align_up(purgatory_.memsz, 16));
  EXPECT_GE(h.log_addr, image.purgatory_addr + purgatory_.memsz);
  EXPECT_EQ(h.log_addr % 16, 0u);
  EXPECT_EQ(h.log_addr + h.log_size, image.purgatory_addr + image.purgatory_memsz);
}

TEST_P(Builder, NoLogWhenItsSizeIsZero) {
  auto req = request();
  req.log_size = 0;
  const Image image = build(req);
  EXPECT_EQ(image.handoff.log_addr, 0u);
  EXPECT_EQ(image.handoff.log_size, 0u);
  EXPECT_EQ(image.purgatory_memsz, purgatory_.memsz);
}

TEST_P(Builder, RejectsALogSizeThatWrapsWhenRounded) {
  // Rounded up to 16 bytes, this size wraps to 0: the request asks for a log it cannot get.
  auto req = request();
  req.log_size = ~0ull - 7;
  const std::string error = build_error(req);
  EXPECT_FALSE(error.empty()) << "built with log_size " << req.log_size;
}

TEST_P(Builder, RejectsOverlappingSegmentsNamingBoth) {
  auto req = request();
  req.segments.push_back(
      {styx::Role::kInitrd, "initrd.cpio", ram_base() + 16 * kMiB + 49999, random_bytes(10, 6)});
  expect_error(req, "initrd segment initrd.cpio: ");
  expect_error(req, "overlaps kernel segment vmlinuz at ");
}

TEST_P(Builder, AdjacentSegmentsAreFine) {
  auto req = request();
  req.segments.push_back(
      {styx::Role::kInitrd, "initrd.cpio", ram_base() + 16 * kMiB + 50000, random_bytes(10, 6)});
  EXPECT_EQ(build_error(req), "");
}

TEST_P(Builder, RejectsASegmentOutsideRam) {
  auto req = request();
  req.segments[1].addr = ram_end() - 100;  // 3000 bytes: runs past the end
  expect_error(req, std::string(styx::role_name(arch_.boot_data_role)) + " segment boot-data: ");
  expect_error(req, "is not inside one RAM range");
  req.segments[1].addr = ram_base() - 0x10000;
  expect_error(req, "is not inside one RAM range");
}

TEST_P(Builder, RejectsASegmentAcrossTwoRamRanges) {
  auto req = request();
  req.ram = {{ram_base(), 32 * kMiB}, {ram_base() + 32 * kMiB, 32 * kMiB}};
  req.segments[1].addr = ram_base() + 32 * kMiB - 1000;
  expect_error(req, "segment boot-data: ");
  expect_error(req, "is not inside one RAM range");
}

TEST_P(Builder, RejectsAWrappingSegment) {
  auto req = request();
  req.segments[1].addr = ~0ull - 100;
  expect_error(req, "segment boot-data: address range wraps");
}

TEST_P(Builder, RejectsAnEntryOutsideRam) {
  auto req = request();
  req.entry = ram_end();
  expect_error(req, "entry 0x");
  expect_error(req, "is not inside RAM");
}

TEST_P(Builder, RejectsAnUnknownBootRegister) {
  auto req = request();
  const std::string other = x86() ? "x0" : "rsi";
  req.boot_args = {{other, 1}};
  expect_error(req, "boot register '" + other + "': " + std::string(arch_.name) + " passes only " +
                        std::string(arch_.boot_registers[0]));
}

TEST_P(Builder, RejectsTooManySegments) {
  auto req = request();
  req.segments.clear();
  for (uint32_t i = 0; i < styx::kMaxSegments; ++i)
    req.segments.push_back(
        {styx::Role::kData, "s" + std::to_string(i), ram_base() + i * 4096, {1}});
  EXPECT_EQ(build_error(req), "");
  req.segments.push_back({styx::Role::kData, "s32", ram_base() + 32 * 4096, {1}});
  expect_error(req, "too many segments: 33, at most 32");
}

TEST_P(Builder, RejectsAConsoleTheIsaCannotDrive) {
  auto req = request();
  const auto kind = x86() ? styx::ConsoleKind::kPl011 : styx::ConsoleKind::kUart8250Io;
  req.console = styx::Console{static_cast<uint32_t>(kind), 0, 0x9000000};
  expect_error(req, "console: " + std::string(arch_.name) + " cannot drive");
}

TEST_P(Builder, AcceptsEveryConsoleTheIsaLists) {
  for (const auto kind : arch_.consoles) {
    auto req = request();
    req.console = styx::Console{static_cast<uint32_t>(kind), 0, 0x3f8};
    const Image image = build(req);
    EXPECT_EQ(image.handoff.console.kind, static_cast<uint32_t>(kind));
    EXPECT_EQ(image.handoff.console.base, 0x3f8u);
  }
}

TEST_P(Builder, RejectsWhenNoRamIsLeftForThePurgatory) {
  auto req = request();
  req.ram = {{ram_base(), 1 * kMiB}};
  req.entry = ram_base();
  req.segments = {
      {styx::Role::kKernel, "big", ram_base() + 0x1000, random_bytes(1 * kMiB - 0x2000, 7)}};
  expect_error(req, "purgatory: needs 0x");
  expect_error(req, "short by 0x");
}

TEST_P(Builder, RejectsRamThatIsNotPageAligned) {
  auto req = request();
  req.ram[0].start += 0x800;
  expect_error(req, "RAM range 0x");
  expect_error(req, "start and size must be multiples of 0x1000");
  req = request();
  req.ram[0].size -= 0x10;
  expect_error(req, "start and size must be multiples of 0x1000");
}

TEST_P(Builder, WritesOnlyAsManyRamRangesAsReadersTake) {
  // Used to write images with 1025 ranges that inspect, verify, run and load then refused.
  auto req = request();
  for (uint64_t i = 0; i < styx::host::kMaxRamRanges; ++i)
    req.ram.push_back({ram_base() + 256 * kMiB + 2 * i * 0x10000, 0x10000});
  expect_error(req, "RAM: 1025 ranges, at most 1024");
  req.ram.pop_back();
  const styx::host::Image image = build(req);
  EXPECT_EQ(styx::host::parse_image(styx::host::serialize_image(image), "image").ram.size(),
            styx::host::kMaxRamRanges);
}

TEST_P(Builder, RejectsEmptyOverlappingOrMissingRam) {
  auto req = request();
  req.ram.push_back({ram_base() + 1024 * kMiB, 0});
  expect_error(req, ": empty");
  req = request();
  req.ram.push_back({ram_base() + 60 * kMiB, 8 * kMiB});
  expect_error(req, "overlaps RAM range");
  req = request();
  req.ram.push_back({0xfffffffffff00000ull, 2 * kMiB});
  expect_error(req, "wraps around the address space");
  req = request();
  req.ram.clear();
  expect_error(req, "no RAM given");
}

TEST_P(Builder, RejectsAResetMethodOfAnotherIsa) {
  auto req = request();
  req.reset_method = x86() ? styx::ResetMethod::kPsciHvc : styx::ResetMethod::kPortCf9;
  expect_error(req, "reset method " + std::string(styx::host::reset_method_name(req.reset_method)) +
                        " is not available on " + std::string(arch_.name));
}

TEST_P(Builder, AcceptsEachOwnResetMethod) {
  for (const auto method : arch_.reset_methods) {
    auto req = request();
    req.reset_method = method;
    EXPECT_EQ(build(req).handoff.reset_method, static_cast<uint32_t>(method));
  }
}

INSTANTIATE_TEST_SUITE_P(AllArches, Builder, ::testing::Values("x86_64", "arm64"));

}  // namespace
