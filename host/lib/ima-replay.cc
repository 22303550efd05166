// SPDX-License-Identifier: GPL-2.0-only
#include "ima-replay.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "bytes.h"
#include "error.h"

namespace styx::host {
namespace {

using Bytes = std::vector<uint8_t>;

// The legacy template hashes its name padded to IMA_EVENT_NAME_LEN_MAX + 1 bytes.
constexpr size_t kLegacyNameSize = 256;
constexpr size_t kLegacyDigestSize = 20;

const EVP_MD* bank_md(const std::string& bank) {
  if (bank == "sha1") return EVP_sha1();
  if (bank == "sha256") return EVP_sha256();
  throw std::logic_error("no digest for PCR bank " + bank);
}

Bytes hash(const std::string& bank, std::span<const uint8_t> a, std::span<const uint8_t> b = {}) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  const bool ok = ctx && EVP_DigestInit_ex(ctx, bank_md(bank), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, a.data(), a.size()) == 1 &&
                  EVP_DigestUpdate(ctx, b.data(), b.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, out.data(), &size) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("OpenSSL " + bank + " failed");
  out.resize(size);
  return out;
}

bool all_zero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

bool is_legacy(const ImaRecord& r) {
  return r.template_name == "ima";
}

// The [u32 length][bytes] fields of a record's data (lengths little-endian, as ImaRecord keeps
// them); empty when the data is not framed that way.
std::vector<std::span<const uint8_t>> fields_of(const ImaRecord& r) {
  std::vector<std::span<const uint8_t>> fields;
  const std::span<const uint8_t> data(r.data);
  for (size_t pos = 0; pos < data.size();) {
    if (data.size() - pos < 4) return {};
    const uint64_t len = get_uint(data, pos, 4, false);
    if (len > data.size() - pos - 4) return {};
    fields.push_back(data.subspan(pos + 4, len));
    pos += 4 + len;
  }
  return fields;
}

std::string up_to_nul(std::span<const uint8_t> bytes) {
  return std::string(bytes.begin(), std::find(bytes.begin(), bytes.end(), uint8_t{0}));
}

// The template data exactly as the kernel hashed it.
Bytes hashed_template_data(const ImaRecord& r, bool big_endian) {
  if (is_legacy(r)) {
    if (r.data.size() < kLegacyDigestSize + 4)
      throw InputError("IMA record (ima): template data too short");
    Bytes out(r.data.begin(), r.data.begin() + kLegacyDigestSize);
    out.insert(out.end(), r.data.begin() + kLegacyDigestSize + 4, r.data.end());
    out.resize(kLegacyDigestSize + kLegacyNameSize);
    return out;
  }
  Bytes out = r.data;
  if (big_endian) {
    for (size_t pos = 0; pos + 4 <= out.size();) {
      const uint64_t len = get_uint(out, pos, 4, false);
      put_uint(out, pos, len, 4, true);
      pos += 4 + len;
    }
  }
  return out;
}

BootAggregateCheck check_boot_aggregate(const ImaList& list, const PcrValues& tpm) {
  BootAggregateCheck check;
  const auto record = std::find_if(
      list.records.begin(), list.records.end(),
      [](const ImaRecord& r) { return r.pcr == 10 && ima_record_name(r) == "boot_aggregate"; });
  if (record == list.records.end()) {
    check.detail = "the list has no boot_aggregate record in PCR 10";
    return check;
  }
  const auto fields = fields_of(*record);
  if (is_legacy(*record) || fields.empty()) {
    check.detail = "its template holds no digest with an algorithm";
    return check;
  }
  const std::string field(fields[0].begin(), fields[0].end());
  const size_t colon = field.find(':');
  const std::string algo = field.substr(0, colon);
  if (colon == std::string::npos || colon + 2 > field.size() || pcr_bank_digest_size(algo) == 0) {
    check.detail = "its digest is neither sha1 nor sha256";
    return check;
  }
  const std::span<const uint8_t> digest = fields[0].subspan(colon + 2);
  if (all_zero(digest)) {
    check.detail = "it is all zero: IMA found no TPM when the list began";
    return check;
  }
  // The kernel adds PCRs 8 and 9 in every bank but sha1.
  const uint32_t count = algo == "sha1" ? 8 : 10;
  Bytes pcrs;
  for (uint32_t pcr = 0; pcr < count; ++pcr) {
    const Bytes* value = tpm.find(algo, pcr);
    if (!value) {
      check.detail = "needs " + algo + " PCRs 0-" + std::to_string(count - 1) + ", PCR " +
                     std::to_string(pcr) + " was not given";
      return check;
    }
    pcrs.insert(pcrs.end(), value->begin(), value->end());
  }
  const Bytes expected = hash(algo, pcrs);
  check.result = std::equal(expected.begin(), expected.end(), digest.begin(), digest.end())
                     ? BootAggregateCheck::Result::kMatches
                     : BootAggregateCheck::Result::kDiffers;
  check.detail = algo + " PCRs 0-" + std::to_string(count - 1);
  return check;
}

}  // namespace

