// SPDX-License-Identifier: GPL-2.0-only
// What an x86_64 kernel finds at its 64-bit entry: boot_params at rsi and what it points to.
// Read through the same fields the kernel reads, so a plan can be checked against its inputs.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch-info.h"
#include "boot-params.h"
#include "bytes.h"
#include "bzimage.h"
#include "parse.h"

namespace styx::host {
namespace {

using namespace x86;

uint64_t le(std::span<const uint8_t> d, size_t at, size_t width) {
  return get_uint(d, at, width, false);
}

// Up to `limit` characters and the NUL after them, read a page at a time so that a command line
// at the very end of readable memory is not lost to a read that runs past it.
std::string read_cmdline(const ReadMemory& read, uint64_t addr, uint64_t limit) {
  constexpr uint64_t kPage = 4096;
  std::string out;
  uint64_t at = addr;
  while (out.size() <= limit) {
    const uint64_t chunk = std::min(kPage - at % kPage, limit + 1 - out.size());
    for (uint8_t c : read_memory_exactly(read, at, chunk, "command line")) {
      if (c == 0) return out;
      out.push_back(static_cast<char>(c));
    }
    at += chunk;
  }
  throw std::runtime_error("command line at " + hex(addr) + ": no NUL within cmdline_size (" +
                           std::to_string(limit) + ") bytes");
}

}  // namespace

NextKernel read_x86_64_next_kernel(const ReadMemory& read, std::span<const uint64_t> boot_args) {
  if (boot_args.empty()) throw std::runtime_error("boot_params: no rsi value given");
  const uint64_t bp_addr = boot_args[0];
  const std::vector<uint8_t> bp =
      read_memory_exactly(read, bp_addr, kBootParamsSize, "boot_params");
  if (le(bp, hdr::kMagic, 4) != kHdrSMagic)
    throw std::runtime_error("boot_params at " + hex(bp_addr) +
                             ": no \"HdrS\" setup header at 0x202");
  NextKernel next;

  const uint64_t cmdline = le(bp, hdr::kCmdLinePtr, 4) | le(bp, bp::kExtCmdLinePtr, 4) << 32;
  // A zero pointer is how the protocol spells "no command line".
  if (cmdline) next.cmdline = read_cmdline(read, cmdline, le(bp, hdr::kCmdlineSize, 4));

  const uint64_t ramdisk = le(bp, hdr::kRamdiskImage, 4) | le(bp, bp::kExtRamdiskImage, 4) << 32;
  const uint64_t ramdisk_size = le(bp, hdr::kRamdiskSize, 4) | le(bp, bp::kExtRamdiskSize, 4) << 32;
  if (ramdisk_size) next.initrd = {{ramdisk, ramdisk_size}};

  const uint64_t entries = le(bp, bp::kE820Entries, 1);
  if (entries > bp::kE820MaxEntries)
    throw std::runtime_error("boot_params at " + hex(bp_addr) + ": " + std::to_string(entries) +
                             " e820 entries, the table holds " +
                             std::to_string(bp::kE820MaxEntries));
  for (uint64_t i = 0; i < entries; ++i) {
    const size_t at = bp::kE820Table + i * bp::kE820EntrySize;
    if (le(bp, at + 16, 4) == kE820Ram) next.memory.push_back({le(bp, at, 8), le(bp, at + 8, 8)});
  }

  uint64_t node = le(bp, hdr::kSetupData, 8);
  for (size_t n = 0; node; ++n) {
    if (n == kMaxSetupDataNodes)
      throw std::runtime_error("setup_data: more than " + std::to_string(kMaxSetupDataNodes) +
                               " nodes from " + hex(le(bp, hdr::kSetupData, 8)) + " (a loop?)");
    const std::vector<uint8_t> head =
        read_memory_exactly(read, node, kSetupDataHeaderSize, "setup_data");
    const uint64_t type = le(head, 8, 4);
    const uint64_t len = le(head, 12, 4);
    if (type == kSetupIma) {
      if (len < kImaSetupDataSize)
        throw std::runtime_error("SETUP_IMA node at " + hex(node) + ": length " +
                                 std::to_string(len) + ", its payload needs 16");
      if (next.ima) throw std::runtime_error("setup_data: a second SETUP_IMA node at " + hex(node));
      const std::vector<uint8_t> payload = read_memory_exactly(read, node + kSetupDataHeaderSize,
                                                               kImaSetupDataSize, "SETUP_IMA node");
      next.ima = {{le(payload, 0, 8), le(payload, 8, 8)}};
    }
    node = le(head, 0, 8);
  }
  return next;
}

}  // namespace styx::host
