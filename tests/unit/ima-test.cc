// SPDX-License-Identifier: GPL-2.0-only
// IMA measurement lists on the host: securityfs lists in either byte order, what the parser
// rejects (naming the record and its offset), kexec buffers and the ASCII form.
#include "ima.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bytes.h"
#include "digest.h"
#include "error.h"

namespace {

using Bytes = std::vector<uint8_t>;
using styx::host::ImaList;
using styx::host::InputError;

Bytes from_hex(std::string_view hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

Bytes text(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// Template digests (SHA-1) and file digests (SHA-256) of the sample list.
constexpr std::string_view kTemplateDigest[] = {
    "f503ccbc3d52af6e56a47a212e2cde219f9f9d70",
    "e5353879bd69bfddcb465dad176ff52db8319d6f",
    "2a5bd02710e975a7fbb92da876655950fbd5e70d",
};
constexpr std::string_view kFileDigest[] = {
    "4509beb0ab401d71fa4a5cd94a55c9a74f13332776ae4019c5bfc4c2005157ff",
    "b5bea41b6c623f7c09f1bf24dcae58ebab3c0cdd90ad966bc43a45b44867e12b",
    "06ee72e7ccf61e9cda8d84478ddf6eae46c31155d0216d12619846060f3acd39",
};

// "<algo>:\0" + digest, as the d-ng field holds it.
Bytes d_ng(std::string_view algo, const Bytes& digest) {
  Bytes out = text(algo);
  out.push_back(':');
  out.push_back(0);
  out.insert(out.end(), digest.begin(), digest.end());
  return out;
}

Bytes n_ng(std::string_view path) {
  Bytes out = text(path);
  out.push_back(0);
  return out;
}

// Template data: [u32 length][bytes] per field.
Bytes fields(bool big, std::initializer_list<Bytes> list) {
  Bytes out;
  for (const auto& f : list) {
    styx::host::append_uint(out, f.size(), 4, big);
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

// One record of binary_runtime_measurements, written by hand rather than by the code under test.
Bytes record(bool big, uint32_t pcr, std::string_view template_digest, std::string_view name,
             const Bytes& data) {
  Bytes out;
  styx::host::append_uint(out, pcr, 4, big);
  const Bytes digest = from_hex(template_digest);
  out.insert(out.end(), digest.begin(), digest.end());
  styx::host::append_uint(out, name.size(), 4, big);
  out.insert(out.end(), name.begin(), name.end());
  styx::host::append_uint(out, data.size(), 4, big);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

struct Sample {
  Bytes bytes;
  std::vector<size_t> offsets;  ///< of each record
};

void add(Sample& s, const Bytes& rec) {
  s.offsets.push_back(s.bytes.size());
  s.bytes.insert(s.bytes.end(), rec.begin(), rec.end());
}

// boot_aggregate, a measured file, and an ima-sig record without signature, all in PCR 10.
Sample sample_list(bool big) {
  Sample s;
  add(s, record(big, 10, kTemplateDigest[0], "ima-ng",
                fields(big, {d_ng("sha256", from_hex(kFileDigest[0])), n_ng("boot_aggregate")})));
  add(s, record(big, 10, kTemplateDigest[1], "ima-ng",
                fields(big, {d_ng("sha256", from_hex(kFileDigest[1])), n_ng("/usr/bin/true")})));
  add(s, record(big, 10, kTemplateDigest[2], "ima-sig",
                fields(big, {d_ng("sha256", from_hex(kFileDigest[2])), n_ng("/etc/fstab"), {}})));
  return s;
}

constexpr char kSampleAscii[] =
    "10 f503ccbc3d52af6e56a47a212e2cde219f9f9d70 ima-ng "
    "sha256:4509beb0ab401d71fa4a5cd94a55c9a74f13332776ae4019c5bfc4c2005157ff boot_aggregate\n"
    "10 e5353879bd69bfddcb465dad176ff52db8319d6f ima-ng "
    "sha256:b5bea41b6c623f7c09f1bf24dcae58ebab3c0cdd90ad966bc43a45b44867e12b /usr/bin/true\n"
    "10 2a5bd02710e975a7fbb92da876655950fbd5e70d ima-sig "
    "sha256:06ee72e7ccf61e9cda8d84478ddf6eae46c31155d0216d12619846060f3acd39 /etc/fstab \n";

std::string parse_error(const Bytes& bytes, std::optional<bool> big = std::nullopt) {
  try {
    styx::host::parse_ima_list(bytes, "list", big);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string hex_offset(size_t offset) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%zx", offset);
  return buf;
}

TEST(ImaList, ParsesALittleEndianList) {
  const Sample s = sample_list(false);
  const ImaList list = styx::host::parse_ima_list(s.bytes, "list");
  ASSERT_EQ(list.records.size(), 3u);
  const auto& r = list.records[0];
  EXPECT_EQ(r.pcr, 10u);
  EXPECT_EQ(styx::host::to_hex(r.digest), kTemplateDigest[0]);
  EXPECT_EQ(r.template_name, "ima-ng");
  EXPECT_EQ(r.data,
            fields(false, {d_ng("sha256", from_hex(kFileDigest[0])), n_ng("boot_aggregate")}));
  EXPECT_EQ(list.records[2].template_name, "ima-sig");
  // The last field is the empty signature: a zero length and nothing after it.
  EXPECT_EQ(Bytes(list.records[2].data.end() - 4, list.records[2].data.end()), Bytes(4, 0));
}

TEST(ImaList, BigEndianListParsesToTheSameValue) {
  const ImaList le = styx::host::parse_ima_list(sample_list(false).bytes, "le");
  const ImaList be = styx::host::parse_ima_list(sample_list(true).bytes, "be");
  EXPECT_EQ(be, le);
  EXPECT_EQ(styx::host::parse_ima_list(sample_list(true).bytes, "be", true), le);
}

TEST(ImaList, CanonicalOrderIsLittleEndian) {
  EXPECT_EQ(styx::host::parse_ima_list(sample_list(false).bytes, "list", false).records.size(), 3u);
  // A big-endian list read as canonical: PCR 10 reads as 0x0a000000.
  EXPECT_EQ(parse_error(sample_list(true).bytes, false),
            "list: record 0 at offset 0x0: PCR 167772160 is out of range (0-23)");
}

TEST(ImaList, ByteOrderNotPlausibleInEitherOrder) {
  Sample s = sample_list(false);
  styx::host::put_uint(s.bytes, 0, 0x30, 4, false);  // PCR 48, or 0x30000000 big-endian
  EXPECT_EQ(parse_error(s.bytes),
            "list: cannot tell the byte order: the first record's PCR and template name length "
            "are plausible in neither order");
}

TEST(ImaList, EmptyListHasNoRecords) {
  EXPECT_TRUE(styx::host::parse_ima_list({}, "list").records.empty());
}

// Each problem is reported for the record it is in, with that record's offset.
class ImaListErrors : public ::testing::Test {
 protected:
  // The sample list with `third` as its third record.
  std::string error_in_third(const Bytes& third) {
    Bytes bytes(s_.bytes.begin(), s_.bytes.begin() + s_.offsets[2]);
    bytes.insert(bytes.end(), third.begin(), third.end());
    return parse_error(bytes);
  }
  std::string prefix() const {
    return "list: record 2 at offset " + hex_offset(s_.offsets[2]) + ": ";
  }
  Bytes ng(std::string_view algo, const Bytes& digest, std::string_view path = "/etc/fstab") {
    return fields(false, {d_ng(algo, digest), n_ng(path)});
  }

  Sample s_ = sample_list(false);
  Bytes sha256_ = from_hex(kFileDigest[2]);
};

TEST_F(ImaListErrors, TruncatedRecordHeader) {
  Bytes bytes = s_.bytes;
  bytes.resize(s_.offsets[2] + 10);
  EXPECT_EQ(parse_error(bytes), prefix() + "truncated: 10 bytes left, the record header needs 28");
}

TEST_F(ImaListErrors, TruncatedTemplateName) {
  Bytes bytes = s_.bytes;
  bytes.resize(s_.offsets[2] + 28 + 3);
  EXPECT_EQ(parse_error(bytes), prefix() + "truncated: template name of 7 bytes, 3 left");
}

TEST_F(ImaListErrors, TruncatedData) {
  Bytes bytes = s_.bytes;
  bytes.pop_back();
  EXPECT_EQ(parse_error(bytes),
            prefix() + "template data length 63 runs past the end (62 bytes left)");
}

TEST_F(ImaListErrors, PcrOutOfRange) {
  EXPECT_EQ(error_in_third(record(false, 24, kTemplateDigest[2], "ima-ng", ng("sha256", sha256_))),
            prefix() + "PCR 24 is out of range (0-23)");
  EXPECT_EQ(error_in_third(record(false, 23, kTemplateDigest[2], "ima-ng", ng("sha256", sha256_))),
            "(accepted)");
}

TEST_F(ImaListErrors, TemplateNameLength) {
  Bytes rec = record(false, 10, kTemplateDigest[2], "ima-ng", ng("sha256", sha256_));
  styx::host::put_uint(rec, 24, 0, 4, false);
  EXPECT_EQ(error_in_third(rec), prefix() + "template name length 0");
  styx::host::put_uint(rec, 24, 256, 4, false);
  EXPECT_EQ(error_in_third(rec), prefix() + "template name length 256 exceeds 255");
}

TEST_F(ImaListErrors, TemplateNameNotPrintable) {
  EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima\x01ng", {})),
            prefix() + "template name has a non-printable byte 0x01");
  EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima ng", {})),
            prefix() + "template name has a non-printable byte 0x20");
}

TEST_F(ImaListErrors, FieldCount) {
  EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima-sig", ng("sha256", sha256_))),
            prefix() + "ima-sig template data has 2 fields, expected 3");
  const Bytes three = fields(false, {d_ng("sha256", sha256_), n_ng("/etc/fstab"), {}});
  EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima-ng", three)),
            prefix() + "ima-ng template data: 4 bytes after the last field");
}

TEST_F(ImaListErrors, FieldPastTheData) {
  Bytes data = ng("sha256", sha256_);
  styx::host::put_uint(data, 0, 200, 4, false);
  EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima-ng", data)),
            prefix() + "template data: field 0 of 200 bytes runs past the data end (55 left)");
  data = ng("sha256", sha256_);
  data.resize(data.size() + 2);  // half a length
  EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima-sig", data)),
            prefix() + "template data: field 2 has a truncated length (2 of 4 bytes)");
}

TEST_F(ImaListErrors, DigestFieldPrefix) {
  const Bytes no_nul = fields(false, {text("sha256:" + std::string(32, 'x')), n_ng("/a")});
  EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima-ng", no_nul)),
            prefix() + "template data: field 0 (d-ng) has no \"<algo>:\\0\" prefix");
  const Bytes bare = fields(false, {sha256_, n_ng("/a")});
  EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima-ng", bare)),
            prefix() + "template data: field 0 (d-ng) has no \"<algo>:\\0\" prefix");
  EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima-ng", ng("foo", sha256_))),
            prefix() + "template data: field 0 (d-ng) has an unknown hash algorithm \"foo\"");
}

