// SPDX-License-Identifier: GPL-2.0-only
// Replaying IMA lists into PCRs, checked against evmctl (ima-evm-utils) on the same list and
// PCR files: a real Debian list with a violation, tampered copies of it, records in two PCRs,
// lists longer than the PCRs, big-endian lists, and the PCR files both tools read.
#include "ima-replay.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bytes.h"
#include "digest.h"
#include "error.h"
#include "file-io.h"
#include "ima.h"
#include "tpm-pcrs.h"

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using styx::host::ImaList;
using styx::host::InputError;
using styx::host::ParsedImaList;
using styx::host::PcrValues;

const std::string kList =
    std::string(STYX_TEST_DATA) + "/ima/debian12-amd64-binary_runtime_measurements";

// PCR 10 after the real list, from an independent replay (and what evmctl accepts).
constexpr char kRealPcr10Sha256[] =
    "8c36ba9a4b6a5eff82d14d72a2f4dfe65832fa74b6e8c84758abd7c9b65b997b";
constexpr char kRealPcr10Sha1[] = "d0ccab77a919624efcd1f98680f29afca57902c2";

struct Evmctl {
  int status;
  std::string output;
};

class TempDirTest : public testing::Test {
 protected:
  TempDirTest() {
    dir_ =
        fs::temp_directory_path() / ("styx-ima-replay-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~TempDirTest() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const Bytes& bytes) const {
    fs::create_directories(fs::path(path(name)).parent_path());
    std::ofstream(path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  void write_text(const std::string& name, const std::string& text) const {
    write(name, Bytes(text.begin(), text.end()));
  }

  fs::path dir_;
};

class ImaReplayTest : public TempDirTest {
 protected:
  static Bytes real_list() { return styx::host::read_file(kList); }
  static ParsedImaList parse(const Bytes& bytes) {
    return styx::host::parse_ima_list_with_order(bytes, "list");
  }
  // The binary form of `list` (the kexec buffer without its header).
  static Bytes binary(const ImaList& list, bool big = false) {
    const Bytes buffer = styx::host::build_ima_kexec_buffer(list, big, 0);
    return Bytes(buffer.begin() + styx::host::kImaKexecHeaderSize, buffer.end());
  }

  // What `records` of `parsed` replay to, both banks, every PCR (zero where none extends).
  static PcrValues replay_values(const ParsedImaList& parsed, size_t records) {
    ParsedImaList prefix = parsed;
    prefix.list.records.resize(records);
    PcrValues values;
    for (const char* bank : {"sha1", "sha256"})
      for (uint32_t pcr = 0; pcr < 24; ++pcr)
        values.banks[bank][pcr] = Bytes(styx::host::pcr_bank_digest_size(bank), 0);
    const auto r = styx::host::replay_ima_list(prefix, values);
    for (const auto& [bank, pcrs] : r.replayed)
      for (const auto& [pcr, value] : pcrs) values.banks[bank][pcr] = value;
    return values;
  }

  // evmctl's PCR files for `values`; returns the --pcrs arguments.
  std::vector<std::string> write_evmctl_pcrs(const PcrValues& values) const {
    std::vector<std::string> args;
    for (const auto& [bank, pcrs] : values.banks) {
      std::string text;
      for (const auto& [pcr, value] : pcrs) {
        char label[16];
        std::snprintf(label, sizeof label, "PCR-%02u: ", pcr);
        text += label + styx::host::to_hex(value) + "\n";
      }
      write_text(bank, text);
      args.push_back(bank + "," + path(bank));
    }
    return args;
  }

  // `evmctl -v ima_measurement --ignore-violations --pcrs ... LIST`: --ignore-violations makes
  // evmctl extend a violation as 0xff bytes, as the kernel does (without it, evmctl extends
  // zeros).
  Evmctl evmctl(const std::string& list, const std::vector<std::string>& pcrs,
                bool ignore_violations = true) const {
    std::string command = "evmctl -v ima_measurement";
    if (ignore_violations) command += " --ignore-violations";
    for (const auto& p : pcrs) command += " --pcrs " + p;
    command += " " + list + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    std::string output;
    char buf[4096];
    size_t n;
    while (pipe && (n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
    const int status = pipe ? ::pclose(pipe) : -1;
    return {status, output};
  }

  // Both tools on `bytes` against the PCRs `values` hold.
  struct Both {
    styx::host::ImaReplay styx;
    Evmctl evmctl;
  };
  Both run_both(const Bytes& bytes, const PcrValues& values) const {
    write("list", bytes);
    return {styx::host::replay_ima_list(parse(bytes), values),
            evmctl(path("list"), write_evmctl_pcrs(values))};
  }

  void SetUp() override {
    if (std::system("command -v evmctl >/dev/null 2>&1") != 0)
      GTEST_SKIP() << "evmctl (ima-evm-utils) is not installed";
  }
};

bool evmctl_matched(const Evmctl& e) {
  return e.status == 0 &&
         e.output.find("Matched per TPM bank calculated digest(s)") != std::string::npos;
}

TEST_F(ImaReplayTest, RealListReplaysAsEvmctlDoes) {
  const ParsedImaList parsed = parse(real_list());
  EXPECT_FALSE(parsed.big_endian);
  const PcrValues values = replay_values(parsed, parsed.list.records.size());
  EXPECT_EQ(styx::host::to_hex(values.banks.at("sha256").at(10)), kRealPcr10Sha256);
  EXPECT_EQ(styx::host::to_hex(values.banks.at("sha1").at(10)), kRealPcr10Sha1);

  const Both both = run_both(real_list(), values);
  EXPECT_TRUE(both.styx.matched());
  EXPECT_EQ(both.styx.matched_records, 9u);
  EXPECT_EQ(both.styx.banks, (std::vector<std::string>{"sha1", "sha256"}));
  EXPECT_EQ(both.styx.pcrs, std::set<uint32_t>{10});
  EXPECT_TRUE(evmctl_matched(both.evmctl)) << both.evmctl.output;
}

TEST_F(ImaReplayTest, ViolationIsExtendedAsAllOnesOfTheBankSize) {
  const ParsedImaList parsed = parse(real_list());
  const styx::host::ImaRecord& violation = parsed.list.records[7];
  ASSERT_EQ(violation.digest, (std::array<uint8_t, 20>{}));
  EXPECT_EQ(styx::host::ima_extend_digest(violation, false, "sha1"), Bytes(20, 0xff));
  EXPECT_EQ(styx::host::ima_extend_digest(violation, false, "sha256"), Bytes(32, 0xff));
  // evmctl agrees only when told to extend violations as the kernel does.
  write("list", real_list());
  const auto pcrs = write_evmctl_pcrs(replay_values(parsed, 9));
  EXPECT_TRUE(evmctl_matched(evmctl(path("list"), pcrs)));
  EXPECT_FALSE(evmctl_matched(evmctl(path("list"), pcrs, false)));
}

TEST_F(ImaReplayTest, AlteredFileDigestFailsInBothToolsAtTheSameRecord) {
  const ParsedImaList parsed = parse(real_list());
  const PcrValues values = replay_values(parsed, 9);
  ImaList tampered = parsed.list;
  tampered.records[3].data[12] ^= 1;  // inside the file digest of /etc/e2e/mode
  const Both both = run_both(binary(tampered), values);
  EXPECT_FALSE(both.styx.matched());
  EXPECT_EQ(both.styx.altered_record, 3u);
  EXPECT_FALSE(evmctl_matched(both.evmctl));
  // evmctl counts entries from 1.
  EXPECT_NE(both.evmctl.output.find("Failed to verify template data digest(line 4)"),
            std::string::npos)
      << both.evmctl.output;
}

TEST_F(ImaReplayTest, AlteredTemplateDigestFailsInBothToolsAtTheSameRecord) {
  const ParsedImaList parsed = parse(real_list());
  const PcrValues values = replay_values(parsed, 9);
  ImaList tampered = parsed.list;
  tampered.records[5].digest[0] ^= 0x80;
  const Both both = run_both(binary(tampered), values);
  EXPECT_FALSE(both.styx.matched());
  EXPECT_EQ(both.styx.altered_record, 5u);
  EXPECT_NE(both.styx.replayed.at("sha1").at(10), values.banks.at("sha1").at(10));
  EXPECT_FALSE(evmctl_matched(both.evmctl));
  EXPECT_NE(both.evmctl.output.find("Failed to verify template data digest(line 6)"),
            std::string::npos)
      << both.evmctl.output;
}

TEST_F(ImaReplayTest, RemovedRecordMatchesNoPrefixInEitherTool) {
  const ParsedImaList parsed = parse(real_list());
  const PcrValues values = replay_values(parsed, 9);
  ImaList tampered = parsed.list;
  tampered.records.erase(tampered.records.begin() + 4);
  const Both both = run_both(binary(tampered), values);
  EXPECT_FALSE(both.styx.matched());
  EXPECT_FALSE(both.styx.matched_records);
  EXPECT_FALSE(both.styx.altered_record);
  EXPECT_FALSE(evmctl_matched(both.evmctl)) << both.evmctl.output;
}

TEST_F(ImaReplayTest, ViolationTurnedIntoAMeasurementFails) {
  // A record that claims no violation where the kernel extended 0xff: replayed differently.
  const ParsedImaList parsed = parse(real_list());
  const PcrValues values = replay_values(parsed, 9);
  ImaList tampered = parsed.list;
  tampered.records.erase(tampered.records.begin() + 7);
  const Both both = run_both(binary(tampered), values);
  EXPECT_FALSE(both.styx.matched());
  EXPECT_FALSE(evmctl_matched(both.evmctl));
}

TEST_F(ImaReplayTest, RecordsInSeveralPcrsReplayEachPcr) {
  ParsedImaList parsed = parse(real_list());
  for (size_t i = 5; i < parsed.list.records.size(); ++i) parsed.list.records[i].pcr = 11;
  const PcrValues values = replay_values(parsed, 9);
  EXPECT_NE(values.banks.at("sha256").at(11), Bytes(32, 0));
  const Both both = run_both(binary(parsed.list), values);
  EXPECT_TRUE(both.styx.matched());
  EXPECT_EQ(both.styx.pcrs, (std::set<uint32_t>{10, 11}));
  EXPECT_TRUE(evmctl_matched(both.evmctl)) << both.evmctl.output;

  // PCR 10 altered: both fail.
  PcrValues wrong10 = values;
  wrong10.banks["sha256"][10][0] ^= 1;
  const Both bad10 = run_both(binary(parsed.list), wrong10);
  EXPECT_FALSE(bad10.styx.matched());
  EXPECT_FALSE(evmctl_matched(bad10.evmctl)) << bad10.evmctl.output;

  // PCR 11 altered: evmctl stops at the first entry after which the PCRs it has extended so far
  // match (entry 5, before any PCR 11 record) and reports a match; styx holds every PCR the
  // list names to the TPM.
  PcrValues wrong11 = values;
  wrong11.banks["sha256"][11][0] ^= 1;
  const Both bad11 = run_both(binary(parsed.list), wrong11);
  EXPECT_FALSE(bad11.styx.matched());
  EXPECT_FALSE(bad11.styx.matched_records);
  EXPECT_NE(bad11.evmctl.output.find("sha256 PCR-10: succeed at entry 5"), std::string::npos)
      << bad11.evmctl.output;
}

TEST_F(ImaReplayTest, ListLongerThanThePcrsMatchesItsFirstRecords) {
  const ParsedImaList parsed = parse(real_list());
  const Both both = run_both(real_list(), replay_values(parsed, 6));
  EXPECT_TRUE(both.styx.matched());
  EXPECT_EQ(both.styx.matched_records, 6u);
  EXPECT_TRUE(evmctl_matched(both.evmctl)) << both.evmctl.output;
  EXPECT_NE(both.evmctl.output.find("sha256 PCR-10: succeed at entry 6"), std::string::npos)
      << both.evmctl.output;
}

TEST_F(ImaReplayTest, BigEndianListHashesItsLengthsBigEndian) {
  // A big-endian kernel hashed the field lengths as it wrote them.
  ParsedImaList parsed = parse(real_list());
  for (auto& r : parsed.list.records) {
    if (r.digest == std::array<uint8_t, 20>{}) continue;
    Bytes data = r.data;
    for (size_t pos = 0; pos + 4 <= data.size();) {
      const uint64_t len = styx::host::get_uint(data, pos, 4, false);
      styx::host::put_uint(data, pos, len, 4, true);
      pos += 4 + len;
    }
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), r.digest.data(), &size, EVP_sha1(), nullptr);
  }
  const Bytes be = binary(parsed.list, true);
  const ParsedImaList again = parse(be);
  EXPECT_TRUE(again.big_endian);
  const auto r = styx::host::replay_ima_list(again, replay_values(again, 9));
  EXPECT_TRUE(r.matched());
  EXPECT_FALSE(r.altered_record);
  // Read as if little-endian lengths had been hashed, every record looks altered.
  ParsedImaList wrong = again;
  wrong.big_endian = false;
  EXPECT_EQ(styx::host::replay_ima_list(wrong, replay_values(again, 9)).altered_record, 0u);
}

TEST_F(ImaReplayTest, BootAggregateIsCheckedAgainstPcrsZeroToNine) {
  ParsedImaList parsed = parse(real_list());
  PcrValues tpm = replay_values(parsed, 9);
  // No TPM when the list began: all zero, nothing to check.
  EXPECT_EQ(styx::host::replay_ima_list(parsed, tpm).boot_aggregate.result,
            styx::host::BootAggregateCheck::Result::kNotChecked);

  Bytes pcrs;
  for (uint32_t pcr = 0; pcr < 10; ++pcr) {
    tpm.banks["sha256"][pcr] = Bytes(32, static_cast<uint8_t>(pcr + 1));
    pcrs.insert(pcrs.end(), 32, static_cast<uint8_t>(pcr + 1));
  }
  const styx::host::Digest aggregate = styx::host::sha256(pcrs);
  auto& first = parsed.list.records[0];
  std::copy(aggregate.begin(), aggregate.end(), first.data.begin() + 4 + 8);
  EXPECT_EQ(styx::host::replay_ima_list(parsed, tpm).boot_aggregate.result,
            styx::host::BootAggregateCheck::Result::kMatches);
  tpm.banks["sha256"][9][0] ^= 1;  // PCR 9 counts in the sha256 boot_aggregate
  EXPECT_EQ(styx::host::replay_ima_list(parsed, tpm).boot_aggregate.result,
            styx::host::BootAggregateCheck::Result::kDiffers);
}

TEST_F(ImaReplayTest, RefusesWhatItCannotCompare) {
  const ParsedImaList parsed = parse(real_list());
  PcrValues sha1_only = replay_values(parsed, 9);
  sha1_only.banks.erase("sha256");
  EXPECT_THROW(styx::host::replay_ima_list(parsed, sha1_only), InputError);
  PcrValues no_pcr10 = replay_values(parsed, 9);
  no_pcr10.banks["sha256"].erase(10);
  no_pcr10.sources["sha256"] = "pcrs";
  try {
    styx::host::replay_ima_list(parsed, no_pcr10);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "pcrs: no sha256 value for PCR 10, which the IMA list extends");
  }
  EXPECT_THROW(styx::host::replay_ima_list(ParsedImaList{}, replay_values(parsed, 9)), InputError);
  // A list whose records do not parse never gets as far as a replay.
  Bytes cut = real_list();
  cut.resize(cut.size() - 3);
  EXPECT_THROW(parse(cut), InputError);
}

// --- PCR files -------------------------------------------------------------------------------

std::string pcr_text_error(const std::string& text, const std::string& bank = "") {
  PcrValues v;
  try {
    styx::host::parse_pcr_text(text, bank, "F", v);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(PcrText, ReadsEvmctlFormatAndTellsTheBankByLength) {
  PcrValues v;
  styx::host::parse_pcr_text(
      "PCR-00: " + std::string(64, 'a') + "\nPCR-10: " + std::string(64, 'B') + "\nother line\n",
      "", "F256", v);
  styx::host::parse_pcr_text("PCR-10: " + std::string(40, '1') + "\n", "", "F1", v);
  EXPECT_EQ(v.banks.at("sha256").at(10), Bytes(32, 0xbb));
  EXPECT_EQ(v.banks.at("sha1").at(10), Bytes(20, 0x11));
  EXPECT_EQ(v.sources.at("sha256"), "F256");
}

TEST(PcrText, MalformedFilesAreOneLineErrors) {
  EXPECT_EQ(pcr_text_error("PCR-1x: 00\n"), "F: line 1: expected \"PCR-NN: <hex digest>\"");
  EXPECT_EQ(pcr_text_error("\nPCR-24: " + std::string(40, '0')),
            "F: line 2: PCR 24 is out of range (0-23)");
  EXPECT_EQ(pcr_text_error("PCR-10: zz\n"), "F: line 1: PCR 10: not a hex digest");
  EXPECT_EQ(pcr_text_error("PCR-10: " + std::string(40, '0'), "sha256"),
            "F: line 1: PCR 10: a 20-byte digest in the sha256 bank");
  EXPECT_NE(pcr_text_error("PCR-10: 0000\n").find("neither sha1 nor sha256"), std::string::npos);
  EXPECT_EQ(pcr_text_error("PCR-10: " + std::string(40, '0') + "\nPCR-10: " + std::string(40, '0')),
            "F: line 2: PCR 10 given twice");
  EXPECT_EQ(pcr_text_error(""), "F: no \"PCR-NN: <hex digest>\" line");
  EXPECT_NE(pcr_text_error("PCR-10: 00", "md5").find("unknown PCR bank 'md5'"), std::string::npos);
}

using PcrDir = TempDirTest;

TEST_F(PcrDir, ReadsTheSysfsLayoutAsTheKernelShowsIt) {
  write_text("tpm0/pcr-sha256/10", std::string(64, 'A') + "\n");
  write_text("tpm0/pcr-sha1/10", std::string(40, 'C') + "\n");
  write_text("tpm0/pcr-sha256/0", std::string(64, '0') + "\n");
  const PcrValues v = styx::host::read_pcr_dir(path("tpm0"), {10}, {0, 1});
  EXPECT_EQ(v.banks.at("sha256").at(10), Bytes(32, 0xaa));
  EXPECT_EQ(v.banks.at("sha1").at(10), Bytes(20, 0xcc));
  EXPECT_EQ(v.banks.at("sha256").count(0), 1u);
  EXPECT_EQ(v.banks.at("sha256").count(1), 0u);  // wanted, absent: skipped

  const auto error = [&](const std::string& dir, std::set<uint32_t> pcrs) -> std::string {
    try {
      styx::host::read_pcr_dir(path(dir), pcrs, {});
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error("none", {10}), path("none") + ": no TPM (no such directory)");
  write_text("tpm12/pcrs", "PCR-00: 00\n");
  EXPECT_NE(error("tpm12", {10}).find("pcr-sha256: missing: the TPM has no sha256 PCR bank"),
            std::string::npos);
  EXPECT_EQ(error("tpm0", {11}), path("tpm0/pcr-sha1/11") + ": No such file or directory");
  write_text("tpm0/pcr-sha1/12", "XYZ\n");
  EXPECT_EQ(error("tpm0", {12}), path("tpm0/pcr-sha1/12") + ": not a sha1 digest (40 hex digits)");
  // An unreadable file (a directory in its place: root reads any file).
  fs::create_directories(path("tpm0/pcr-sha1/13"));
  EXPECT_NE(error("tpm0", {13}).find(path("tpm0/pcr-sha1/13")), std::string::npos);
}

}  // namespace
