// SPDX-License-Identifier: GPL-2.0-only
// The purgatory's structure check of an IMA kexec buffer, on its own and inside verify_segments().
#include "ima-buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bytes.h"
#include "digest.h"
#include "ima.h"
#include "verify.h"

namespace {

using Bytes = std::vector<uint8_t>;

constexpr bool kBig = std::endian::native == std::endian::big;

class StringSink final : public styx::Sink {
 public:
  void put(char c) override { text.push_back(c); }
  std::string text;
};

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

uint64_t addr_of(const void* p) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p));
}

Bytes d_ng_sha256(uint8_t fill) {
  Bytes out{'s', 'h', 'a', '2', '5', '6', ':', 0};
  out.resize(out.size() + 32, fill);
  return out;
}

Bytes n_ng(std::string_view path) {
  Bytes out(path.begin(), path.end());
  out.push_back(0);
  return out;
}

styx::host::ImaRecord record(uint8_t seed, std::string name, Bytes data) {
  styx::host::ImaRecord r;
  r.pcr = 10;
  for (size_t i = 0; i < r.digest.size(); ++i) r.digest[i] = static_cast<uint8_t>(seed + i);
  r.template_name = std::move(name);
  r.data = std::move(data);
  return r;
}

// boot_aggregate, a measured file and an ima-sig record with an empty signature. Record data is
// written little-endian, as ImaList keeps it.
styx::host::ImaList sample_list() {
  auto le_fields = [](std::initializer_list<Bytes> list) {
    Bytes out;
    for (const auto& f : list) {
      styx::host::append_uint(out, f.size(), 4, false);
      out.insert(out.end(), f.begin(), f.end());
    }
    return out;
  };
  styx::host::ImaList list;
  list.records.push_back(
      record(1, "ima-ng", le_fields({d_ng_sha256(0x11), n_ng("boot_aggregate")})));
  list.records.push_back(
      record(2, "ima-ng", le_fields({d_ng_sha256(0x22), n_ng("/usr/bin/true")})));
  list.records.push_back(
      record(3, "ima-sig", le_fields({d_ng_sha256(0x33), n_ng("/etc/fstab"), {}})));
  return list;
}

// Record offsets in the buffer (header included) and its buffer_size.
struct Layout {
  std::vector<uint64_t> offsets;
  uint64_t buffer_size;
};

Layout layout_of(const styx::host::ImaList& list) {
  Layout l{{}, 24};
  for (const auto& r : list.records) {
    l.offsets.push_back(l.buffer_size);
    l.buffer_size += 4 + 20 + 4 + r.template_name.size() + 4 + r.data.size();
  }
  return l;
}

class ImaBuffer : public ::testing::Test {
 protected:
  bool check() { return check_at(buffer_); }
  bool check_at(const Bytes& buffer) {
    out_.text.clear();
    return styx::check_ima_buffer(buffer.data(), buffer.size(), 4, out_);
  }
  void put(uint64_t offset, uint64_t value, size_t width) {
    styx::host::put_uint(buffer_, offset, value, width, kBig);
  }
  std::string prefix() const {
    return "styx: FAIL segment 4 (ima) " + hex(addr_of(buffer_.data())) + "+" +
           hex(buffer_.size()) + ": ";
  }
  std::string record_prefix(size_t r) const {
    return prefix() + "IMA record " + std::to_string(r) + " at offset " +
           hex(layout_.offsets.at(r)) + ": ";
  }

  styx::host::ImaList list_ = sample_list();
  Layout layout_ = layout_of(list_);
  Bytes buffer_ = styx::host::build_ima_kexec_buffer(list_, kBig, 0);
  StringSink out_;
};

TEST_F(ImaBuffer, GoodBufferPasses) {
  ASSERT_EQ(buffer_.size(), layout_.buffer_size);
  EXPECT_TRUE(check());
  EXPECT_EQ(out_.text, "");
}

TEST_F(ImaBuffer, EmptyListPasses) {
  EXPECT_TRUE(check_at(styx::host::build_ima_kexec_buffer({}, kBig, 0)));
  EXPECT_EQ(out_.text, "");
}

