// SPDX-License-Identifier: GPL-2.0-only
#include "image.h"

#include <elf.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>

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
    if (s.size() > kMaxSegmentBytes)
      throw bad("segment " + std::to_string(i) + ": " + hex(s.size()) + " bytes, at most " +
                hex(kMaxSegmentBytes) + " in one segment");
    pieces.push_back({"segment " + std::to_string(i) + " (" + std::string(role_name(s.role)) + ")",
                      s.addr, s.size() + s.reserve});
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

// The image's program headers (filesz set, offsets not) and the note's bytes: the note first,
// then one PT_LOAD per non-empty segment, then the purgatory.
struct ImageElf {
  std::vector<ElfSegment> headers;
  std::vector<uint8_t> note;
  std::vector<size_t> segment_header;  ///< per segment, its header's index (0: none)
};

ImageElf image_elf(const Image& image) {
  const bool big = image.arch->big_endian;
  ImageElf elf;
  elf.headers.push_back({});  // the note, filled in below once the indices are known
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
    elf.segment_header.push_back(0);
    if (s.size() != 0) {
      index = static_cast<uint32_t>(elf.headers.size());
      elf.segment_header.back() = index;
      elf.headers.push_back(
          {PT_LOAD, PF_R | PF_W | PF_X, 0, s.addr, s.addr, s.size(), s.size() + s.reserve, 1});
    }
    append_uint(desc, static_cast<uint32_t>(s.role), 4, big);
    append_uint(desc, index, 4, big);
    append_uint(desc, s.addr, 8, big);
    append_uint(desc, s.size(), 8, big);
  }
  for (const auto& r : image.ram) {
    append_uint(desc, r.start, 8, big);
    append_uint(desc, r.size, 8, big);
  }
  elf.headers.push_back({PT_LOAD, PF_R | PF_W | PF_X, 0, image.purgatory_addr, image.purgatory_addr,
                         image.purgatory.size(), image.purgatory_memsz, 1});
  elf.note = make_elf_note(kNoteName, kNoteType, desc, big);
  elf.headers[0] = {PT_NOTE, PF_R, 0, 0, 0, elf.note.size(), 0, 4};
  return elf;
}

Digest digest_of(const ImageSegment& s) {
  Sha256 h;
  s.read([&](std::span<const uint8_t> piece) { h.update(piece); });
  return h.finish();
}

Image parse(std::span<const uint8_t> bytes, const std::string& name,
            const std::shared_ptr<const InputFile>& file);

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
  const ImageElf elf = image_elf(image);
  std::vector<ElfWriterSegment> phdrs;
  for (const ElfSegment& h : elf.headers) phdrs.push_back({h, {}});
  phdrs[0].data = elf.note;
  for (size_t i = 0; i < image.segments.size(); ++i)
    if (elf.segment_header[i]) phdrs[elf.segment_header[i]].data = image.segments[i].bytes();
  phdrs.back().data = image.purgatory;
  return write_elf(image.arch->elf_machine, image.arch->big_endian, image.purgatory_entry, phdrs);
}

Image parse_image(std::span<const uint8_t> bytes, const std::string& name) {
  return parse(bytes, name, nullptr);
}

namespace {

// With `file`, the segments stay in it as regions; `bytes` are its contents.
Image parse(std::span<const uint8_t> bytes, const std::string& name,
            const std::shared_ptr<const InputFile>& file) {
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
      const auto data = elf.segment_data(phdrs[index]);  // bounds-checked even when kept in `file`
      if (file)
        s.file = FileRegion{file, phdrs[index].offset, size};
      else
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
        h.segments[i].size != image.segments[i].size() ||
        h.segments[i].role != static_cast<uint32_t>(image.segments[i].role))
      throw bad("hand-off block and note disagree on segment " + std::to_string(i));
  }
  check_layout(image, name);
  return image;
}

}  // namespace

