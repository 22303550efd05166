// SPDX-License-Identifier: GPL-2.0-only
#include "kexec.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "digest.h"
#include "error.h"
#include "handoff-seal.h"
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
      // The reserve is part of the segment: the kernel then keeps its own pages out of it.
      pieces.push_back(
          {s.addr, s.data.size() + s.reserve, &s.data, std::string(role_label(s.role))});
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

namespace {

// The bytes [addr, addr + size) as the plan hands them over (zero past a segment's buffer, as
// the kernel fills it); nullopt when no one segment holds them.
std::optional<std::vector<uint8_t>> planned_bytes(const KexecPlan& plan, uint64_t addr,
                                                  uint64_t size) {
  for (const KexecSegment& s : plan.segments) {
    if (!range_inside({s.mem, s.memsz}, addr, size)) continue;
    const uint64_t offset = addr - s.mem;
    std::vector<uint8_t> out(size, 0);
    if (offset < s.buf.size())
      std::copy_n(s.buf.begin() + static_cast<ptrdiff_t>(offset),
                  std::min<uint64_t>(size, s.buf.size() - offset), out.begin());
    return out;
  }
  return std::nullopt;
}

}  // namespace

void check_kexec_digests(const KexecPlan& plan, const Image& image, const std::string& name) {
  const Handoff& h = image.handoff;
  for (uint32_t i = 0; i < h.segment_count; ++i) {
    const Segment& s = h.segments[i];
    if (s.size == 0) continue;
    const std::string what =
        fmt::format("{}: segment {} ({}) {}+{}", name, i, role_name(static_cast<Role>(s.role)),
                    hex(s.addr), hex(s.size));
    const auto bytes = planned_bytes(plan, s.addr, s.size);
    if (!bytes) throw DigestMismatch(what + ": not in the kexec segments");
    const Digest actual = sha256(*bytes);
    if (!std::equal(actual.begin(), actual.end(), s.sha256))
      throw DigestMismatch(fmt::format("{}: sha256 expected {} actual {}; not loading", what,
                                       to_hex(s.sha256), to_hex(actual)));
  }
  const auto purgatory = planned_bytes(plan, image.purgatory_addr, image.purgatory.size());
  if (!purgatory || *purgatory != image.purgatory)
    throw DigestMismatch(name + ": purgatory at " + hex(image.purgatory_addr) +
                         ": the kexec segments do not hold it; not loading");
  // The purgatory would refuse a broken seal at boot; refusing it here keeps the running system.
  const SealStatus seal = check_seal(*purgatory, image.handoff_offset);
  if (!seal.handoff_ok())
    throw DigestMismatch(
        fmt::format("{}: hand-off block: sha256 expected {} actual {}; not loading", name,
                    to_hex(seal.handoff_expected), to_hex(seal.handoff_actual)));
  if (!seal.purgatory_ok())
    throw DigestMismatch(fmt::format(
        "{}: purgatory at {}: sha256 expected {} actual {}; not loading", name,
        hex(image.purgatory_addr), to_hex(seal.purgatory_expected), to_hex(seal.purgatory_actual)));
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