TEST_F(ImaListErrors, DigestSizeMatchesTheAlgorithm) {
  for (const auto& [algo, size] :
       std::initializer_list<std::pair<std::string_view, size_t>>{{"sha1", 20},
                                                                  {"sha256", 32},
                                                                  {"sha384", 48},
                                                                  {"sha512", 64},
                                                                  {"sm3", 32},
                                                                  {"md5", 16}}) {
    const Bytes good(size, 0xab), bad(size + 1, 0xab);
    EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima-ng", ng(algo, good))),
              "(accepted)")
        << algo;
    EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima-ng", ng(algo, bad))),
              prefix() + "template data: field 0 (d-ng) has a " + std::string(algo) +
                  " digest of " + std::to_string(size + 1) + " bytes, expected " +
                  std::to_string(size))
        << algo;
  }
}

TEST_F(ImaListErrors, ViolationHasTwentyZeroBytesWhateverTheAlgorithm) {
  const std::string zero(40, '0');
  const Bytes violation = ng("sha256", Bytes(20, 0), "/var/log/messages");
  EXPECT_EQ(error_in_third(record(false, 10, zero, "ima-ng", violation)), "(accepted)");
  // Only a violation (all-zero template digest) may do that.
  EXPECT_EQ(
      error_in_third(record(false, 10, kTemplateDigest[2], "ima-ng", violation)),
      prefix() + "template data: field 0 (d-ng) has a sha256 digest of 20 bytes, expected 32");
}

