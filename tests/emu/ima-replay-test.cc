// SPDX-License-Identifier: GPL-2.0-only
// `styx ima replay` as a user runs it: a captured sysroot tree with a TPM added whose PCRs hold
// what its list replays to; tampered lists; and every kind of bad input as one line, exit 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "digest.h"
#include "file-io.h"
#include "fixture.h"
#include "ima-replay.h"

namespace styx::test {
namespace {

namespace fs = std::filesystem;

class ImaReplayCli : public testing::Test, protected TestDir {
 protected:
  ImaReplayCli() : TestDir("styx-ima-replay-test") {}

  void SetUp() override {
    fs::copy(fs::path(STYX_SOURCE_DIR) / "tests/data/sysroot/x86_64", sysroot(),
             fs::copy_options::recursive);
    const auto parsed = host::parse_ima_list_with_order(host::read_file(list_path()), "list");
    for (const char* bank : {"sha1", "sha256"})
      for (uint32_t pcr = 0; pcr < 24; ++pcr)
        values_.banks[bank][pcr] = std::vector<uint8_t>(host::pcr_bank_digest_size(bank), 0);
    for (const auto& [bank, pcrs] : host::replay_ima_list(parsed, values_).replayed)
      for (const auto& [pcr, value] : pcrs) values_.banks[bank][pcr] = value;
    for (const auto& [bank, pcrs] : values_.banks)
      for (const auto& [pcr, value] : pcrs) {
        // As the kernel shows them: upper-case hex and a newline.
        std::string hex = host::to_hex(value);
        std::transform(hex.begin(), hex.end(), hex.begin(), ::toupper);
        hex += "\n";
        write("sysroot/sys/class/tpm/tpm0/pcr-" + bank + "/" + std::to_string(pcr),
              {hex.begin(), hex.end()});
      }
  }

  std::string sysroot() const { return path("sysroot"); }
  std::string list_path() const {
    return sysroot() + "/sys/kernel/security/ima/binary_runtime_measurements";
  }
  std::string tpm_path() const { return sysroot() + "/sys/class/tpm/tpm0"; }
  // The live list with one byte of record `index`'s file digest flipped, as a separate file.
  std::string tampered(size_t index) const {
    host::ImaList list = host::parse_ima_list(host::read_file(list_path()), "list");
    list.records.at(index).data[12] ^= 1;
    const auto buffer = host::build_ima_kexec_buffer(list, false, 0);
    write("tampered", {buffer.begin() + host::kImaKexecHeaderSize, buffer.end()});
    return path("tampered");
  }
  // Expects exit 2 with one line on stderr mentioning `needle`, and no verdict on stdout.
  static void expect_bad_input(const std::vector<std::string>& args, const std::string& needle) {
    const CliResult r = styx(args);
    EXPECT_EQ(r.status, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out.find("matched"), std::string::npos) << r.out;
  }

