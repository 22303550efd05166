// SPDX-License-Identifier: GPL-2.0-only
// A Styx image as kexec_load(2) takes it: page-aligned segments and the purgatory's entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "image.h"

namespace styx::host {

/// struct kexec_segment, with the bytes it points at and what it holds (for messages).
struct KexecSegment {
  std::vector<uint8_t> buf;  ///< may be shorter than memsz: the kernel zeroes the rest
  uint64_t mem = 0;          ///< page-aligned physical address
  uint64_t memsz = 0;        ///< a multiple of the page size
  std::string contents;      ///< "kernel", "boot_params", "SETUP_IMA node + ima", ...
};

struct KexecPlan {
  std::vector<KexecSegment> segments;  ///< sorted by address, disjoint
  uint64_t entry = 0;                  ///< the purgatory's entry
};

/// KEXEC_SEGMENT_MAX in the kernel's uapi.
inline constexpr size_t kKexecSegmentMax = 16;

/// Every image segment and the purgatory (with its .bss, stack and log) as kexec segments:
/// each piece is widened to whole pages, and pieces that share a page become one segment, the
/// gaps between them zero. InputError when `page_size` is not a power of two or more than
/// kKexecSegmentMax segments would be needed.
KexecPlan plan_kexec(const Image& image, uint64_t page_size);

/// Recomputes, from the bytes `plan` would hand to the kernel, the SHA-256 of every segment of
/// `image` and compares it with the digest its hand-off block records (and the purgatory with
/// the image's), so a mismatch is refused before the system call rather than found by the
/// purgatory after the reboot. DigestMismatch "NAME: segment I (ROLE) ADDR+SIZE: ..." otherwise.
void check_kexec_digests(const KexecPlan& plan, const Image& image, const std::string& name);

/// The segment array as `styx load --dry-run` prints it: one line per segment (buffer size,
/// address, memory size, contents) and the entry.
std::string format_kexec_plan(const KexecPlan& plan);

}  // namespace styx::host
