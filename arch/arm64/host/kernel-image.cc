// SPDX-License-Identifier: GPL-2.0-only
#include "kernel-image.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "bytes.h"
#include "error.h"
#include "parse.h"

namespace styx::host {
namespace {

uint64_t le(std::span<const uint8_t> d, size_t at, size_t width) {
  return get_uint(d, at, width, false);
}

std::string size_text(uint64_t bytes) {
  return bytes % (1 << 20) == 0 ? std::to_string(bytes >> 20) + " MiB" : hex(bytes) + " bytes";
}

// EFI zboot (drivers/firmware/efi/libstub/zboot-header.S): an MZ header with "zimg" at 4, the
// payload's offset and size at 8 and 12, and the compression's name at 24.
constexpr size_t kZbootTypeOffset = 24;
constexpr size_t kZbootTypeMax = 32;

bool is_zboot(std::span<const uint8_t> f) {
  return f.size() >= 64 && f[0] == 'M' && f[1] == 'Z' && std::memcmp(&f[4], "zimg", 4) == 0;
}

std::vector<uint8_t> unpack_zboot(std::span<const uint8_t> f, const std::string& name) {
  const uint64_t offset = le(f, 8, 4), size = le(f, 12, 4);
  const auto* type_begin = reinterpret_cast<const char*>(&f[kZbootTypeOffset]);
  const std::string type(type_begin, strnlen(type_begin, kZbootTypeMax));
  if (offset > f.size() || size > f.size() - offset)
    throw InputError(name + ": truncated EFI zboot image: the payload at " + hex(offset) + "+" +
                     hex(size) + " ends beyond the file (" + hex(f.size()) + " bytes)");
  if (type != "gzip")
    throw InputError(name + ": EFI zboot image compressed with '" + type +
                     "'; only gzip is supported (extract the Image first)");
  return gunzip(f.subspan(offset, size), name + " (EFI zboot payload)", kMaxInflatedKernel);
}

}  // namespace

std::vector<uint8_t> gunzip(std::span<const uint8_t> data, const std::string& name,
                            uint64_t limit) {
  if (data.size() > UINT_MAX) throw InputError(name + ": gzip data too large");
  z_stream zs{};
  // 16 + window bits: a gzip wrapper, not a raw or zlib stream.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    throw InputError(name + ": cannot start gzip decompression");
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};
  zs.next_in = const_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());

  std::vector<uint8_t> out;
  for (;;) {
    if (zs.total_out == out.size()) {
      if (out.size() > limit)
        throw InputError(name + ": gzip data inflates beyond " + size_text(limit));
      const uint64_t grown =
          std::max<uint64_t>(out.size() * 2, std::max<size_t>(data.size() * 4, 1 << 20));
      out.resize(std::min<uint64_t>(grown, limit + 1));
    }
    zs.next_out = out.data() + zs.total_out;
    zs.avail_out = static_cast<uInt>(std::min<uint64_t>(out.size() - zs.total_out, UINT_MAX));
    const int r = inflate(&zs, Z_NO_FLUSH);
    if (r == Z_STREAM_END) break;
    if (r == Z_BUF_ERROR && zs.avail_in == 0 && zs.avail_out > 0)
      throw InputError(name + ": gzip data ends early (after " + hex(zs.total_out) +
                       " bytes of output)");
    if (r != Z_OK && r != Z_BUF_ERROR)
      throw InputError(name + ": corrupt gzip data (zlib: " +
                       (zs.msg ? zs.msg : "error " + std::to_string(r)) + ")");
  }
  if (zs.total_out > limit)
    throw InputError(name + ": gzip data inflates beyond " + size_text(limit));
  out.resize(zs.total_out);
  return out;
}

Arm64Image parse_arm64_image(std::span<const uint8_t> file, const std::string& name) {
  Arm64Image img;
  if (file.size() >= 2 && file[0] == 0x1f && file[1] == 0x8b) {
    img.data = gunzip(file, name, kMaxInflatedKernel);
    img.compression = "gzip";
  } else if (is_zboot(file)) {
    img.data = unpack_zboot(file, name);
    img.compression = "EFI zboot gzip";
  } else {
    img.data.assign(file.begin(), file.end());
  }
  const std::span<const uint8_t> d = img.data;
  if (d.size() < kArm64ImageHeaderSize)
    throw InputError(name + ": truncated arm64 Image: the header is 64 bytes, there are " +
                     std::to_string(d.size()));
  if (std::memcmp(&d[56], "ARM\x64", 4) != 0)
    throw InputError(name + ": not an arm64 Image (no ARM\\x64 magic)");
  img.text_offset = le(d, 8, 8);
  img.image_size = le(d, 16, 8);
  img.flags = le(d, 24, 8);
  if (img.image_size == 0) {
    // Before 3.17 text_offset had the kernel's own byte order; booting.rst says to assume this.
    img.legacy = true;
    img.text_offset = kArm64LegacyTextOffset;
    img.image_size = d.size() + kArm64LegacySlack;
  }
  if (img.flags & kArm64FlagBigEndian)
    throw InputError(name + ": big-endian arm64 kernel (Image flags bit 0); Styx boots " +
                     "little-endian kernels");
  // Bounded here, where the header is read, so that text_offset + image_size and a segment's
  // end cannot wrap in any planner.
  if (img.image_size > kArm64PhysLimit)
    throw InputError(name + ": image_size " + hex(img.image_size) +
                     " is beyond 48-bit physical memory");
  if (img.text_offset >= kArm64KernelAlign)
    throw InputError(name + ": text_offset " + hex(img.text_offset) +
                     " is not below the 2 MiB alignment");
  // A file can run past image_size (e.g. an appended signature); all of it gets loaded.
  img.image_size = std::max<uint64_t>(img.image_size, d.size());
  return img;
}

}  // namespace styx::host