  host::PcrValues values_;
};

TEST_F(ImaReplayCli, LiveListMatchesTheLiveTpm) {
  CliResult r = styx({"ima", "replay", "--sysroot", sysroot()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("sha256 PCR 10: replay " + host::to_hex(values_.banks["sha256"][10])),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("boot_aggregate: not checked: it is all zero"), std::string::npos);
  EXPECT_NE(r.out.find("\nmatched: 5 records replay to PCR 10 in the sha1 and sha256 banks\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(styx({"ima", "replay", "--tpm", "--sysroot", sysroot(), list_path()}).status, 0);

  r = styx({"ima", "replay", "--sysroot", sysroot(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["matched"], true);
  EXPECT_EQ(j["matched_records"], 5);
  EXPECT_EQ(j["banks"], nlohmann::json::array({"sha1", "sha256"}));
  EXPECT_TRUE(j["diverged"].is_null());
  EXPECT_EQ(j["pcrs"].size(), 2u);
}

TEST_F(ImaReplayCli, TamperedListDivergesAtItsRecord) {
  CliResult r = styx({"ima", "replay", "--sysroot", sysroot(), tampered(2)});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("\ndiverged at record 2 (/tmp/hello.txt): its template data does not "
                       "hash to its template digest"),
            std::string::npos)
      << r.out;
  r = styx({"ima", "replay", "--sysroot", sysroot(), "--json", tampered(2)});
  EXPECT_EQ(r.status, 1);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["matched"], false);
  EXPECT_EQ(j["diverged"]["record"], 2);
  EXPECT_EQ(j["diverged"]["name"], "/tmp/hello.txt");

  // A TPM that holds something else: no record to name, the PCR that differs.
  write("sysroot/sys/class/tpm/tpm0/pcr-sha1/10", std::vector<uint8_t>(40, '1'));
  r = styx({"ima", "replay", "--sysroot", sysroot()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("\ndiverged: no number of the 5 records replays to PCR 10"),
            std::string::npos)
      << r.out;
}

TEST_F(ImaReplayCli, GivenPcrsAsADirectoryOrEvmctlFiles) {
  fs::copy(tpm_path(), path("pcrs"), fs::copy_options::recursive);
  fs::remove_all(tpm_path());
  EXPECT_EQ(styx({"ima", "replay", list_path(), "--pcrs", path("pcrs")}).status, 0);

  for (const auto& [bank, pcrs] : values_.banks) {
    std::string text;
    for (const auto& [pcr, value] : pcrs) {
      char label[16];
      std::snprintf(label, sizeof label, "PCR-%02u: ", pcr);
      text += label + host::to_hex(value) + "\n";
    }
    write(bank + ".txt", {text.begin(), text.end()});
  }
  CliResult r = styx({"ima", "replay", list_path(), "--pcrs", "sha256," + path("sha256.txt"),
                      "--pcrs", "sha1," + path("sha1.txt")});
  EXPECT_EQ(r.status, 0) << r.err;
  r = styx({"ima", "replay", list_path(), "--pcrs", path("sha256.txt")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("in the sha256 bank\n"), std::string::npos) << r.out;
  EXPECT_EQ(styx({"ima", "replay", tampered(4), "--pcrs", path("sha256.txt")}).status, 1);
}

TEST_F(ImaReplayCli, BadInputIsOneLineAndExitTwo) {
  const std::vector<std::string> live = {"ima", "replay", "--sysroot", sysroot()};
  // A PCR file that cannot be read (a directory in its place: root reads any file).
  fs::remove(tpm_path() + "/pcr-sha256/10");
  fs::create_directories(tpm_path() + "/pcr-sha256/10");
  expect_bad_input(live, tpm_path() + "/pcr-sha256/10");
  // A TPM without the sha256 bank.
  fs::remove_all(tpm_path() + "/pcr-sha256");
  expect_bad_input(live, "pcr-sha256: missing: the TPM has no sha256 PCR bank");
  // No TPM at all.
  fs::remove_all(tpm_path());
  expect_bad_input(live, tpm_path() + ": no TPM (no such directory)");
  // A list whose records do not parse.
  auto bytes = host::read_file(list_path());
  bytes.resize(bytes.size() - 5);
  write("cut", bytes);
  write("f", {'P', 'C', 'R', '-', '1', '0', ':', ' ', '0', '0', '\n'});
  expect_bad_input({"ima", "replay", path("cut"), "--pcrs", path("f")}, path("cut") + ": record 4");
  // Malformed or missing PCR files, and both sources at once.
  expect_bad_input({"ima", "replay", list_path(), "--pcrs", path("f")}, path("f") + ": line 1");
  expect_bad_input({"ima", "replay", list_path(), "--pcrs", path("none")}, path("none"));
  expect_bad_input({"ima", "replay", list_path(), "--tpm", "--pcrs", path("f")},
                   "--tpm and --pcrs");
  // No IMA on the running system.
  fs::remove_all(sysroot() + "/sys/kernel/security/ima");
  expect_bad_input({"ima", "replay", "--sysroot", sysroot(), "--pcrs", path("f")},
                   "securityfs is not mounted, or the kernel has no IMA");
}

TEST_F(ImaReplayCli, HelpSaysWhatTheExitStatusesMean) {
  const CliResult r = styx({"ima", "replay", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Exit status: 0 matched, 1 diverged, 2 bad input"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("--pcrs"), std::string::npos);
  EXPECT_NE(r.out.find("--sysroot"), std::string::npos);
}

}  // namespace
}  // namespace styx::test
