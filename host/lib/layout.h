// SPDX-License-Identifier: GPL-2.0-only
// The layout planner: places blobs in free RAM without overlap, honouring alignment and bounds,
// and says exactly what does not fit and by how much when something does not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "image.h"

namespace styx::host {

/// `v` rounded up to a multiple of `align` (0 and 1 leave it as it is).
inline uint64_t align_up(uint64_t v, uint64_t align) {
  return align <= 1 ? v : (v + align - 1) / align * align;
}

struct Placement {
  uint64_t size = 0;
  uint64_t align = 1;
  uint64_t min_addr = 0;            ///< the blob must start at or above this
  uint64_t max_end = ~uint64_t{0};  ///< and end at or below this (exclusive end)
  bool high = false;                ///< prefer the highest fit instead of the lowest
};

class Layout {
 public:
  explicit Layout(std::vector<MemRange> ram);

  /// Marks [addr, addr+size) as used by `what`; InputError if it is not free RAM.
  void reserve(uint64_t addr, uint64_t size, const std::string& what);
  /// Takes [addr, addr+size) out of the free RAM without requiring it to be free or inside RAM
  /// (firmware reservations, /memreserve/ entries).
  void exclude(uint64_t addr, uint64_t size, const std::string& what);
  /// Finds and reserves room for `what`; InputError "WHAT: needs 0x.. bytes (aligned to 0x..)
  /// ..., the largest free range that qualifies has 0x.. (short by 0x..)" when nothing fits.
  uint64_t place(const std::string& what, const Placement& p);
  /// True when [addr, addr+size) is free RAM.
  bool is_free(uint64_t addr, uint64_t size) const;

  const std::vector<MemRange>& ram() const { return ram_; }
  /// Free ranges left, sorted by address.
  std::vector<MemRange> free_ranges() const;

 private:
  std::vector<MemRange> ram_;
  std::vector<std::pair<MemRange, std::string>> used_;
};

}  // namespace styx::host
