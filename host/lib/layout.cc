// SPDX-License-Identifier: GPL-2.0-only
#include "layout.h"

#include <algorithm>

#include "error.h"
#include "parse.h"

namespace styx::host {
namespace {

bool overlaps(const MemRange& a, const MemRange& b) {
  return a.start < b.end() && b.start < a.end();
}

}  // namespace

Layout::Layout(std::vector<MemRange> ram) : ram_(std::move(ram)) {
  std::sort(ram_.begin(), ram_.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
}

std::vector<MemRange> Layout::free_ranges() const {
  std::vector<MemRange> out;
  for (const MemRange& r : ram_) {
    std::vector<MemRange> pieces{r};
    for (const auto& [used, what] : used_) {
      std::vector<MemRange> next;
      for (const MemRange& p : pieces) {
        if (!overlaps(p, used)) {
          next.push_back(p);
          continue;
        }
        if (used.start > p.start) next.push_back({p.start, used.start - p.start});
        if (used.end() < p.end()) next.push_back({used.end(), p.end() - used.end()});
      }
      pieces = std::move(next);
    }
    out.insert(out.end(), pieces.begin(), pieces.end());
  }
  std::sort(out.begin(), out.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
  return out;
}

bool Layout::is_free(uint64_t addr, uint64_t size) const {
  if (addr + size < addr) return false;
  for (const MemRange& f : free_ranges())
    if (addr >= f.start && addr + size <= f.end()) return true;
  return size == 0 && std::any_of(ram_.begin(), ram_.end(), [&](const MemRange& r) {
           return addr >= r.start && addr <= r.end();
         });
}

void Layout::reserve(uint64_t addr, uint64_t size, const std::string& what) {
  if (!is_free(addr, size)) {
    std::string why = "not inside RAM";
    for (const auto& [used, other] : used_)
      if (overlaps({addr, size}, used))
        why = "overlaps " + other + " at " + hex(used.start) + "+" + hex(used.size);
    throw InputError(what + ": " + hex(addr) + "+" + hex(size) + " " + why);
  }
  if (size) used_.push_back({{addr, size}, what});
}

void Layout::exclude(uint64_t addr, uint64_t size, const std::string& what) {
  if (size) used_.push_back({{addr, size}, what});
}

uint64_t Layout::place(const std::string& what, const Placement& p) {
  const uint64_t align = std::max<uint64_t>(p.align, 1);
  std::optional<uint64_t> best;
  uint64_t largest = 0;  // the largest usable span among qualifying free ranges
  for (const MemRange& f : free_ranges()) {
    const uint64_t lo = std::max(f.start, p.min_addr);
    const uint64_t hi = std::min(f.end(), p.max_end);
    if (hi <= lo) continue;
    const uint64_t first = align_up(lo, align);
    if (first >= hi) continue;
    largest = std::max(largest, hi - first);
    if (hi - first < p.size) continue;
    const uint64_t addr = p.high ? (hi - p.size) / align * align : first;
    if (!best || (p.high ? addr > *best : addr < *best)) best = addr;
  }
  if (!best) {
    std::string where;
    if (p.min_addr || p.max_end != ~uint64_t{0})
      where = " between " + hex(p.min_addr) + " and " + hex(p.max_end);
    throw InputError(what + ": needs " + hex(p.size) + " bytes" +
                     (align > 1 ? " aligned to " + hex(align) : "") + where +
                     ", but the largest free range there has " + hex(largest) + " (short by " +
                     hex(p.size - std::min(largest, p.size)) + ")");
  }
  used_.push_back({{*best, p.size}, what});
  return *best;
}

}  // namespace styx::host
