#include "kexec.h"

#include <fmt/format.h>

#include <algorithm>

#include "error.h"
#include "parse.h"
#include "ranges.h"

namespace styx::host {
namespace {

struct Piece {
  uint64_t addr = 0;
  uint64_t memsz = 0;
  const std::vector<uint8_t>* data = nullptr;
  std::string what;
};

}  // namespace

KexecPlan plan_kexec(const Image& image, uint64_t page_size) {
  if (page_size == 0 || (page_size & (page_size - 1)))
    throw InputError("page size " + hex(page_size) + " is not a power of two");
  std::vector<Piece> pieces;
  for (const ImageSegment& s : image.segments)
    if (!s.data.empty())
      pieces.push_back({s.addr, s.data.size(), &s.data, std::string(role_label(s.role))});
  pieces.push_back({image.purgatory_addr,
                    std::max<uint64_t>(image.purgatory_memsz, image.purgatory.size()),
                    &image.purgatory, "purgatory"});
  std::sort(pieces.begin(), pieces.end(),
            [](const Piece& a, const Piece& b) { return a.addr < b.addr; });

  const uint64_t mask = page_size - 1;
  KexecPlan plan;
  plan.entry = image.purgatory_entry;
  const Piece* previous = nullptr;
  for (const Piece& p : pieces) {
    // Widening to pages must not wrap past 2^64, and two pieces must not share a byte: joining
    // them would let the later one's bytes silently replace the earlier one's.
    if (range_wraps(p.addr, p.memsz) || p.addr + p.memsz > UINT64_MAX - mask)
      throw InputError(p.what + " at " + hex(p.addr) + "+" + hex(p.memsz) +
                       ": reaches past the end of the address space");
    if (previous && ranges_overlap(previous->addr, previous->memsz, p.addr, p.memsz))
      throw InputError(p.what + " at " + hex(p.addr) + "+" + hex(p.memsz) + " overlaps " +
                       previous->what + " at " + hex(previous->addr) + "+" + hex(previous->memsz));
    previous = &p;
    const uint64_t first = p.addr & ~mask;
    const uint64_t end = (p.addr + p.memsz + mask) & ~mask;
    if (plan.segments.empty() || first >= plan.segments.back().mem + plan.segments.back().memsz) {
      plan.segments.push_back({{}, first, end - first, p.what});
    } else {
      KexecSegment& last = plan.segments.back();
      last.memsz = std::max(last.mem + last.memsz, end) - last.mem;
      last.contents += " + " + p.what;
    }
    KexecSegment& seg = plan.segments.back();
    const uint64_t offset = p.addr - seg.mem;
    if (seg.buf.size() < offset + p.data->size()) seg.buf.resize(offset + p.data->size());
    std::copy(p.data->begin(), p.data->end(), seg.buf.begin() + static_cast<ptrdiff_t>(offset));
  }
  if (plan.segments.size() > kKexecSegmentMax)
    throw InputError("the image needs " + std::to_string(plan.segments.size()) +
                     " kexec segments, the kernel takes at most " +
                     std::to_string(kKexecSegmentMax));
  return plan;
}

std::string format_kexec_plan(const KexecPlan& plan) {
  std::string out =
      fmt::format("{:>3}  {:>12}  {:>18}  {:>12}  {}\n", "#", "bufsz", "mem", "memsz", "contents");
  for (size_t i = 0; i < plan.segments.size(); ++i) {
    const KexecSegment& s = plan.segments[i];
    out += fmt::format("{:>3}  {:>#12x}  {:>#18x}  {:>#12x}  {}\n", i, s.buf.size(), s.mem, s.memsz,
                       s.contents);
  }
  out += fmt::format("entry {:#x}\n", plan.entry);
  return out;
}

}  // namespace styx::host
