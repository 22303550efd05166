// SPDX-License-Identifier: GPL-2.0-only
#include "image.h"

#include <elf.h>

#include "bytes.h"
#include "elf-file.h"
#include "error.h"
#include "file-io.h"
#include "handoff-codec.h"
#include "image-limits.h"
#include "parse.h"
#include "ranges.h"

namespace styx::host {
namespace {

constexpr char kNoteName[] = "Styx";
constexpr uint32_t kNoteType = 0x53545831;  // "STX1"
constexpr uint32_t kNoteVersion = 1;
constexpr uint32_t kNoSegment = 0xffffffff;
// Note descriptor: u32 version, u32 segment count, u32 RAM range count, u32 reserved,
// u64 purgatory address, u64 purgatory memory size, u64 hand-off offset,
// then per segment {u32 role, u32 program header index or kNoSegment, u64 addr, u64 size},
// then per RAM range {u64 start, u64 size}.
constexpr size_t kNoteHeader = 40, kNoteSegment = 24, kNoteRam = 16;

// What the builder guarantees, checked again on what is read: an image that could never have
// been built (a segment outside RAM, two pieces overlapping, a range wrapping past 2^64) is
// refused before anyone computes digests of it or loads it.
void check_layout(const Image& image, const std::string& name) {
  const auto bad = [&](const std::string& why) { return InputError(name + ": " + why); };
  if (image.ram.empty()) throw bad("no RAM ranges");
  if (const std::string problem = ram_problem(image.ram, image.arch->page_size); !problem.empty())
    throw bad(problem);
  std::vector<PlacedRange> pieces;
  for (size_t i = 0; i < image.segments.size(); ++i) {
    const ImageSegment& s = image.segments[i];
    if (s.data.size() > kMaxSegmentBytes)
      throw bad("segment " + std::to_string(i) + ": " + hex(s.data.size()) + " bytes, at most " +
                hex(kMaxSegmentBytes) + " in one segment");
    pieces.push_back({"segment " + std::to_string(i) + " (" + std::string(role_name(s.role)) + ")",
                      s.addr, s.data.size() + s.reserve});
  }
  if (image.purgatory.size() > image.purgatory_memsz)
    throw bad("purgatory: more bytes in the file than in memory");
  pieces.push_back({"purgatory", image.purgatory_addr, image.purgatory_memsz});
  if (const std::string problem = placement_problem(image.ram, pieces); !problem.empty())
    throw bad(problem);
  const Handoff& h = image.handoff;
  if (!ram_containing(image.ram, h.entry, 1))
    throw bad("entry " + hex(h.entry) + " is not inside RAM");
  if (h.log_size &&
      !range_inside({image.purgatory_addr, image.purgatory_memsz}, h.log_addr, h.log_size))
    throw bad("memory log " + hex(h.log_addr) + "+" + hex(h.log_size) +
              " is outside the purgatory's memory");
}

}  // namespace

std::string_view role_label(Role role) {
  return role_name(role);
}

bool parse_role(std::string_view name, Role& role) {
  for (uint32_t r = 0; r < kRoleCount; ++r) {
    if (name == role_name(static_cast<Role>(r))) {
      role = static_cast<Role>(r);
      return true;
    }
  }
  return false;
}

std::vector<uint8_t> serialize_image(const Image& image) {
  const bool big = image.arch->big_endian;
  std::vector<ElfWriterSegment> phdrs;
  phdrs.push_back({});  // the note, filled in below once the indices are known
  std::vector<uint8_t> desc;
  append_uint(desc, kNoteVersion, 4, big);
  append_uint(desc, image.segments.size(), 4, big);
  append_uint(desc, image.ram.size(), 4, big);
  append_uint(desc, 0, 4, big);
  append_uint(desc, image.purgatory_addr, 8, big);
  append_uint(desc, image.purgatory_memsz, 8, big);
  append_uint(desc, image.handoff_offset, 8, big);
  for (const auto& s : image.segments) {
    uint32_t index = kNoSegment;
    if (!s.data.empty()) {
      index = static_cast<uint32_t>(phdrs.size());
      phdrs.push_back(
          {{PT_LOAD, PF_R | PF_W | PF_X, 0, s.addr, s.addr, 0, s.data.size() + s.reserve, 1},
           s.data});
    }
    append_uint(desc, static_cast<uint32_t>(s.role), 4, big);
    append_uint(desc, index, 4, big);
    append_uint(desc, s.addr, 8, big);
    append_uint(desc, s.data.size(), 8, big);
  }
  for (const auto& r : image.ram) {
    append_uint(desc, r.start, 8, big);
    append_uint(desc, r.size, 8, big);
  }
  phdrs.push_back({{PT_LOAD, PF_R | PF_W | PF_X, 0, image.purgatory_addr, image.purgatory_addr, 0,
                    image.purgatory_memsz, 1},
                   image.purgatory});
  phdrs[0] = {{PT_NOTE, PF_R, 0, 0, 0, 0, 0, 4}, make_elf_note(kNoteName, kNoteType, desc, big)};
  phdrs[0].header.memsz = 0;
  return write_elf(image.arch->elf_machine, big, image.purgatory_entry, phdrs);
}

Image parse_image(std::span<const uint8_t> bytes, const std::string& name) {
  const ElfFile elf(bytes, name);
  const auto bad = [&](const std::string& why) { return InputError(name + ": " + why); };
  Image image;
  for (const ArchInfo* a : all_arches())
    if (a->elf_machine == elf.machine() && a->big_endian == elf.big_endian()) image.arch = a;
  if (!image.arch)
    throw bad("not a Styx image (ELF machine " + std::to_string(elf.machine()) + ")");
  if (elf.type() != ET_EXEC) throw bad("not a Styx image (not an ELF executable)");
  const bool big = elf.big_endian();

  std::span<const uint8_t> desc;
  for (const auto& s : elf.segments()) {
    if (s.type != PT_NOTE) continue;
    for (const auto& n : elf.notes(s))
      if (n.name == kNoteName && n.type == kNoteType) desc = n.desc;
  }
  if (desc.empty()) throw bad("not a Styx image (no Styx note)");
  const ByteReader r(desc, big, name + ": Styx note");
  if (r.u32(0) != kNoteVersion)
    throw bad("Styx note version " + std::to_string(r.u32(0)) + " is not supported");
  const uint32_t segment_count = r.u32(4), ram_count = r.u32(8);
  if (segment_count > kMaxSegments)
    throw bad("more than " + std::to_string(kMaxSegments) + " segments");
  if (ram_count > kMaxRamRanges)
    throw bad(std::to_string(ram_count) + " RAM ranges, at most " + std::to_string(kMaxRamRanges));
  image.purgatory_addr = r.u64(16);
  image.purgatory_memsz = r.u64(24);
  image.handoff_offset = r.u64(32);

  const auto& phdrs = elf.segments();
  size_t o = kNoteHeader;
  for (uint32_t i = 0; i < segment_count; ++i, o += kNoteSegment) {
    ImageSegment s;
    const uint32_t role = r.u32(o);
    if (role >= kRoleCount)
      throw bad("segment " + std::to_string(i) + ": unknown role " + std::to_string(role));
    s.role = static_cast<Role>(role);
    const uint32_t index = r.u32(o + 4);
    s.addr = r.u64(o + 8);
    const uint64_t size = r.u64(o + 16);
    if (index != kNoSegment) {
      if (index >= phdrs.size() || phdrs[index].type != PT_LOAD || phdrs[index].paddr != s.addr ||
          phdrs[index].filesz != size)
        throw bad("segment " + std::to_string(i) + " does not match its program header");
      const auto data = elf.segment_data(phdrs[index]);
      s.data.assign(data.begin(), data.end());
      if (phdrs[index].memsz < size)
        throw bad("segment " + std::to_string(i) + ": memory size smaller than its contents");
      s.reserve = phdrs[index].memsz - size;
    } else if (size != 0) {
      throw bad("segment " + std::to_string(i) + " has no contents");
    }
    image.segments.push_back(std::move(s));
  }
  for (uint32_t i = 0; i < ram_count; ++i, o += kNoteRam)
    image.ram.push_back({r.u64(o), r.u64(o + 8)});

  const ElfSegment* purgatory = nullptr;
  for (const auto& s : phdrs)
    if (s.type == PT_LOAD && s.paddr == image.purgatory_addr && s.memsz == image.purgatory_memsz)
      purgatory = &s;
  if (!purgatory) throw bad("no purgatory segment at " + hex(image.purgatory_addr));
  const auto pdata = elf.segment_data(*purgatory);
  image.purgatory.assign(pdata.begin(), pdata.end());
  image.purgatory_entry = elf.entry();
  if (image.purgatory_entry < image.purgatory_addr ||
      image.purgatory_entry >= image.purgatory_addr + image.purgatory.size())
    throw bad("entry point outside the purgatory");
  if (image.handoff_offset > image.purgatory.size() ||
      image.purgatory.size() - image.handoff_offset < sizeof(Handoff))
    throw bad("hand-off block outside the purgatory");
  image.handoff = decode_handoff(std::span(image.purgatory).subspan(image.handoff_offset), big);
  const Handoff& h = image.handoff;
  if (h.magic != kHandoffMagic) throw bad("hand-off block has a bad magic");
  // Older blocks are refused, not read: a version 2 image has no seal, and its purgatory would
  // refuse nothing but a v2 block anyway. Rebuilding it with this styx is the way forward.
  if (h.version != kHandoffVersion || h.size != sizeof(Handoff))
    throw bad("hand-off block version " + std::to_string(h.version) +
              " is not supported (this styx reads version " + std::to_string(kHandoffVersion) +
              "; rebuild the image)");
  if (h.segment_count != segment_count)
    throw bad("hand-off block and note disagree on the segment count");
  for (uint32_t i = 0; i < segment_count; ++i) {
    if (h.segments[i].addr != image.segments[i].addr ||
        h.segments[i].size != image.segments[i].data.size() ||
        h.segments[i].role != static_cast<uint32_t>(image.segments[i].role))
      throw bad("hand-off block and note disagree on segment " + std::to_string(i));
  }
  check_layout(image, name);
  return image;
}

void write_image(const std::string& path, const Image& image) {
  const std::vector<uint8_t> bytes = serialize_image(image);
  // What no reader would take is not written.
  if (bytes.size() > kMaxImageBytes)
    throw InputError(path + ": the image would be " + hex(bytes.size()) + " bytes, more than the " +
                     hex(kMaxImageBytes) + " every reader takes");
  write_file_atomic(path, bytes, false);
}

Image read_image(const std::string& path) {
  const auto bytes = read_file(path, kMaxImageBytes);
  if (bytes.empty()) throw InputError(path + ": empty file");
  return parse_image(bytes, path);
}

}  // namespace styx::host