TEST_F(ImaListErrors, PathWithoutNul) {
  const Bytes data = fields(false, {d_ng("sha256", sha256_), text("/etc/fstab")});
  EXPECT_EQ(error_in_third(record(false, 10, kTemplateDigest[2], "ima-ng", data)),
            prefix() + "template data: field 1 (n-ng) does not end with NUL");
}

TEST_F(ImaListErrors, LegacyEventName) {
  Bytes rec(4 + 20 + 4);
  rec[0] = 10;
  rec[24] = 3;
  for (char c : std::string_view("ima")) rec.push_back(static_cast<uint8_t>(c));
  rec.resize(rec.size() + 20, 0x11);
  styx::host::append_uint(rec, 5, 4, false);
  const Bytes good = [&] {
    Bytes r = rec;
    for (char c : std::string_view("/init")) r.push_back(static_cast<uint8_t>(c));
    return r;
  }();
  EXPECT_EQ(error_in_third(good), "(accepted)");
  Bytes nul = rec;
  for (char c : std::string_view("/in\0t", 5)) nul.push_back(static_cast<uint8_t>(c));
  EXPECT_EQ(error_in_third(nul), prefix() + "ima template event name contains a NUL byte");
  Bytes cut = rec;
  cut.push_back('/');
  EXPECT_EQ(error_in_third(cut),
            prefix() + "truncated: ima template event name of 5 bytes, 1 left");
}

