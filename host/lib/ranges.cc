// SPDX-License-Identifier: GPL-2.0-only
#include "ranges.h"

#include <algorithm>

#include "image-limits.h"
#include "parse.h"

namespace styx::host {

const MemRange* ram_containing(const std::vector<MemRange>& ram, uint64_t start, uint64_t size) {
  for (const auto& r : ram)
    if (range_inside(r, start, size)) return &r;
  return nullptr;
}

std::string ram_problem(const std::vector<MemRange>& ram, uint64_t page) {
  if (ram.size() > kMaxRamRanges)
    return "RAM: " + std::to_string(ram.size()) + " ranges, at most " +
           std::to_string(kMaxRamRanges);
  for (size_t i = 0; i < ram.size(); ++i) {
    const MemRange& r = ram[i];
    const std::string what = "RAM range " + hex(r.start) + ":" + hex(r.size);
    if (r.size == 0) return what + ": empty";
    if (r.start % page || r.size % page)
      return what + ": start and size must be multiples of " + hex(page);
    if (range_wraps(r.start, r.size)) return what + ": wraps around the address space";
    for (size_t j = 0; j < i; ++j)
      if (ranges_overlap(r.start, r.size, ram[j].start, ram[j].size))
        return what + ": overlaps RAM range " + hex(ram[j].start);
  }
  return "";
}

std::string placement_problem(const std::vector<MemRange>& ram,
                              const std::vector<PlacedRange>& pieces) {
  for (size_t i = 0; i < pieces.size(); ++i) {
    const PlacedRange& p = pieces[i];
    const std::string where = hex(p.addr) + "+" + hex(p.size);
    if (range_wraps(p.addr, p.size)) return p.what + ": address range wraps";
    if (!ram_containing(ram, p.addr, p.size))
      return p.what + ": " + where + " is not inside one RAM range";
    for (size_t j = 0; j < i; ++j) {
      const PlacedRange& o = pieces[j];
      if (ranges_overlap(p.addr, p.size, o.addr, o.size))
        return p.what + ": " + where + " overlaps " + o.what + " at " + hex(o.addr) + "+" +
               hex(o.size);
    }
  }
  return "";
}

std::vector<MemRange> subtract_ranges(std::vector<MemRange> from,
                                      const std::vector<MemRange>& holes) {
  for (const MemRange& hole : holes) {
    if (hole.size == 0) continue;
    const uint64_t hole_end = hole.end() < hole.start ? ~uint64_t{0} : hole.end();
    std::vector<MemRange> next;
    for (const MemRange& r : from) {
      if (hole_end <= r.start || hole.start >= r.end()) {
        next.push_back(r);
        continue;
      }
      if (hole.start > r.start) next.push_back({r.start, hole.start - r.start});
      if (hole_end < r.end()) next.push_back({hole_end, r.end() - hole_end});
    }
    from = std::move(next);
  }
  std::sort(from.begin(), from.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
  return from;
}

}  // namespace styx::host
