// SPDX-License-Identifier: GPL-2.0-only
#include "builder.h"

#include <algorithm>

#include "digest.h"
#include "error.h"
#include "handoff-codec.h"
#include "image-limits.h"
#include "layout.h"
#include "parse.h"
#include "purgatory.h"
#include "ranges.h"

namespace styx::host {
namespace {

std::string describe(const SegmentInput& s) {
  return std::string(role_name(s.role)) + " segment " + s.name;
}

void check_ram(const BuildRequest& req) {
  if (req.ram.empty()) throw InputError("no RAM given (use --mem START:SIZE)");
  if (const std::string problem = ram_problem(req.ram, req.arch->page_size); !problem.empty())
    throw InputError(problem);
}

void check_segments(const BuildRequest& req) {
  if (req.segments.size() > kMaxSegments)
    throw InputError("too many segments: " + std::to_string(req.segments.size()) + ", at most " +
                     std::to_string(kMaxSegments));
  std::vector<PlacedRange> pieces;
  for (const SegmentInput& s : req.segments) {
    if (s.size() > kMaxSegmentBytes)
      throw InputError(describe(s) + ": " + hex(s.size()) + " bytes, at most " +
                       hex(kMaxSegmentBytes) + " in one segment");
    const uint64_t size = s.size() + s.reserve;
    if (size < s.reserve) throw InputError(describe(s) + ": address range wraps");
    pieces.push_back({describe(s), s.addr, size});
  }
  if (const std::string problem = placement_problem(req.ram, pieces); !problem.empty())
    throw InputError(problem);
}

// Free RAM as the purgatory sees it: everything but the segments and the reservations.
Layout layout_for(const BuildRequest& req) {
  Layout layout(req.ram);
  for (const auto& s : req.segments) layout.exclude(s.addr, s.size() + s.reserve, describe(s));
  for (const auto& r : req.reserved) layout.exclude(r.start, r.size, "reserved memory");
  return layout;
}

ResetMethod pick_reset(const BuildRequest& req) {
  const auto& methods = req.arch->reset_methods;
  if (req.reset_method == ResetMethod::kDefault) return methods.front();
  if (std::find(methods.begin(), methods.end(), req.reset_method) == methods.end())
    throw InputError("reset method " + std::string(reset_method_name(req.reset_method)) +
                     " is not available on " + std::string(req.arch->name));
  return req.reset_method;
}

}  // namespace

PlannedImage plan_image(BuildRequest req, std::span<const uint8_t> purgatory_elf) {
  const ArchInfo& arch = *req.arch;
  check_ram(req);
  check_segments(req);
  if (req.log_size > kMaxLogSize)
    throw InputError("log size " + hex(req.log_size) + ": at most " + hex(kMaxLogSize));
  if (!ram_containing(req.ram, req.entry, 1))
    throw InputError("entry " + hex(req.entry) + " is not inside RAM");

  Handoff h{};
  h.magic = kHandoffMagic;
  h.version = kHandoffVersion;
  h.size = sizeof(Handoff);
  h.segment_count = static_cast<uint32_t>(req.segments.size());
  h.failure_policy = static_cast<uint32_t>(req.policy);
  h.reset_method = static_cast<uint32_t>(pick_reset(req));
  h.sha256_routine = static_cast<uint32_t>(req.sha256_routine);
  h.timer_hz = req.timer_hz;
  h.console = req.console.value_or(arch.default_console);
  if (std::find(arch.consoles.begin(), arch.consoles.end(),
                static_cast<ConsoleKind>(h.console.kind)) == arch.consoles.end())
    throw InputError("console: " + std::string(arch.name) + " cannot drive this console kind");
  h.entry = req.entry;
  for (const auto& [reg, value] : req.boot_args) {
    const auto it = std::find(arch.boot_registers.begin(), arch.boot_registers.end(), reg);
    if (it == arch.boot_registers.end()) {
      std::string names;
      for (auto n : arch.boot_registers) names += (names.empty() ? "" : ", ") + std::string(n);
      throw InputError("boot register '" + reg + "': " + std::string(arch.name) + " passes only " +
                       names);
    }
    h.boot_args[it - arch.boot_registers.begin()] = value;
  }
  for (size_t i = 0; i < req.segments.size(); ++i) {
    const SegmentInput& s = req.segments[i];
    Segment& out = h.segments[i];
    out.addr = s.addr;
    out.size = s.size();
    out.role = static_cast<uint32_t>(s.role);
  }

  const Purgatory purgatory =
      load_purgatory(purgatory_elf, arch, std::string(arch.name) + " purgatory");
  // Memory log right after the purgatory's .bss and stack, in the same loaded range.
  const uint64_t log_offset = align_up(purgatory.memsz, 16);
  const uint64_t total = req.log_size ? log_offset + align_up(req.log_size, 16) : purgatory.memsz;
  Layout layout = layout_for(req);
  uint64_t base;
  if (req.purgatory_addr) {
    base = *req.purgatory_addr;
    if (base % purgatory.align)
      throw InputError("purgatory address " + hex(base) + ": must be a multiple of " +
                       hex(purgatory.align));
    layout.reserve(base, total, "purgatory at " + hex(base));
  } else {
    // High, where a kernel's own early allocations are least likely to reach while it starts.
    base = layout.place(
        "purgatory",
        {.size = total, .align = std::max(purgatory.align, kDefaultPurgatoryAlign), .high = true});
  }
  if (req.log_size) {
    h.log_addr = base + log_offset;
    h.log_size = align_up(req.log_size, 16);
  }

  PlannedImage planned{.purgatory = purgatory, .handoff = h};
  Image& image = planned.image;
  image.arch = &arch;
  image.ram = req.ram;
  for (auto& s : req.segments)
    image.segments.push_back({s.role, s.addr, std::move(s.data), s.reserve, std::move(s.file)});
  image.purgatory_addr = base;
  image.purgatory = purgatory.bytes;  // replaced by the linked bytes, of the same size
  image.purgatory_memsz = total;
  image.purgatory_entry = base + purgatory.entry;
  image.handoff_offset = purgatory.handoff_offset;
  return planned;
}

void link_image(PlannedImage& planned, std::span<const Digest> digests) {
  Image& image = planned.image;
  const ArchInfo& arch = *image.arch;
  Handoff h = planned.handoff;
  for (size_t i = 0; i < digests.size(); ++i)
    std::copy(digests[i].begin(), digests[i].end(), h.segments[i].sha256);
  image.purgatory = link_purgatory(planned.purgatory, arch, image.purgatory_addr, h);
  // As linked: with the seal the link added.
  image.handoff = decode_handoff(
      std::span(image.purgatory).subspan(image.handoff_offset, sizeof(Handoff)), arch.big_endian);
}

Image build_image(const BuildRequest& req, std::span<const uint8_t> purgatory_elf) {
  PlannedImage planned = plan_image(req, purgatory_elf);
  link_image(planned, segment_digests(planned.image));
  return std::move(planned.image);
}

}  // namespace styx::host