// The legacy template: no data length, a bare SHA-1 digest, then a length-prefixed name.
Bytes legacy_record(bool big) {
  Bytes out;
  styx::host::append_uint(out, 10, 4, big);
  const Bytes digest = from_hex(kTemplateDigest[1]);
  out.insert(out.end(), digest.begin(), digest.end());
  styx::host::append_uint(out, 3, 4, big);
  for (char c : std::string_view("ima")) out.push_back(static_cast<uint8_t>(c));
  const Bytes file = from_hex(kTemplateDigest[0]);
  out.insert(out.end(), file.begin(), file.end());
  styx::host::append_uint(out, 5, 4, big);
  for (char c : std::string_view("/init")) out.push_back(static_cast<uint8_t>(c));
  return out;
}

TEST(ImaList, LegacyTemplate) {
  Bytes bytes = legacy_record(true);
  const Bytes more = legacy_record(true);
  bytes.insert(bytes.end(), more.begin(), more.end());
  const ImaList list = styx::host::parse_ima_list(bytes, "list");
  ASSERT_EQ(list.records.size(), 2u);
  EXPECT_EQ(list.records[0].data.size(), 20u + 4u + 5u);
  EXPECT_EQ(styx::host::parse_ima_list(legacy_record(false), "list").records.at(0),
            list.records[0]);
  EXPECT_EQ(styx::host::format_ima_ascii(list),
            "10 e5353879bd69bfddcb465dad176ff52db8319d6f ima "
            "f503ccbc3d52af6e56a47a212e2cde219f9f9d70 /init\n"
            "10 e5353879bd69bfddcb465dad176ff52db8319d6f ima "
            "f503ccbc3d52af6e56a47a212e2cde219f9f9d70 /init\n");
}

TEST(ImaAscii, AsTheKernelShowsIt) {
  const ImaList list = styx::host::parse_ima_list(sample_list(false).bytes, "list");
  EXPECT_EQ(styx::host::format_ima_ascii(list), kSampleAscii);
}

TEST(ImaAscii, PcrIsTwoWideAndSignatureIsHex) {
  Bytes bytes = record(false, 9, kTemplateDigest[0], "ima-sig",
                       fields(false, {d_ng("sha1", from_hex(kTemplateDigest[1])), n_ng("/bin/sh"),
                                      from_hex("030204aabbccdd")}));
  const Bytes buf = record(false, 11, kTemplateDigest[1], "ima-buf",
                           fields(false, {d_ng("sha256", from_hex(kFileDigest[1])),
                                          n_ng("kexec-cmdline"), text("console=ttyS0")}));
  bytes.insert(bytes.end(), buf.begin(), buf.end());
  EXPECT_EQ(styx::host::format_ima_ascii(styx::host::parse_ima_list(bytes, "list")),
            " 9 f503ccbc3d52af6e56a47a212e2cde219f9f9d70 ima-sig "
            "sha1:e5353879bd69bfddcb465dad176ff52db8319d6f /bin/sh 030204aabbccdd\n"
            "11 e5353879bd69bfddcb465dad176ff52db8319d6f ima-buf "
            "sha256:b5bea41b6c623f7c09f1bf24dcae58ebab3c0cdd90ad966bc43a45b44867e12b "
            "kexec-cmdline 636f6e736f6c653d7474795330\n");
}