TEST_F(ImaBuffer, PaddingAfterBufferSizeIsNotLookedAt) {
  buffer_ = styx::host::build_ima_kexec_buffer(list_, kBig, 4096);
  EXPECT_TRUE(check());
  for (size_t i = layout_.buffer_size; i < buffer_.size(); ++i) buffer_[i] = 0xa5;
  EXPECT_TRUE(check());
  EXPECT_EQ(out_.text, "");
}

TEST_F(ImaBuffer, UnalignedBufferPasses) {
  Bytes shifted(1);
  shifted.insert(shifted.end(), buffer_.begin(), buffer_.end());
  StringSink out;
  EXPECT_TRUE(styx::check_ima_buffer(shifted.data() + 1, buffer_.size(), 0, out));
  EXPECT_EQ(out.text, "");
}

TEST_F(ImaBuffer, Version2) {
  put(0, 2, 2);
  EXPECT_FALSE(check());
  EXPECT_EQ(out_.text, prefix() + "IMA header: version 2, expected 1\n");
}

TEST_F(ImaBuffer, SegmentSmallerThanTheHeader) {
  buffer_.resize(20);
  EXPECT_FALSE(check());
  EXPECT_EQ(out_.text, prefix() + "IMA header: segment smaller than the 0x18-byte header\n");
}

TEST_F(ImaBuffer, BufferSizeBeyondTheSegment) {
  put(8, buffer_.size() + 1, 8);
  EXPECT_FALSE(check());
  EXPECT_EQ(out_.text, prefix() + "IMA header: buffer_size " + hex(buffer_.size() + 1) +
                           " exceeds the segment\n");
}

TEST_F(ImaBuffer, BufferSizeSmallerThanTheHeader) {
  put(8, 0x10, 8);
  EXPECT_FALSE(check());
  EXPECT_EQ(out_.text,
            prefix() + "IMA header: buffer_size 0x10 is smaller than the 0x18-byte header\n");
}

TEST_F(ImaBuffer, BufferSizeWithoutTheHeader) {
  put(8, layout_.buffer_size - 24, 8);
  EXPECT_FALSE(check());
  // The cut falls inside the last record's data: 102-byte record, 39 bytes before its data.
  const uint64_t left = layout_.buffer_size - 24 - layout_.offsets[2] - (28 + 7 + 4);
  EXPECT_EQ(out_.text, record_prefix(2) + "template data length 0x3f runs past buffer_size (" +
                           hex(left) + " bytes left)\n");
}

TEST_F(ImaBuffer, CountOneTooMany) {
  put(16, 4, 8);
  EXPECT_FALSE(check());
  EXPECT_EQ(out_.text, prefix() + "IMA record 3 at offset " + hex(layout_.buffer_size) +
                           ": missing: the header counts 4 records, buffer_size ends here\n");
}

TEST_F(ImaBuffer, CountOneTooFew) {
  put(16, 2, 8);
  EXPECT_FALSE(check());
  EXPECT_EQ(out_.text, prefix() + "IMA header: the 2 counted records end at " +
                           hex(layout_.offsets[2]) + ", not at buffer_size " +
                           hex(layout_.buffer_size) + "\n");
}

TEST_F(ImaBuffer, LastRecordOverrunsBufferSize) {
  const uint64_t data_length_at = layout_.offsets[2] + 28 + 7;
  put(data_length_at, 64, 4);
  EXPECT_FALSE(check());
  EXPECT_EQ(out_.text, record_prefix(2) +
                           "template data length 0x40 runs past buffer_size (0x3f bytes left)\n");
}

TEST_F(ImaBuffer, ZeroTemplateNameLength) {
  put(layout_.offsets[1] + 24, 0, 4);
  EXPECT_FALSE(check());
  EXPECT_EQ(out_.text, record_prefix(1) + "template name length 0\n");
}

