// SPDX-License-Identifier: GPL-2.0-only
// riscv64: Zknh (sha256-hardware-zknh.cc) when the device tree says every hart has it and the
// instructions then run and compute what they should. S-mode has no feature register to read:
// the tree is the one the next kernel gets (boot argument a1), read only inside the segment Styx
// placed it in and with every offset checked, since nothing has verified it yet. A tree that
// claims Zknh on a CPU that traps on it costs a probe under the purgatory's own trap vector
// (sha256-hardware-probe.S), never the verification.
#include "arch.h"
#include "sha256-ops.h"

extern styx::Handoff styx_handoff;

extern "C" void styx_sha256_blocks_zknh(uint32_t state[8], const uint8_t* data, size_t blocks);
extern "C" int styx_riscv64_zknh_probe(uint32_t x, uint32_t out[4]);

namespace styx::arch {
namespace {

constexpr uint32_t kFdtMagic = 0xd00dfeed;
constexpr uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;

uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

bool equal(const char* a, size_t n, const char* b) {
  size_t i = 0;
  for (; i < n && b[i]; ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return i == n && !b[i];
}

// Zknh, or the sets that include it: Zkn (NIST suite) and Zk.
bool names_zknh(const char* ext, size_t n) {
  return equal(ext, n, "zknh") || equal(ext, n, "zkn") || equal(ext, n, "zk");
}

// riscv,isa: "rv64imac_zicsr_zknh": multi-letter extensions after underscores.
bool isa_string_has_zknh(const char* s, size_t n) {
  size_t start = 0;
  for (size_t i = 0; i <= n; ++i) {
    if (i == n || s[i] == '_' || s[i] == '\0') {
      if (start > 0 && names_zknh(s + start, i - start)) return true;
      start = i + 1;
      if (i < n && s[i] == '\0') break;
    }
  }
  return false;
}

// riscv,isa-extensions: a string list, one extension each.
bool extension_list_has_zknh(const char* s, size_t n) {
  size_t start = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] != '\0') continue;
    if (names_zknh(s + start, i - start)) return true;
    start = i + 1;
  }
  return false;
}

// The tree's bytes: inside a segment with the dtb role, so they are memory Styx placed.
const uint8_t* find_tree(size_t& limit) {
  const uint64_t dtb = styx_handoff.boot_args[1];
  for (uint32_t i = 0; i < styx_handoff.segment_count && i < kMaxSegments; ++i) {
    const Segment& s = styx_handoff.segments[i];
    if (s.role != static_cast<uint32_t>(Role::kDtb) || dtb < s.addr || dtb - s.addr >= s.size)
      continue;
    limit = static_cast<size_t>(s.size - (dtb - s.addr));
    return reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(dtb));
  }
  return nullptr;
}

// What the cpu nodes (/cpus/*, device_type "cpu") say: nullptr when all of them, at least one,
// name Zknh; otherwise why not.
const char* tree_lacks_zknh() {
  size_t limit = 0;
  const uint8_t* fdt = find_tree(limit);
  if (!fdt) return "no device tree segment at boot argument a1";
  if (limit < 40 || be32(fdt) != kFdtMagic) return "no device tree at boot argument a1";
  const uint32_t total = be32(fdt + 4), off_struct = be32(fdt + 8), off_strings = be32(fdt + 12);
  const uint32_t size_strings = be32(fdt + 32), size_struct = be32(fdt + 36);
  if (total > limit || off_struct > total || size_struct > total - off_struct ||
      off_strings > total || size_strings > total - off_strings || (off_struct & 3))
    return "the device tree's header is out of bounds";
  const uint8_t* p = fdt + off_struct;
  const uint8_t* const end = p + size_struct;
  const char* strings = reinterpret_cast<const char*>(fdt + off_strings);
  int depth = 0;
  bool in_cpus = false, is_cpu = false, has_zknh = false;
  unsigned cpus = 0, with_zknh = 0;
  while (end - p >= 4) {
    const uint32_t token = be32(p);
    p += 4;
    if (token == kBeginNode) {
      const uint8_t* name = p;
      while (p < end && *p) ++p;
      if (p == end) return "the device tree is malformed";
      const size_t len = static_cast<size_t>(p - name);
      p = name + ((len + 1 + 3) & ~size_t{3});
      if (p > end) return "the device tree is malformed";
      ++depth;
      if (depth == 2) in_cpus = equal(reinterpret_cast<const char*>(name), len, "cpus");
      if (depth == 3) is_cpu = has_zknh = false;
    } else if (token == kEndNode) {
      if (depth == 3 && in_cpus && is_cpu) {
        ++cpus;
        with_zknh += has_zknh;
      }
      if (--depth < 0) return "the device tree is malformed";
    } else if (token == kProp) {
      if (end - p < 8) return "the device tree is malformed";
      const uint32_t len = be32(p), name_off = be32(p + 4);
      p += 8;
      if (len > static_cast<size_t>(end - p) || name_off >= size_strings)
        return "the device tree is malformed";
      const char* value = reinterpret_cast<const char*>(p);
      p += (len + 3) & ~uint32_t{3};
      if (p > end) p = end;
      if (depth != 3 || !in_cpus) continue;
      const char* name = strings + name_off;
      const size_t room = size_strings - name_off;
      const auto is = [&](const char* want) {
        size_t i = 0;
        for (; i < room && want[i] && name[i] == want[i]; ++i) {
        }
        return i < room && !want[i] && !name[i];
      };
      if (is("device_type")) is_cpu = equal(value, len ? len - 1 : 0, "cpu");
      if (is("riscv,isa") && isa_string_has_zknh(value, len)) has_zknh = true;
      if (is("riscv,isa-extensions") && extension_list_has_zknh(value, len)) has_zknh = true;
    } else if (token == kEnd) {
      break;
    } else if (token != kNop) {
      return "the device tree is malformed";
    }
  }
  if (cpus == 0) return "the device tree has no cpu nodes";
  if (with_zknh < cpus) return "riscv,isa of the cpu nodes lacks zknh";
  return nullptr;
}

}  // namespace

Sha256Hardware sha256_hardware() {
  Sha256Hardware hw{.name = "zknh"};
  if (const char* why = tree_lacks_zknh()) {
    hw.why_not = why;
    return hw;
  }
  constexpr uint32_t x = 0x6a09e667;
  uint32_t out[4] = {};
  if (styx_riscv64_zknh_probe(x, out) != 0) {
    hw.why_not = "the device tree claims zknh, but its instructions trap";
    return hw;
  }
  if (out[0] != Sha256Ops::S0(x) || out[1] != Sha256Ops::S1(x) || out[2] != Sha256Ops::s0(x) ||
      out[3] != Sha256Ops::s1(x)) {
    hw.why_not = "the device tree claims zknh, but its instructions compute wrongly";
    return hw;
  }
  hw.blocks = styx_sha256_blocks_zknh;
  return hw;
}

}  // namespace styx::arch