TEST(ImaAscii, FormatStringTemplateShowsItsFields) {
  const Bytes bytes =
      record(false, 10, kTemplateDigest[0], "d-ng|n-ng",
             fields(false, {d_ng("sha256", from_hex(kFileDigest[0])), n_ng("boot_aggregate")}));
  EXPECT_EQ(styx::host::format_ima_ascii(styx::host::parse_ima_list(bytes, "list")),
            "10 f503ccbc3d52af6e56a47a212e2cde219f9f9d70 d-ng|n-ng "
            "sha256:4509beb0ab401d71fa4a5cd94a55c9a74f13332776ae4019c5bfc4c2005157ff "
            "boot_aggregate\n");
}

TEST(ImaKexecBuffer, HeaderThenTheRecordsAsSecurityfsListsThem) {
  const Sample s = sample_list(false);
  const ImaList list = styx::host::parse_ima_list(s.bytes, "list");
  const Bytes buffer = styx::host::build_ima_kexec_buffer(list, false, 0);
  ASSERT_EQ(buffer.size(), 24 + s.bytes.size());
  const styx::host::ByteReader r(buffer, false, "buffer");
  EXPECT_EQ(r.u16(0), 1u);
  EXPECT_EQ(r.u16(2), 0u);
  EXPECT_EQ(r.u32(4), 0u);
  EXPECT_EQ(r.u64(8), buffer.size());
  EXPECT_EQ(r.u64(16), 3u);
  EXPECT_EQ(Bytes(buffer.begin() + 24, buffer.end()), s.bytes);
}

TEST(ImaKexecBuffer, BigEndianBufferHasBigEndianFieldLengths) {
  const ImaList list = styx::host::parse_ima_list(sample_list(false).bytes, "list");
  const Bytes buffer = styx::host::build_ima_kexec_buffer(list, true, 0);
  const Sample be = sample_list(true);
  EXPECT_EQ(Bytes(buffer.begin() + 24, buffer.end()), be.bytes);
  const styx::host::ByteReader r(buffer, true, "buffer");
  EXPECT_EQ(r.u16(0), 1u);
  EXPECT_EQ(r.u64(8), buffer.size());
  EXPECT_EQ(r.u64(16), 3u);
}

TEST(ImaKexecBuffer, RoundTripInBothOrders) {
  const ImaList list = styx::host::parse_ima_list(sample_list(false).bytes, "list");
  for (const bool big : {false, true}) {
    const Bytes buffer = styx::host::build_ima_kexec_buffer(list, big, 0);
    EXPECT_EQ(styx::host::parse_ima_kexec_buffer(buffer, big, "buffer"), list) << big;
  }
}

TEST(ImaKexecBuffer, ExtraRoomIsZeroAndNotCounted) {
  const ImaList list = styx::host::parse_ima_list(sample_list(false).bytes, "list");
  const Bytes plain = styx::host::build_ima_kexec_buffer(list, false, 0);
  const Bytes roomy = styx::host::build_ima_kexec_buffer(list, false, 4096);
  ASSERT_EQ(roomy.size(), plain.size() + 4096);
  EXPECT_EQ(Bytes(roomy.begin(), roomy.begin() + plain.size()), plain);
  EXPECT_EQ(Bytes(roomy.begin() + plain.size(), roomy.end()), Bytes(4096, 0));
  EXPECT_EQ(styx::host::parse_ima_kexec_buffer(roomy, false, "buffer"), list);
}

TEST(ImaKexecBuffer, ExtraRoomThatWouldWrapIsRefused) {
  const ImaList list = styx::host::parse_ima_list(sample_list(false).bytes, "list");
  for (const uint64_t extra : {UINT64_MAX, UINT64_MAX - 100, uint64_t{1} << 31})
    EXPECT_THROW(styx::host::build_ima_kexec_buffer(list, false, extra), InputError) << extra;
}

