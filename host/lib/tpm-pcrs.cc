// SPDX-License-Identifier: GPL-2.0-only
#include "tpm-pcrs.h"

#include <optional>
#include <system_error>

#include "error.h"
#include "file-io.h"

namespace styx::host {
namespace fs = std::filesystem;
namespace {

constexpr uint32_t kPcrCount = 24;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The digest `text` spells in hex (either case), or nullopt.
std::optional<std::vector<uint8_t>> parse_hex(std::string_view text) {
  if (text.empty() || text.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

std::string bank_for_size(size_t size) {
  for (std::string_view bank : kPcrBanks)
    if (pcr_bank_digest_size(bank) == size) return std::string(bank);
  return "";
}

}  // namespace

size_t pcr_bank_digest_size(std::string_view bank) {
  if (bank == "sha1") return 20;
  if (bank == "sha256") return 32;
  return 0;
}

const std::vector<uint8_t>* PcrValues::find(const std::string& bank, uint32_t pcr) const {
  const auto b = banks.find(bank);
  if (b == banks.end()) return nullptr;
  const auto v = b->second.find(pcr);
  return v == b->second.end() ? nullptr : &v->second;
}

void parse_pcr_text(std::string_view text, std::string bank, const std::string& name,
                    PcrValues& into) {
  if (!bank.empty() && pcr_bank_digest_size(bank) == 0)
    throw InputError(name + ": unknown PCR bank '" + bank + "' (styx replays sha1 and sha256)");
  std::map<uint32_t, std::vector<uint8_t>> values;
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    ++line_no;
    if (!line.starts_with("PCR-")) continue;
    const auto bad = [&](const std::string& why) {
      throw InputError(name + ": line " + std::to_string(line_no) + ": " + why);
    };
    const size_t colon = line.find(':');
    const std::string_view number = line.substr(4, colon == std::string_view::npos ? 0 : colon - 4);
    if (number.size() != 2 || hex_digit(number[0]) < 0 || hex_digit(number[0]) > 9 ||
        hex_digit(number[1]) < 0 || hex_digit(number[1]) > 9)
      bad("expected \"PCR-NN: <hex digest>\"");
    const uint32_t pcr = static_cast<uint32_t>((number[0] - '0') * 10 + (number[1] - '0'));
    if (pcr >= kPcrCount) bad("PCR " + std::to_string(pcr) + " is out of range (0-23)");
    const auto digest = parse_hex(trim(line.substr(colon + 1)));
    if (!digest) bad("PCR " + std::to_string(pcr) + ": not a hex digest");
    if (bank.empty()) bank = bank_for_size(digest->size());
    if (bank.empty())
      bad("a digest of " + std::to_string(digest->size()) +
          " bytes is neither sha1 nor sha256; name the bank: --pcrs BANK," + name);
    if (digest->size() != pcr_bank_digest_size(bank))
      bad("PCR " + std::to_string(pcr) + ": a " + std::to_string(digest->size()) +
          "-byte digest in the " + bank + " bank");
    if (!values.emplace(pcr, *digest).second) bad("PCR " + std::to_string(pcr) + " given twice");
  }
  if (values.empty()) throw InputError(name + ": no \"PCR-NN: <hex digest>\" line");
  if (into.banks.count(bank))
    throw InputError(name + ": " + bank + " PCR values were given already by " +
                     into.sources[bank]);
  into.banks[bank] = std::move(values);
  into.sources[bank] = name;
}

PcrValues read_pcr_dir(const fs::path& dir, const std::set<uint32_t>& required,
                       const std::set<uint32_t>& wanted) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError(dir.string() + ": no TPM (no such directory)");
  if (!fs::is_directory(dir / "pcr-sha256", ec))
    throw InputError((dir / "pcr-sha256").string() +
                     ": missing: the TPM has no sha256 PCR bank, or the kernel shows none (TPM "
                     "1.2, or Linux before 5.12)");
  PcrValues values;
  for (std::string_view bank_name : kPcrBanks) {
    const std::string bank(bank_name);
    const fs::path bank_dir = dir / ("pcr-" + bank);
    if (!fs::is_directory(bank_dir, ec)) continue;  // a TPM without the sha1 bank
    const auto read_one = [&](uint32_t pcr, bool must) {
      const fs::path file = bank_dir / std::to_string(pcr);
      std::optional<std::vector<uint8_t>> bytes;
      try {
        bytes = read_file_if_present(file.string());
      } catch (const InputError&) {
        if (must) throw;
        return;
      }
      if (!bytes) {
        if (must) throw InputError(file.string() + ": No such file or directory");
        return;
      }
      const auto digest = parse_hex(
          trim(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size())));
      if (!digest || digest->size() != pcr_bank_digest_size(bank)) {
        if (must)
          throw InputError(file.string() + ": not a " + bank + " digest (" +
                           std::to_string(pcr_bank_digest_size(bank) * 2) + " hex digits)");
        return;
      }
      values.banks[bank][pcr] = *digest;
    };
    for (uint32_t pcr : required) read_one(pcr, true);
    for (uint32_t pcr : wanted)
      if (!required.count(pcr)) read_one(pcr, false);
    values.banks[bank];  // present, even when no PCR was asked for
    values.sources[bank] = bank_dir.string();
  }
  return values;
}

}  // namespace styx::host
