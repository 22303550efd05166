// SPDX-License-Identifier: GPL-2.0-only
// Replaying an IMA measurement list into PCRs, as the kernel extended them, to compare with a
// TPM: does this list account for what the TPM holds?
//
// The kernel extends every allocated bank once per record. The record carries only the SHA-1
// template digest, and that is what went into the sha1 bank; for the sha256 bank the kernel
// hashed the same template data with SHA-256 (ima_calc_field_array_hash: per field its u32 length
// in the list's byte order, then its bytes; for the legacy `ima` template the 20-byte digest and
// the name padded to 256 bytes). A violation (all-zero template digest) is extended as 0xff bytes
// of the bank's digest size. Every PCR starts at zero; boot_aggregate is the first record of
// PCR 10 and is extended like any other.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "ima.h"
#include "tpm-pcrs.h"

namespace styx::host {

/// A list and the byte order it was written in (the template digests hash the lengths in it).
struct ParsedImaList {
  ImaList list;
  bool big_endian = false;
};

/// parse_ima_list(), also telling the byte order it found (or was given).
ParsedImaList parse_ima_list_with_order(std::span<const uint8_t> bytes, const std::string& name,
                                        std::optional<bool> big_endian = std::nullopt);

/// The PCRs the list's records name.
std::set<uint32_t> ima_list_pcrs(const ImaList& list);

/// What the kernel extended into `bank` for `record` (before the extend hashes it with the PCR).
std::vector<uint8_t> ima_extend_digest(const ImaRecord& record, bool big_endian,
                                       const std::string& bank);

/// The check of the list's boot_aggregate (the digest of PCRs 0-7, and for banks other than sha1
/// also 8 and 9, when IMA started) against the PCRs given.
struct BootAggregateCheck {
  enum class Result { kMatches, kDiffers, kNotChecked };
  Result result = Result::kNotChecked;
  std::string detail;  ///< why not checked, or which bank was compared
};

struct ImaReplay {
  size_t records = 0;
  std::vector<std::string> banks;  ///< compared, in kPcrBanks order
  std::set<uint32_t> pcrs;         ///< named by the list
  /// The replayed values per bank and PCR: after the matched records, or else after all.
  std::map<std::string, std::map<uint32_t, std::vector<uint8_t>>> replayed;
  /// How many records (from the first) replay to every PCR of every compared bank; the records
  /// after them were measured after the PCRs were read. nullopt: no number of records does.
  std::optional<size_t> matched_records;
  /// The first record whose template data does not hash to its SHA-1 template digest: its data
  /// changed after the kernel extended the digest of the original, so the sha256 bank's replay
  /// diverges from the TPM there.
  std::optional<size_t> altered_record;
  BootAggregateCheck boot_aggregate;

  bool matched() const { return matched_records.has_value() && !altered_record; }
};

/// Replays `parsed` into every PCR it names, for each bank of kPcrBanks that `tpm` holds, and
/// compares with `tpm`. InputError when `tpm` has no sha256 values, lacks a value for a PCR the
/// list names, or the list has no records.
ImaReplay replay_ima_list(const ParsedImaList& parsed, const PcrValues& tpm);

/// The event name of a record (its n-ng or n field: a path, or "boot_aggregate"), for
/// messages; "" when it has none.
std::string ima_record_name(const ImaRecord& record);

}  // namespace styx::host