TEST(ImaKexecBuffer, EmptyList) {
  const Bytes buffer = styx::host::build_ima_kexec_buffer({}, false, 0);
  EXPECT_EQ(buffer.size(), 24u);
  EXPECT_TRUE(styx::host::parse_ima_kexec_buffer(buffer, false, "buffer").records.empty());
}

TEST(ImaKexecBuffer, RefusesWhatTheKernelWillNotRestore) {
  ImaList list = styx::host::parse_ima_list(legacy_record(false), "list");
  EXPECT_THROW(styx::host::build_ima_kexec_buffer(list, false, 0), InputError);
  list = styx::host::parse_ima_list(sample_list(false).bytes, "list");
  list.records[1].template_name = std::string(33, 'x');
  EXPECT_NO_THROW(styx::host::build_ima_kexec_buffer(list, false, 0));
  list.records[1].template_name = std::string(34, 'x');
  try {
    styx::host::build_ima_kexec_buffer(list, false, 0);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("IMA list: record 1 (", 0), 0u) << e.what();
  }
}

class ImaKexecBufferErrors : public ::testing::Test {
 protected:
  std::string error(const Bytes& bytes) {
    try {
      styx::host::parse_ima_kexec_buffer(bytes, false, "buffer");
    } catch (const InputError& e) {
      return e.what();
    }
    return "(accepted)";
  }
  void put(size_t offset, uint64_t value, size_t width) {
    styx::host::put_uint(buffer_, offset, value, width, false);
  }

  Sample s_ = sample_list(false);
  Bytes buffer_ =
      styx::host::build_ima_kexec_buffer(styx::host::parse_ima_list(s_.bytes, "list"), false, 64);
  size_t size_ = 24 + s_.bytes.size();
};

TEST_F(ImaKexecBufferErrors, Version) {
  put(0, 2, 2);
  EXPECT_EQ(error(buffer_), "buffer: IMA header: version 2, expected 1");
}

TEST_F(ImaKexecBufferErrors, TruncatedHeader) {
  EXPECT_EQ(error(Bytes(buffer_.begin(), buffer_.begin() + 20)),
            "buffer: IMA header: truncated: 20 bytes, the header needs 24");
}

TEST_F(ImaKexecBufferErrors, BufferSizeBeyondTheBytes) {
  put(8, buffer_.size() + 1, 8);
  EXPECT_EQ(error(buffer_), "buffer: IMA header: buffer_size " + hex_offset(buffer_.size() + 1) +
                                " exceeds the " + hex_offset(buffer_.size()) + " bytes given");
}

TEST_F(ImaKexecBufferErrors, BufferSizeSmallerThanTheHeader) {
  put(8, 16, 8);
  EXPECT_EQ(error(buffer_),
            "buffer: IMA header: buffer_size 0x10 is smaller than the 24-byte header");
}

TEST_F(ImaKexecBufferErrors, BufferSizeWithoutTheHeader) {
  put(8, size_ - 24, 8);
  const size_t last = 24 + s_.offsets[2];
  EXPECT_EQ(error(buffer_), "buffer: record 2 at offset " + hex_offset(last) +
                                ": template data length 63 runs past the end (39 bytes left)");
}

TEST_F(ImaKexecBufferErrors, CountOneTooMany) {
  put(16, 4, 8);
  EXPECT_EQ(error(buffer_), "buffer: record 3 at offset " + hex_offset(size_) +
                                ": missing: the header counts 4 records, buffer_size ends here");
}

TEST_F(ImaKexecBufferErrors, CountOneTooFew) {
  put(16, 2, 8);
  EXPECT_EQ(error(buffer_), "buffer: IMA header: the 2 counted records end at " +
                                hex_offset(24 + s_.offsets[2]) + ", not at buffer_size " +
                                hex_offset(size_));
}

TEST_F(ImaKexecBufferErrors, RecordProblemsNameTheRecord) {
  put(24 + s_.offsets[1], 30, 4);
  EXPECT_EQ(error(buffer_), "buffer: record 1 at offset " + hex_offset(24 + s_.offsets[1]) +
                                ": PCR 30 is out of range (0-23)");
}

}  // namespace
