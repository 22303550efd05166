// SPDX-License-Identifier: GPL-2.0-only
// IMA measurement lists: the securityfs binary form, the kexec buffer a kernel restores after
// kexec, and the ASCII form of `ascii_runtime_measurements`.
//
// A record is: u32 PCR, 20-byte SHA-1 template digest, u32 template name length, the name (no
// NUL), u32 template data length, the template data. The legacy `ima` template is the exception:
// its record has no data length, and its data is a 20-byte digest, a u32 name length and the name
// (no NUL). Integers are in the byte order of the kernel that wrote them, or little-endian when it
// ran with `ima_canonical_fmt`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace styx::host {

struct ImaRecord {
  uint32_t pcr = 0;
  std::array<uint8_t, 20> digest{};  ///< template digest (SHA-1); all zero marks a violation
  std::string template_name;
  /// The template data: for every template but `ima` a sequence of [u32 length][bytes] fields.
  /// Those lengths (and the name length inside `ima` data) are kept little-endian, whatever the
  /// byte order of the source, so a list is a value independent of byte order; field contents
  /// are kept as they were.
  std::vector<uint8_t> data;

  bool operator==(const ImaRecord&) const = default;
};

struct ImaList {
  std::vector<ImaRecord> records;

  bool operator==(const ImaList&) const = default;
};

/// Size of `ima_kexec_hdr`: u16 version, u16 0, u32 0, u64 buffer_size, u64 count.
inline constexpr size_t kImaKexecHeaderSize = 24;

/// Parses `binary_runtime_measurements`. With `big_endian` unset the byte order is detected from
/// the first record (its PCR and template name length are plausible in one order only). Checks
/// every record: bounds, PCR below 24, a printable name of 1 to 255 bytes, and the fields of the
/// templates this file knows (`ima`, `ima-ng`, `ima-sig`, `ima-buf`, `ima-modsig` and format
/// strings of their fields). InputError "NAME: record N at offset 0xOFF: <problem>".
ImaList parse_ima_list(std::span<const uint8_t> bytes, const std::string& name,
                       std::optional<bool> big_endian = std::nullopt);

/// The kexec buffer (header, records, then `extra_bytes` of zeros not counted in buffer_size) as
/// the next kernel reads it. InputError for a record the kernel refuses to restore: the `ima`
/// template, or a template name of 34 bytes or more.
std::vector<uint8_t> build_ima_kexec_buffer(const ImaList& list, bool big_endian,
                                            uint64_t extra_bytes);

/// Parses a kexec buffer (header version 1, exactly `count` records ending at buffer_size; bytes
/// after buffer_size are ignored), checking each record as parse_ima_list() does. InputError
/// "NAME: IMA header: <problem>" or "NAME: record N at offset 0xOFF: <problem>".
ImaList parse_ima_kexec_buffer(std::span<const uint8_t> bytes, bool big_endian,
                               const std::string& name);

/// The list as `ascii_runtime_measurements` shows it: one line per record, PCR as "%2d", the
/// template digest in hex, the template name, then one space per field followed by the field
/// (nothing for an empty field, so an `ima-sig` record without signature ends in a space).
/// Fields of a template this file does not know are shown in hex.
std::string format_ima_ascii(const ImaList& list);

}  // namespace styx::host