TEST_F(ImaBuffer, TemplateNamePastBufferSize) {
  put(layout_.offsets[2] + 24, 0x1000, 4);
  EXPECT_FALSE(check());
  EXPECT_EQ(out_.text, record_prefix(2) +
                           "template name length 0x1000 runs past buffer_size (0x4a bytes left)\n");
}

TEST_F(ImaBuffer, RecordHeaderPastBufferSize) {
  put(8, layout_.offsets[2] + 27, 8);
  EXPECT_FALSE(check());
  EXPECT_EQ(out_.text,
            record_prefix(2) + "record header runs past buffer_size (0x1b bytes left)\n");
}

TEST_F(ImaBuffer, DataLengthFieldPastBufferSize) {
  put(8, layout_.offsets[2] + 28 + 7 + 2, 8);
  EXPECT_FALSE(check());
  EXPECT_EQ(out_.text,
            record_prefix(2) + "template data length runs past buffer_size (0x2 bytes left)\n");
}

// An image's segments: the kernel, then the IMA buffer.
class ImaSegment : public ::testing::Test {
 protected:
  void SetUp() override {
    handoff_.magic = styx::kHandoffMagic;
    handoff_.version = styx::kHandoffVersion;
    handoff_.size = sizeof(styx::Handoff);
    add(kernel_, styx::Role::kKernel);
    add(ima_, styx::Role::kIma);
  }
  void add(const Bytes& data, styx::Role role) {
    auto& s = handoff_.segments[handoff_.segment_count++];
    s.addr = addr_of(data.data());
    s.size = data.size();
    s.role = static_cast<uint32_t>(role);
    rehash(handoff_.segment_count - 1);
  }
  void rehash(uint32_t i) {
    auto& s = handoff_.segments[i];
    const auto* p = reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(s.addr));
    const auto d = styx::host::sha256(std::span<const uint8_t>(p, s.size));
    std::copy(d.begin(), d.end(), s.sha256);
  }
  styx::VerifyResult run() { return styx::verify_segments(handoff_, {0, 0}, out_); }

  Bytes kernel_ = Bytes(4096, 0x90);
  Bytes ima_ = styx::host::build_ima_kexec_buffer(sample_list(), kBig, 256);
  styx::Handoff handoff_{};
  StringSink out_;
};

TEST_F(ImaSegment, GoodBufferVerifies) {
  const auto r = run();
  EXPECT_EQ(out_.text, "");
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.bytes_verified, kernel_.size() + ima_.size());
}

TEST_F(ImaSegment, BadStructureFailsLikeABadDigest) {
  styx::host::put_uint(ima_, 0, 2, 2, kBig);
  rehash(1);
  const auto r = run();
  EXPECT_EQ(r.failed_mask, 2u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.bytes_verified, kernel_.size());
  EXPECT_EQ(out_.text, "styx: FAIL segment 1 (ima) " + hex(addr_of(ima_.data())) + "+" +
                           hex(ima_.size()) + ": IMA header: version 2, expected 1\n");
}

TEST_F(ImaSegment, BadDigestIsReportedWithoutTheStructureCheck) {
  styx::host::put_uint(ima_, 0, 2, 2, kBig);
  const auto r = run();
  EXPECT_EQ(r.failed_mask, 2u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_NE(out_.text.find(": sha256 expected "), std::string::npos) << out_.text;
  EXPECT_EQ(out_.text.find("IMA header"), std::string::npos) << out_.text;
}

TEST_F(ImaSegment, OnlyTheImaRoleIsChecked) {
  handoff_.segments[1].role = static_cast<uint32_t>(styx::Role::kData);
  styx::host::put_uint(ima_, 0, 2, 2, kBig);
  rehash(1);
  EXPECT_EQ(run().failed, 0u);
  EXPECT_EQ(out_.text, "");
}

TEST_F(ImaSegment, EmptyImaSegmentCarriesNoList) {
  handoff_.segments[1].size = 0;
  rehash(1);
  EXPECT_EQ(run().failed, 0u);
  EXPECT_EQ(out_.text, "");
}

}  // namespace
