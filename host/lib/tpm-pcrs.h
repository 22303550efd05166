// SPDX-License-Identifier: GPL-2.0-only
// TPM PCR values to compare a replayed IMA list with: the kernel's sysfs files of a TPM 2.0
// (/sys/class/tpm/tpm0/pcr-<bank>/<n>, one hex digest per file, since Linux 5.12) or the text
// files `evmctl ima_measurement --pcrs` reads (one "PCR-NN: <hex>" line per PCR).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace styx::host {

/// The banks a replay extends, in the order it reports them: the kernel extends every allocated
/// bank, and these two are the ones Linux allocates on every TPM 2.0 Styx has met.
inline constexpr std::string_view kPcrBanks[] = {"sha1", "sha256"};

/// Digest size of a bank in kPcrBanks; 0 for any other name.
size_t pcr_bank_digest_size(std::string_view bank);

/// PCR values by bank name and PCR number, and where each bank's values came from.
struct PcrValues {
  std::map<std::string, std::map<uint32_t, std::vector<uint8_t>>> banks;
  std::map<std::string, std::string> sources;  ///< bank -> file or directory, for messages

  /// The value of `pcr` in `bank`, or nullptr when it was not given.
  const std::vector<uint8_t>* find(const std::string& bank, uint32_t pcr) const;
};

/// Parses one bank in evmctl's format: lines "PCR-NN: <hex>" (NN 00 to 23; other lines are
/// ignored, as evmctl ignores them). `bank` empty: the bank follows from the digest length (40 hex
/// digits sha1, 64 sha256). InputError "NAME: line N: <problem>" for a malformed PCR line, a
/// digest of the wrong length, a PCR given twice, or a file with no PCR line.
void parse_pcr_text(std::string_view text, std::string bank, const std::string& name,
                    PcrValues& into);

/// Reads `dir`/pcr-<bank>/<n> for every bank of kPcrBanks present and every PCR in `required`
/// (InputError when one cannot be read or is not a digest of the bank's size), and those of
/// `wanted` that can be read (skipped otherwise). InputError when `dir` does not exist (no TPM)
/// or has no pcr-sha256 directory (a TPM 1.2, a TPM 2.0 without that bank, or a kernel before
/// 5.12, which shows no PCR files for TPM 2.0).
PcrValues read_pcr_dir(const std::filesystem::path& dir, const std::set<uint32_t>& required,
                       const std::set<uint32_t>& wanted);

}  // namespace styx::host
