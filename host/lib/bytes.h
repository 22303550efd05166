// SPDX-License-Identifier: GPL-2.0-only
// Bounds-checked reads and writes of integers in a chosen byte order.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "error.h"

namespace styx::host {

class ByteReader {
 public:
  /// `what` names the data in errors ("vmlinux: ELF header").
  ByteReader(std::span<const uint8_t> data, bool big_endian, std::string what)
      : data_(data), big_(big_endian), what_(std::move(what)) {}

  uint64_t uint(size_t offset, size_t width) const {
    check(offset, width);
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) {
      const uint8_t b = data_[offset + (big_ ? i : width - 1 - i)];
      v = (v << 8) | b;
    }
    return v;
  }
  uint16_t u16(size_t offset) const { return static_cast<uint16_t>(uint(offset, 2)); }
  uint32_t u32(size_t offset) const { return static_cast<uint32_t>(uint(offset, 4)); }
  uint64_t u64(size_t offset) const { return uint(offset, 8); }
  std::span<const uint8_t> bytes(size_t offset, size_t size) const {
    check(offset, size);
    return data_.subspan(offset, size);
  }
  size_t size() const { return data_.size(); }

 private:
  void check(size_t offset, size_t size) const {
    if (offset > data_.size() || size > data_.size() - offset)
      throw InputError(what_ + ": truncated (needs " + std::to_string(offset + size) +
                       " bytes, has " + std::to_string(data_.size()) + ")");
  }
  std::span<const uint8_t> data_;
  bool big_;
  std::string what_;
};

/// The `width`-byte integer at `data[offset]`; std::out_of_range past the end (for callers that
/// have checked the size already: a ByteReader names the data in its errors).
inline uint64_t get_uint(std::span<const uint8_t> data, size_t offset, size_t width,
                         bool big_endian) {
  if (offset > data.size() || width > data.size() - offset)
    throw std::out_of_range("get_uint past the end");
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = v << 8 | data[offset + (big_endian ? i : width - 1 - i)];
  return v;
}

/// Stores `width` bytes of `value` at `out[offset]`, growing `out` as needed.
inline void put_uint(std::vector<uint8_t>& out, size_t offset, uint64_t value, size_t width,
                     bool big_endian) {
  if (out.size() < offset + width) out.resize(offset + width);
  for (size_t i = 0; i < width; ++i) {
    const uint8_t b = static_cast<uint8_t>(value >> (8 * i));
    out[offset + (big_endian ? width - 1 - i : i)] = b;
  }
}

/// Appends `width` bytes of `value`.
inline void append_uint(std::vector<uint8_t>& out, uint64_t value, size_t width, bool big_endian) {
  put_uint(out, out.size(), value, width, big_endian);
}

}  // namespace styx::host
