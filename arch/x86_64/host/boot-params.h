// SPDX-License-Identifier: GPL-2.0-only
// The x86 "zero page" (struct boot_params, arch/x86/include/uapi/asm/bootparam.h) and the
// setup_data nodes it links: what rsi points at when the kernel's 64-bit entry runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "boot.h"
#include "bzimage.h"
#include "image.h"

namespace styx::host::x86 {

inline constexpr size_t kBootParamsSize = 4096;

/// boot_params offsets outside the setup header.
namespace bp {
inline constexpr size_t kExtRamdiskImage = 0x0c0;
inline constexpr size_t kExtRamdiskSize = 0x0c4;
inline constexpr size_t kExtCmdLinePtr = 0x0c8;
inline constexpr size_t kE820Entries = 0x1e8;
inline constexpr size_t kE820Table = 0x2d0;
inline constexpr size_t kE820EntrySize = 20;  ///< packed {u64 addr; u64 size; u32 type}
inline constexpr size_t kE820MaxEntries = 128;
}  // namespace bp

inline constexpr uint32_t kE820Ram = 1;
inline constexpr uint8_t kTypeOfLoaderUndefined = 0xff;

/// setup_data: {u64 next; u32 type; u32 len; u8 data[len]}.
inline constexpr size_t kSetupDataHeaderSize = 16;
inline constexpr uint32_t kSetupIma = 8;
/// The SETUP_IMA payload {u64 addr; u64 size}.
inline constexpr size_t kImaSetupDataSize = 16;
/// Nodes a reader follows before it calls the chain a loop.
inline constexpr size_t kMaxSetupDataNodes = 64;

struct E820Entry {
  uint64_t addr = 0;
  uint64_t size = 0;
  uint32_t type = 0;
};

/// RAM ranges as e820 type-1 entries, sorted and with touching ranges joined; InputError when
/// more than boot_params' 128 entries would be needed.
std::vector<E820Entry> e820_from_ram(const std::vector<MemRange>& ram);

/// A running machine's firmware map as e820 entries, each type as the kernel named it mapped back
/// to its number; names that are no e820 type (/proc/iomem's "PCI Bus ...") are left out, as
/// the firmware's own table leaves them out. InputError beyond 128 entries.
std::vector<E820Entry> e820_from_firmware_map(const std::vector<FirmwareRange>& map);

/// One setup_data node as a segment carries it. `len` is the whole payload's length; `data` is
/// the part of it that this segment holds right after the 16-byte header (the rest may follow in
/// an adjacent segment, as the IMA buffer does).
struct SetupDataNode {
  uint64_t addr = 0;
  uint32_t type = 0;
  uint32_t len = 0;
  std::vector<uint8_t> data;
};

/// The node's bytes with `next` linking it to the node after it (0 for the last).
std::vector<uint8_t> encode_setup_data(const SetupDataNode& node, uint64_t next);

/// A SETUP_IMA node at `node_addr` whose buffer of `ima_size` bytes directly follows its 32
/// bytes of header and payload, so the whole buffer lies inside the node.
SetupDataNode ima_setup_data(uint64_t node_addr, uint64_t ima_size);

struct BootParamsFields {
  uint64_t kernel_addr = 0;
  /// The alignment the kernel was loaded with, written back when it is below the header's.
  uint32_t kernel_alignment = 0;
  uint64_t cmdline_addr = 0;
  std::optional<MemRange> initrd;
  std::vector<E820Entry> e820;
  uint64_t setup_data = 0;  ///< first node of the chain, 0 for none
};

/// A zeroed boot_params with the kernel's setup header copied in and the loader's fields set.
std::vector<uint8_t> build_boot_params(const BzImage& kernel, const BootParamsFields& fields);

}  // namespace styx::host::x86
