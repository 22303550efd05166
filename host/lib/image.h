// SPDX-License-Identifier: GPL-2.0-only
// A Styx image: the segments to load, the linked purgatory, and the RAM they live in.
//
// On disk it is an ELF64 executable of the target ISA: one PT_LOAD per non-empty segment at its
// physical address, one for the purgatory (e_entry is the purgatory's entry), and a PT_NOTE
// "Styx" that records each segment's role and the RAM ranges. Everything the purgatory will check
// (digests, entry, boot registers, console, policy) lives in the hand-off block inside the
// purgatory's PT_LOAD, so the image has exactly one source of truth for it.
#pragma once

#include <styx/handoff.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "arch-info.h"

namespace styx::host {

struct MemRange {
  uint64_t start = 0;
  uint64_t size = 0;
  uint64_t end() const { return start + size; }
};

struct ImageSegment {
  Role role = Role::kData;
  uint64_t addr = 0;
  std::vector<uint8_t> data;
  uint64_t reserve = 0;  ///< SegmentInput::reserve; the PT_LOAD's memsz beyond its filesz
};

struct Image {
  const ArchInfo* arch = nullptr;
  std::vector<ImageSegment> segments;  ///< in hand-off order
  std::vector<MemRange> ram;
  uint64_t purgatory_addr = 0;
  std::vector<uint8_t> purgatory;  ///< relocated bytes, hand-off block filled in
  uint64_t purgatory_memsz = 0;    ///< with .bss, stack and memory log
  uint64_t purgatory_entry = 0;    ///< absolute
  uint64_t handoff_offset = 0;     ///< of the hand-off block inside `purgatory`
  Handoff handoff{};               ///< decoded copy of the block, host byte order
};

std::vector<uint8_t> serialize_image(const Image& image);
/// Parses an image file's bytes; InputError naming `name` if it is not a sound Styx image.
Image parse_image(std::span<const uint8_t> bytes, const std::string& name);

void write_image(const std::string& path, const Image& image);
Image read_image(const std::string& path);

std::string_view role_label(Role role);
/// Role by name ("kernel", ...); false if unknown.
bool parse_role(std::string_view name, Role& role);

}  // namespace styx::host
