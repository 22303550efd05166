// SPDX-License-Identifier: GPL-2.0-only
// The arm64 kernel Image (Documentation/arch/arm64/booting.rst): its 64-byte header, and the
// compressed forms a boot loader is expected to undo (Image.gz, EFI zboot with a gzip payload).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace styx::host {

inline constexpr uint64_t kArm64ImageHeaderSize = 64;
inline constexpr uint64_t kArm64KernelAlign = 2ull << 20;
/// arm64 kernels live in 48-bit physical memory (flags bit 3 allows any base below it).
inline constexpr uint64_t kArm64PhysLimit = 1ull << 48;
/// flags bit 0: the kernel runs big-endian.
inline constexpr uint64_t kArm64FlagBigEndian = 1;
/// flags bit 3: the 2 MiB base may be anywhere in 48-bit physical memory, not only near DRAM's
/// start.
inline constexpr uint64_t kArm64FlagAnyBase = 1 << 3;
/// Kernels before 3.17 leave image_size 0 and use this text_offset.
inline constexpr uint64_t kArm64LegacyTextOffset = 0x80000;
/// What a pre-3.17 kernel gets beyond its file for .bss and early page tables, which its header
/// does not state; booting.rst only asks for as much as possible.
inline constexpr uint64_t kArm64LegacySlack = 16ull << 20;
/// Decompression stops here: no arm64 kernel comes near it, and a corrupt or hostile stream
/// must not exhaust the host.
inline constexpr uint64_t kMaxInflatedKernel = 256ull << 20;

struct Arm64Image {
  std::vector<uint8_t> data;  ///< the Image to load, decompressed
  uint64_t text_offset = 0;   ///< from a 2 MiB-aligned base to the load address
  /// Bytes from the load address that must be free for the kernel; at least data.size().
  uint64_t image_size = 0;
  uint64_t flags = 0;
  bool legacy = false;  ///< image_size was 0: text_offset and image_size are the documented guesses
  std::string compression;  ///< "" or how the file was packed ("gzip", "EFI zboot gzip")
};

/// Parses an Image, Image.gz or gzip EFI zboot image. InputError naming `name` for anything else,
/// a truncated header, or a big-endian kernel.
Arm64Image parse_arm64_image(std::span<const uint8_t> file, const std::string& name);

/// Inflates one gzip member, at most `limit` output bytes. InputError naming `name` when the
/// stream is corrupt, ends early or inflates beyond `limit`.
std::vector<uint8_t> gunzip(std::span<const uint8_t> data, const std::string& name, uint64_t limit);

}  // namespace styx::host
