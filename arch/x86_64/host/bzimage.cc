// SPDX-License-Identifier: GPL-2.0-only
#include "bzimage.h"

#include "bytes.h"
#include "error.h"
#include "parse.h"

namespace styx::host::x86 {

BzImage parse_bzimage(std::span<const uint8_t> file, const std::string& name) {
  // Say "not a bzImage" before anything else, so an arbitrary file gets the plain answer rather
  // than a complaint about some field of it.
  if (file.size() < hdr::kMagic + 4)
    throw InputError(name + ": not a bzImage (" + std::to_string(file.size()) +
                     " bytes, too short for a setup header)");
  const ByteReader r(file, false, name + ": setup header");
  if (r.u16(hdr::kBootFlag) != kBootFlagValue || r.u32(hdr::kMagic) != kHdrSMagic)
    throw InputError(name + ": not a bzImage (no 0xAA55 boot flag at 0x1fe and \"HdrS\" at 0x202)");

  SetupHeader h;
  h.version = r.u16(hdr::kVersion);
  if (h.version < kMinProtocol)
    throw InputError(name + ": boot protocol " + std::to_string(h.version >> 8) + "." +
                     std::to_string(h.version & 0xff) +
                     " is too old (2.12 or later announces a 64-bit entry point)");
  const size_t header_end = hdr::kMagic + r.uint(hdr::kJump + 1, 1);
  // Every field up to init_size exists from protocol 2.10 on; a header that stops short of it
  // contradicts its own version.
  if (header_end < hdr::kInitSize + 4 || header_end > hdr::kLimit)
    throw InputError(name + ": setup header ends at " + hex(header_end) + ", expected between " +
                     hex(hdr::kInitSize + 4) + " and " + hex(hdr::kLimit));
  if (file.size() < header_end) throw InputError(name + ": truncated inside the setup header");

  h.setup_sects = static_cast<uint8_t>(r.uint(hdr::kSetupSects, 1));
  h.syssize = r.u32(hdr::kSyssize);
  h.loadflags = static_cast<uint8_t>(r.uint(hdr::kLoadflags, 1));
  h.initrd_addr_max = r.u32(hdr::kInitrdAddrMax);
  h.kernel_alignment = r.u32(hdr::kKernelAlignment);
  h.relocatable = r.uint(hdr::kRelocatableKernel, 1) != 0;
  h.min_alignment = static_cast<uint8_t>(r.uint(hdr::kMinAlignment, 1));
  h.xloadflags = r.u16(hdr::kXloadflags);
  h.cmdline_size = r.u32(hdr::kCmdlineSize);
  h.payload_offset = r.u32(hdr::kPayloadOffset);
  h.payload_length = r.u32(hdr::kPayloadLength);
  h.pref_address = r.u64(hdr::kPrefAddress);
  h.init_size = r.u32(hdr::kInitSize);

  if (!(h.loadflags & kLoadedHigh))
    throw InputError(name + ": not a bzImage (LOADED_HIGH is clear: a zImage loads at 0x10000)");
  if (!(h.xloadflags & kXlfKernel64))
    throw InputError(name + ": no 64-bit entry point (XLF_KERNEL_64 is clear in xloadflags)");
  if (h.relocatable &&
      (h.kernel_alignment == 0 || (h.kernel_alignment & (h.kernel_alignment - 1)) != 0))
    throw InputError(name + ": kernel_alignment " + hex(h.kernel_alignment) +
                     " is not a power of two");

  const uint64_t setup_size = (uint64_t{h.setup_sects ? h.setup_sects : 4u} + 1) * 512;
  if (file.size() <= setup_size)
    throw InputError(name + ": truncated: " + std::to_string(h.setup_sects) +
                     " setup sectors end at " + hex(setup_size) + " but the file has " +
                     hex(file.size()) + " bytes");
  const std::span<const uint8_t> pm = file.subspan(setup_size);
  // The build pads the protected-mode part to whole 16-byte units; allow for a build that counts
  // the last partial unit without padding it.
  if (uint64_t{h.syssize} * 16 > pm.size() + 15)
    throw InputError(name + ": truncated: syssize says " + hex(uint64_t{h.syssize} * 16) +
                     " bytes of protected-mode code, the file has " + hex(pm.size()));
  if (uint64_t{h.payload_offset} + h.payload_length > pm.size())
    throw InputError(name + ": truncated: the compressed payload ends at " +
                     hex(uint64_t{h.payload_offset} + h.payload_length) +
                     " but the protected-mode code has " + hex(pm.size()) + " bytes");
  if (h.init_size == 0) throw InputError(name + ": init_size is 0");

  return {h, file.subspan(hdr::kStart, header_end - hdr::kStart), pm};
}

}  // namespace styx::host::x86