ParsedImaList parse_ima_list_with_order(std::span<const uint8_t> bytes, const std::string& name,
                                        std::optional<bool> big_endian) {
  ParsedImaList out;
  out.list = parse_ima_list(bytes, name, big_endian);
  if (big_endian) {
    out.big_endian = *big_endian;
  } else if (bytes.size() >= 28) {
    // parse_ima_list() took the one order in which the first record's PCR and template name
    // length are plausible; little-endian is that order exactly when they are in it.
    const uint64_t pcr = get_uint(bytes, 0, 4, false), name_length = get_uint(bytes, 24, 4, false);
    out.big_endian = !(pcr < 24 && name_length >= 1 && name_length <= 255);
  }
  return out;
}

std::set<uint32_t> ima_list_pcrs(const ImaList& list) {
  std::set<uint32_t> pcrs;
  for (const ImaRecord& r : list.records) pcrs.insert(r.pcr);
  return pcrs;
}

std::vector<uint8_t> ima_extend_digest(const ImaRecord& record, bool big_endian,
                                       const std::string& bank) {
  if (all_zero(record.digest)) return Bytes(pcr_bank_digest_size(bank), 0xff);
  if (bank == "sha1") return Bytes(record.digest.begin(), record.digest.end());
  return hash(bank, hashed_template_data(record, big_endian));
}

std::string ima_record_name(const ImaRecord& record) {
  if (is_legacy(record))
    return record.data.size() > kLegacyDigestSize + 4
               ? up_to_nul(std::span(record.data).subspan(kLegacyDigestSize + 4))
               : "";
  const auto fields = fields_of(record);
  return fields.size() >= 2 ? up_to_nul(fields[1]) : "";
}

ImaReplay replay_ima_list(const ParsedImaList& parsed, const PcrValues& tpm) {
  const ImaList& list = parsed.list;
  ImaReplay out;
  out.records = list.records.size();
  out.pcrs = ima_list_pcrs(list);
  if (list.records.empty()) throw InputError("the IMA list has no records to replay");
  if (!tpm.banks.count("sha256"))
    throw InputError(
        "no sha256 PCR values to compare with (styx replays the sha256 bank, and "
        "the sha1 bank beside it)");
  for (std::string_view b : kPcrBanks) {
    const std::string bank(b);
    if (!tpm.banks.count(bank)) continue;
    for (uint32_t pcr : out.pcrs)
      if (!tpm.find(bank, pcr))
        throw InputError(tpm.sources.at(bank) + ": no " + bank + " value for PCR " +
                         std::to_string(pcr) + ", which the IMA list extends");
    out.banks.push_back(bank);
    for (uint32_t pcr : out.pcrs) out.replayed[bank][pcr] = Bytes(pcr_bank_digest_size(bank), 0);
  }

  std::map<std::string, std::map<uint32_t, Bytes>> at_match;
  for (size_t i = 0; i < list.records.size(); ++i) {
    const ImaRecord& r = list.records[i];
    if (!out.altered_record && !all_zero(r.digest)) {
      const Bytes sha1 = hash("sha1", hashed_template_data(r, parsed.big_endian));
      if (!std::equal(sha1.begin(), sha1.end(), r.digest.begin(), r.digest.end()))
        out.altered_record = i;
    }
    for (const std::string& bank : out.banks) {
      Bytes& value = out.replayed[bank][r.pcr];
      value = hash(bank, value, ima_extend_digest(r, parsed.big_endian, bank));
    }
    // The PCRs are read before the list, so the list may hold records measured after the read:
    // the first prefix that accounts for every PCR in every bank is the match.
    if (!out.matched_records) {
      bool all = true;
      for (const std::string& bank : out.banks)
        for (uint32_t pcr : out.pcrs) all = all && out.replayed[bank][pcr] == *tpm.find(bank, pcr);
      if (all) {
        out.matched_records = i + 1;
        at_match = out.replayed;
      }
    }
  }
  if (out.matched_records) out.replayed = std::move(at_match);
  out.boot_aggregate = check_boot_aggregate(list, tpm);
  return out;
}

}  // namespace styx::host
