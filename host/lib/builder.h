// SPDX-License-Identifier: GPL-2.0-only
// Turns segments, an entry point and RAM ranges into a Styx image: places the purgatory in free
// RAM, fills the hand-off block (one SHA-256 per segment) and links the purgatory there.
#pragma once

#include <styx/handoff.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "arch-info.h"
#include "image.h"
#include "layout.h"
#include "purgatory.h"

namespace styx::host {

struct SegmentInput {
  Role role = Role::kData;
  std::string name;  ///< for messages: the file it came from
  uint64_t addr = 0;
  std::vector<uint8_t> data;
  /// Bytes right after `data` that the next kernel takes for itself (its BSS, the room it
  /// decompresses into: x86's init_size, arm64's and riscv64's image_size, ppc64's memsz). No
  /// other segment, no purgatory and none of the running kernel's own kexec pages may be there.
  uint64_t reserve = 0;
  /// Where the contents are when not in `data` (empty then): a big input (an initrd, a
  /// --segment file) that the image writer streams from its file.
  std::optional<FileRegion> file{};

  uint64_t size() const { return file ? file->size : data.size(); }
};

struct BuildRequest {
  const ArchInfo* arch = nullptr;
  std::vector<SegmentInput> segments;
  uint64_t entry = 0;
  /// Boot register values by name; the ISA's boot registers not named here are 0.
  std::vector<std::pair<std::string, uint64_t>> boot_args;
  std::vector<MemRange> ram;
  /// RAM the purgatory must stay out of besides the segments (firmware reservations).
  std::vector<MemRange> reserved;
  std::optional<Console> console;  ///< default: the ISA's
  FailurePolicy policy = FailurePolicy::kHalt;
  ResetMethod reset_method = ResetMethod::kDefault;
  /// kGeneric forbids the purgatory's hardware SHA-256 routine; kAuto lets it decide.
  Sha256Routine sha256_routine = Sha256Routine::kAuto;
  /// Handoff::timer_hz: the rate of the ISA's timer where the purgatory cannot read it; 0.
  uint64_t timer_hz = 0;
  std::optional<uint64_t> purgatory_addr;  ///< default: the highest free RAM that fits
  uint64_t log_size = 4096;
};

inline constexpr uint64_t kDefaultPurgatoryAlign = 4096;
/// The memory log's size is a u32 in LogHeader; a megabyte is already far more than it needs.
inline constexpr uint64_t kMaxLogSize = 1 << 20;

/// Builds the image; InputError naming the offending input for anything that cannot work
/// (overlaps, segments outside RAM, an unknown boot register, no room for the purgatory, ...).
Image build_image(const BuildRequest& request, std::span<const uint8_t> purgatory_elf);

/// build_image() in two steps, for an image written while its segments are hashed: everything
/// but the digests, then link_image() once write_image() has them.
struct PlannedImage {
  Image image{};  ///< segments moved from the request, purgatory unlinked (of its final size)
  Purgatory purgatory;
  Handoff handoff{};  ///< without digests
};
PlannedImage plan_image(BuildRequest request, std::span<const uint8_t> purgatory_elf);
/// Links the purgatory with the segments' digests into planned.image.
void link_image(PlannedImage& planned, std::span<const Digest> digests);

}  // namespace styx::host