void write_image(const std::string& path, const Image& image, const LinkStep& link) {
  ImageElf elf = image_elf(image);
  const ElfLayout layout = layout_elf(elf.headers);
  // What no reader would take is not written.
  if (layout.size > kMaxImageBytes)
    throw InputError(path + ": the image would be " + hex(layout.size) + " bytes, more than the " +
                     hex(kMaxImageBytes) + " every reader takes");
  for (size_t i = 0; i < elf.headers.size(); ++i) elf.headers[i].offset = layout.offsets[i];
  const size_t purgatory_size = image.purgatory.size();
  write_file_atomic_with(
      path,
      [&](OutputFile& out) {
        out.write(elf_headers(image.arch->elf_machine, image.arch->big_endian,
                              image.purgatory_entry, elf.headers));
        out.pad_to(layout.offsets[0]);
        out.write(elf.note);
        std::vector<Digest> digests;
        for (size_t i = 0; i < image.segments.size(); ++i) {
          const ImageSegment& s = image.segments[i];
          if (elf.segment_header[i]) out.pad_to(layout.offsets[elf.segment_header[i]]);
          if (!link) {
            s.read([&](std::span<const uint8_t> piece) { out.write(piece); });
            continue;
          }
          Sha256 h;
          s.read([&](std::span<const uint8_t> piece) {
            h.update(piece);
            out.write(piece);
          });
          digests.push_back(h.finish());
        }
        if (link) {
          link(digests);
          if (image.purgatory.size() != purgatory_size)
            throw std::logic_error("the linked purgatory changed size");
        }
        out.pad_to(layout.offsets.back());
        out.write(image.purgatory);
      },
      false);
}

Image read_image(const std::string& path) {
  const auto bytes = read_file(path, kMaxImageBytes);
  if (bytes.empty()) throw InputError(path + ": empty file");
  return parse_image(bytes, path);
}

namespace {

// Segment contents larger than this stay in the file for open_image(): a purgatory, a device tree
// or boot_params is far smaller, a kernel or initrd far larger.
constexpr uint64_t kKeptInFile = 4 << 20;

// The file's bytes but those of large PT_LOAD segments, which parse() keeps as file regions and
// never reads: the holes stay untouched zero pages of the anonymous mapping `map`, so they take no
// memory. Everything goes through InputFile::read, so a file that shrinks or changes meanwhile is
// an error naming it, never a fault (a mapping of the file itself would raise SIGBUS).
void fill_all_but_large_segments(const InputFile& file, uint8_t* map) {
  const uint64_t size = file.size();
  const auto copy = [&](uint64_t offset, uint64_t n) {
    uint64_t at = offset;
    file.read(offset, n, [&](std::span<const uint8_t> piece) {
      std::memcpy(map + at, piece.data(), piece.size());
      at += piece.size();
    });
  };
  const uint64_t head = std::min<uint64_t>(size, 64);
  copy(0, head);
  std::vector<std::pair<uint64_t, uint64_t>> holes;  // [start, end), within the file
  const std::span<const uint8_t> ident(map, head);
  if (head == 64 && std::memcmp(map, ELFMAG, SELFMAG) == 0 && map[EI_CLASS] == ELFCLASS64) {
    const ByteReader eh(ident, map[EI_DATA] == ELFDATA2MSB, file.path() + ": ELF header");
    const uint64_t phoff = eh.u64(32), phentsize = eh.u16(54), phnum = eh.u16(56);
    if (phentsize >= 56 && phoff < size && phnum * phentsize <= size - phoff) {
      const std::vector<uint8_t> table = file.read(phoff, phnum * phentsize);
      const ByteReader ph(table, map[EI_DATA] == ELFDATA2MSB, file.path() + ": program headers");
      for (uint64_t i = 0; i < phnum; ++i) {
        const uint64_t o = i * phentsize, offset = ph.u64(o + 8), filesz = ph.u64(o + 32);
        if (ph.u32(o) == PT_LOAD && filesz > kKeptInFile && offset < size &&
            filesz <= size - offset)
          holes.emplace_back(offset, offset + filesz);
      }
    }
  }
  std::sort(holes.begin(), holes.end());
  uint64_t at = head;
  for (const auto& [start, end] : holes) {
    if (start > at) copy(at, start - at);
    at = std::max(at, end);
  }
  if (at < size) copy(at, size - at);
}

}  // namespace

Image open_image(const std::string& path) {
  const auto file = InputFile::open(path, kMaxImageBytes);
  if (file->size() == 0) throw InputError(path + ": empty file");
  void* map =
      ::mmap(nullptr, file->size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) throw InputError(path + ": " + std::strerror(errno));
  struct Unmap {
    void* p;
    size_t n;
    ~Unmap() { ::munmap(p, n); }
  } unmap{map, file->size()};
  fill_all_but_large_segments(*file, static_cast<uint8_t*>(map));
  return parse(std::span(static_cast<const uint8_t*>(map), file->size()), path, file);
}

std::vector<Digest> segment_digests(const Image& image) {
  const size_t n = image.segments.size();
  std::vector<Digest> digests(n);
  std::vector<std::exception_ptr> errors(n);
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i; (i = next++) < n;) {
      try {
        digests[i] = digest_of(image.segments[i]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  const size_t threads = std::min<size_t>(n, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return digests;
}

}  // namespace styx::host
