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
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "arch-info.h"
#include "digest.h"
#include "file-io.h"

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
  /// Where the contents are when not in `data` (empty then): an input streamed into the image
  /// being built, or the segment's bytes inside the image file being verified.
  std::optional<FileRegion> file{};

  uint64_t size() const { return file ? file->size : data.size(); }
  /// The contents in memory, for what needs them there (the emulator, kexec_load).
  std::vector<uint8_t> bytes() const { return file ? file->bytes() : data; }
  /// The contents to `sink`: in bounded pieces from the file, or `data` at once.
  void read(const std::function<void(std::span<const uint8_t>)>& sink) const {
    if (file)
      file->read(sink);
    else
      sink(data);
  }
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

/// Called once every segment is written, with their digests taken while writing them: fills in
/// the image's purgatory (same size) and handoff, so that a build reads each input only once.
using LinkStep = std::function<void(std::span<const Digest>)>;

/// Writes the image to `path` through write_file_atomic(), segments in `file` streamed from it
/// with a bounded buffer. With `link`, the purgatory is linked by it before it is written.
void write_image(const std::string& path, const Image& image, const LinkStep& link = {});
/// Reads and checks the whole image into memory.
Image read_image(const std::string& path);
/// As read_image(), with only the headers, the note and the purgatory read: the segments stay in
/// the file (ImageSegment::file), for commands that hash them but never load them.
Image open_image(const std::string& path);
/// Each segment's SHA-256, segments hashed in parallel (one thread each, at most one per core).
std::vector<Digest> segment_digests(const Image& image);

std::string_view role_label(Role role);
/// Role by name ("kernel", ...); false if unknown.
bool parse_role(std::string_view name, Role& role);

}  // namespace styx::host
