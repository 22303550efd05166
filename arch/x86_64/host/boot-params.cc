// SPDX-License-Identifier: GPL-2.0-only
#include "boot-params.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "bytes.h"
#include "error.h"

namespace styx::host::x86 {
namespace {

void put(std::vector<uint8_t>& out, size_t offset, uint64_t value, size_t width) {
  put_uint(out, offset, value, width, false);
}

}  // namespace

std::vector<E820Entry> e820_from_ram(const std::vector<MemRange>& ram) {
  std::vector<MemRange> sorted = ram;
  std::sort(sorted.begin(), sorted.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
  std::vector<E820Entry> out;
  for (const MemRange& r : sorted) {
    if (r.size == 0) continue;
    if (!out.empty() && out.back().addr + out.back().size == r.start)
      out.back().size += r.size;
    else
      out.push_back({r.start, r.size, kE820Ram});
  }
  // The kernel also accepts SETUP_E820_EXT for more, but no machine Styx targets needs 128
  // separate RAM ranges; refusing keeps boot_params the single place the map lives.
  if (out.size() > bp::kE820MaxEntries)
    throw InputError("--mem: " + std::to_string(out.size()) +
                     " separate RAM ranges, but boot_params holds at most " +
                     std::to_string(bp::kE820MaxEntries) + " e820 entries");
  return out;
}

std::vector<E820Entry> e820_from_firmware_map(const std::vector<FirmwareRange>& map) {
  // The names are the kernel's (arch/x86/kernel/e820.c, e820_type_to_string).
  static const std::pair<std::string_view, uint32_t> kTypes[] = {
      {"System RAM", 1},
      {"Reserved", 2},
      {"ACPI Tables", 3},
      {"ACPI Non-volatile Storage", 4},
      {"Unusable memory", 5},
      {"Persistent Memory", 7},
      {"Persistent Memory (legacy)", 12},
      {"Soft Reserved", 0xefffffff},
  };
  std::vector<E820Entry> out;
  for (const FirmwareRange& r : map) {
    const auto* t = std::find_if(std::begin(kTypes), std::end(kTypes),
                                 [&](const auto& kv) { return kv.first == r.type; });
    if (t == std::end(kTypes) || r.size == 0) continue;
    out.push_back({r.start, r.size, t->second});
  }
  std::sort(out.begin(), out.end(),
            [](const E820Entry& a, const E820Entry& b) { return a.addr < b.addr; });
  if (out.size() > bp::kE820MaxEntries)
    throw InputError("firmware memory map: " + std::to_string(out.size()) +
                     " entries, but boot_params holds at most " +
                     std::to_string(bp::kE820MaxEntries));
  return out;
}

std::vector<uint8_t> encode_setup_data(const SetupDataNode& node, uint64_t next) {
  std::vector<uint8_t> out(kSetupDataHeaderSize);
  put(out, 0, next, 8);
  put(out, 8, node.type, 4);
  put(out, 12, node.len, 4);
  out.insert(out.end(), node.data.begin(), node.data.end());
  return out;
}

SetupDataNode ima_setup_data(uint64_t node_addr, uint64_t ima_size) {
  if (ima_size > UINT32_MAX - kImaSetupDataSize)
    throw InputError("IMA buffer: " + std::to_string(ima_size) +
                     " bytes do not fit a setup_data node (its length is a u32)");
  SetupDataNode node;
  node.addr = node_addr;
  node.type = kSetupIma;
  // The decompressor's KASLR keeps clear of setup_data nodes but not of what they point at, so
  // the node's length covers the buffer too: the buffer survives wherever the kernel lands.
  node.len = static_cast<uint32_t>(kImaSetupDataSize + ima_size);
  put(node.data, 0, node_addr + kSetupDataHeaderSize + kImaSetupDataSize, 8);
  put(node.data, 8, ima_size, 8);
  return node;
}

std::vector<uint8_t> build_boot_params(const BzImage& kernel, const BootParamsFields& f) {
  std::vector<uint8_t> out(kBootParamsSize, 0);
  // Only the setup header is taken from the file. Copying more would bring along the file's
  // sentinel byte (0x1ef), on which the kernel assumes a careless loader and wipes fields set here.
  std::copy(kernel.header_bytes.begin(), kernel.header_bytes.end(), out.begin() + hdr::kStart);

  put(out, hdr::kTypeOfLoader, kTypeOfLoaderUndefined, 1);
  // Unused by the 64-bit entry, but the protocol asks a loader that moves a relocatable kernel
  // to say where it went, and tools that read boot_params look here.
  if (f.kernel_addr <= UINT32_MAX) put(out, hdr::kCode32Start, f.kernel_addr, 4);
  if (f.kernel_alignment && f.kernel_alignment != kernel.header.kernel_alignment)
    put(out, hdr::kKernelAlignment, f.kernel_alignment, 4);

  put(out, hdr::kCmdLinePtr, f.cmdline_addr & UINT32_MAX, 4);
  put(out, bp::kExtCmdLinePtr, f.cmdline_addr >> 32, 4);

  const MemRange initrd = f.initrd.value_or(MemRange{});
  put(out, hdr::kRamdiskImage, initrd.start & UINT32_MAX, 4);
  put(out, bp::kExtRamdiskImage, initrd.start >> 32, 4);
  put(out, hdr::kRamdiskSize, initrd.size & UINT32_MAX, 4);
  put(out, bp::kExtRamdiskSize, initrd.size >> 32, 4);

  if (f.e820.size() > bp::kE820MaxEntries)
    throw InputError("boot_params: " + std::to_string(f.e820.size()) + " e820 entries, at most " +
                     std::to_string(bp::kE820MaxEntries));
  put(out, bp::kE820Entries, f.e820.size(), 1);
  for (size_t i = 0; i < f.e820.size(); ++i) {
    const size_t at = bp::kE820Table + i * bp::kE820EntrySize;
    put(out, at, f.e820[i].addr, 8);
    put(out, at + 8, f.e820[i].size, 8);
    put(out, at + 16, f.e820[i].type, 4);
  }

  put(out, hdr::kSetupData, f.setup_data, 8);
  return out;
}

}  // namespace styx::host::x86
