// SPDX-License-Identifier: GPL-2.0-only
// Address ranges without wrap-around. Every check of where a piece of an image lies goes
// through here, for the builder and for every reader alike, so a range near the top of the
// address space or 16 EiB long is refused instead of wrapping to a small, plausible one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image.h"

namespace styx::host {

/// True when [start, start + size) does not end below 2^64.
inline bool range_wraps(uint64_t start, uint64_t size) {
  return size > UINT64_MAX - start;
}

/// [start, start + size) lies within `outer`, for any values (no sum is formed).
inline bool range_inside(const MemRange& outer, uint64_t start, uint64_t size) {
  return start >= outer.start && size <= outer.size && start - outer.start <= outer.size - size;
}

/// The two ranges share a byte (empty ranges share none), for any values.
inline bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size) {
  if (a_size == 0 || b_size == 0) return false;
  return a <= b ? b - a < a_size : a - b < b_size;
}

/// The RAM range holding all of [start, start + size), or nullptr.
const MemRange* ram_containing(const std::vector<MemRange>& ram, uint64_t start, uint64_t size);

/// What is wrong with `ram` as an image's RAM: more than kMaxRamRanges ranges, or a range that
/// is empty, not a multiple of `page`, wraps, or overlaps another. Empty when it is sound.
std::string ram_problem(const std::vector<MemRange>& ram, uint64_t page);

/// `from` without anything in `holes`, sorted by address.
std::vector<MemRange> subtract_ranges(std::vector<MemRange> from,
                                      const std::vector<MemRange>& holes);

/// A piece of an image in memory, named for messages ("kernel segment vmlinuz").
struct PlacedRange {
  std::string what;
  uint64_t addr = 0;
  uint64_t size = 0;
};

/// The first piece that wraps, is not inside one RAM range, or overlaps an earlier piece, as
/// "WHAT: ADDR+SIZE is not inside one RAM range"; empty when every piece is in place.
std::string placement_problem(const std::vector<MemRange>& ram,
                              const std::vector<PlacedRange>& pieces);

}  // namespace styx::host
