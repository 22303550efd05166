// SPDX-License-Identifier: GPL-2.0-only
// The bzImage setup header (Documentation/arch/x86/boot.rst): what a loader reads from a kernel
// file before it can place it and fill boot_params.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace styx::host::x86 {

/// Setup header offsets, from the start of the file (and, identically, of boot_params).
namespace hdr {
inline constexpr size_t kStart = 0x1f1;  ///< the header is copied from here into boot_params
inline constexpr size_t kSetupSects = 0x1f1;
inline constexpr size_t kSyssize = 0x1f4;
inline constexpr size_t kBootFlag = 0x1fe;
inline constexpr size_t kJump = 0x200;  ///< its second byte + 0x202 is where the header ends
inline constexpr size_t kMagic = 0x202;
inline constexpr size_t kVersion = 0x206;
inline constexpr size_t kTypeOfLoader = 0x210;
inline constexpr size_t kLoadflags = 0x211;
inline constexpr size_t kCode32Start = 0x214;
inline constexpr size_t kRamdiskImage = 0x218;
inline constexpr size_t kRamdiskSize = 0x21c;
inline constexpr size_t kCmdLinePtr = 0x228;
inline constexpr size_t kInitrdAddrMax = 0x22c;
inline constexpr size_t kKernelAlignment = 0x230;
inline constexpr size_t kRelocatableKernel = 0x234;
inline constexpr size_t kMinAlignment = 0x235;
inline constexpr size_t kXloadflags = 0x236;
inline constexpr size_t kCmdlineSize = 0x238;
inline constexpr size_t kPayloadOffset = 0x248;
inline constexpr size_t kPayloadLength = 0x24c;
inline constexpr size_t kSetupData = 0x250;
inline constexpr size_t kPrefAddress = 0x258;
inline constexpr size_t kInitSize = 0x260;
/// boot_params reserves room for the header up to here; a longer one cannot be copied.
inline constexpr size_t kLimit = 0x290;
}  // namespace hdr

inline constexpr uint16_t kBootFlagValue = 0xaa55;
inline constexpr uint32_t kHdrSMagic = 0x53726448;  ///< "HdrS"
/// 2.12 brought xloadflags, which is how a kernel announces its 64-bit entry point.
inline constexpr uint16_t kMinProtocol = 0x020c;
inline constexpr uint8_t kLoadedHigh = 1 << 0;
inline constexpr uint16_t kXlfKernel64 = 1 << 0;
inline constexpr uint16_t kXlfCanBeLoadedAbove4G = 1 << 1;
/// The 64-bit entry point, from the start of the protected-mode code.
inline constexpr uint64_t kEntry64Offset = 0x200;
/// Where a bzImage that is not relocatable and gives no pref_address runs.
inline constexpr uint64_t kDefaultLoadAddress = 0x100000;

/// The fields a loader acts on; the header bytes themselves go into boot_params unchanged.
struct SetupHeader {
  uint8_t setup_sects = 0;  ///< as in the file (0 means 4)
  uint32_t syssize = 0;     ///< protected-mode size in 16-byte units
  uint16_t version = 0;
  uint8_t loadflags = 0;
  uint32_t initrd_addr_max = 0;  ///< highest byte an initrd may occupy
  uint32_t kernel_alignment = 0;
  bool relocatable = false;
  uint8_t min_alignment = 0;  ///< log2
  uint16_t xloadflags = 0;
  uint32_t cmdline_size = 0;  ///< longest command line, without its NUL
  uint32_t payload_offset = 0;
  uint32_t payload_length = 0;
  uint64_t pref_address = 0;
  uint32_t init_size = 0;
};

struct BzImage {
  SetupHeader header;
  /// File bytes [0x1f1, 0x202 + jump offset): what boot_params.hdr starts from.
  std::span<const uint8_t> header_bytes;
  /// The protected-mode code: the file from (setup_sects + 1) * 512 to its end.
  std::span<const uint8_t> protected_mode;
};

/// Parses `file` (which must outlive the result); InputError "NAME: ..." for anything that is not
/// a bzImage this loader can start through the 64-bit entry point.
BzImage parse_bzimage(std::span<const uint8_t> file, const std::string& name);

}  // namespace styx::host::x86
