// SPDX-License-Identifier: GPL-2.0-only
// arm64: the segments are hashed with the MMU and caches on. With the MMU off every data access
// is Device-nGnRnE, uncached and one at a time, so hashing reads memory at a fraction of the rate
// the same loop gets from write-back cacheable memory. The map is an identity map in 1 GiB and
// 2 MiB blocks: Normal write-back over what the purgatory reads and writes (every segment, the
// purgatory and its log, each rounded out to 2 MiB, so RAM is assumed to be 2 MiB aligned, as
// firmware memory maps are), Device (never executable) over the rest of each 512 GiB region it
// touches, the console's included. Turning it back off cleans and invalidates all of that to the
// point of coherency, so the next kernel, entered with the MMU and D-cache off as
// Documentation/arch/arm64/booting.rst requires, reads exactly what was verified.
//
// This is purgatory/arch.h's fast_memory(), not part of _start or hand_off(): the map is built
// from the segment table and the console, which may only be read once styx_main() has checked
// the hand-off block, and the failure path then reports and resets with the caches off too.
#include "arch.h"

extern "C" char __styx_start[], __styx_end[];
extern "C" void styx_arm64_mmu_on(uint64_t ttbr0, uint64_t tcr, uint64_t mair, uint64_t el,
                                  const uint64_t* fresh, uint64_t fresh_count);
extern "C" void styx_arm64_mmu_off(const uint64_t* ranges, uint64_t count, uint64_t el);

namespace styx::arch {
namespace {

constexpr uint64_t kPage = 4096, kEntries = 512;
constexpr uint64_t k2M = 1ull << 21, k1G = 1ull << 30, k512G = 1ull << 39;
constexpr uint64_t kVaBits = 48;  // T0SZ 16: four levels of 4 KiB tables, from level 0
// One level-0 table, a level-1 table per 512 GiB touched and a level-2 table per 1 GiB that is
// only partly write-back: 21 tables map 16 GiB-spread images with room to spare.
constexpr uint64_t kTables = 21;
// The purgatory runs at any 32-byte aligned base, so no section may ask for page alignment: the
// pool is aligned at run time instead.
uint8_t table_pool[(kTables + 1) * kPage];

// Descriptor bits (Arm ARM D8.3, VMSAv8-64 stage 1, 4 KiB granule).
constexpr uint64_t kTableDesc = 3, kBlockDesc = 1, kTypeMask = 3;
constexpr uint64_t kAddrMask = 0x0000fffffffff000ull;
constexpr uint64_t kAttrNormal = 0 << 2, kAttrDevice = 1 << 2;  // MAIR indexes
constexpr uint64_t kInnerShareable = 3 << 8, kAccessFlag = 1 << 10;
constexpr uint64_t kAp1 = 1 << 6;  // RES1 in the EL2 regime without E2H; EL0 access otherwise
constexpr uint64_t kPxn = 1ull << 53, kXn = 1ull << 54;
// MAIR attribute 0: Normal, inner and outer write-back read/write-allocate; 1: Device-nGnRnE.
constexpr uint64_t kMair = 0xff;

// Write-back ranges as [begin, end) pairs, 2 MiB aligned and disjoint.
constexpr uint32_t kMaxRanges = kMaxSegments + 2;
uint64_t ranges[2 * kMaxRanges];
uint32_t range_count;
uint64_t mmu_el;  // the level the map was turned on at; 0 = off

struct Map {
  uint64_t* tables;
  uint64_t used = 0;
  uint64_t normal = 0, device = 0;

  uint64_t* new_table(uint64_t first, uint64_t step) {
    if (used == kTables) return nullptr;
    uint64_t* t = tables + used++ * kEntries;
    for (uint64_t i = 0; i < kEntries; ++i) t[i] = first + i * step;
    return t;
  }
  uint64_t* l1_for(uint64_t addr) {
    uint64_t& e = tables[(addr >> 39) % kEntries];
    if ((e & kTypeMask) != kTableDesc) {
      uint64_t* t = new_table((addr & ~(k512G - 1)) | device, k1G);
      if (!t) return nullptr;
      e = reinterpret_cast<uintptr_t>(t) | kTableDesc;
    }
    return reinterpret_cast<uint64_t*>(e & kAddrMask);
  }
  bool map_normal(uint64_t begin, uint64_t end) {
    for (uint64_t a = begin; a < end;) {
      uint64_t* l1 = l1_for(a);
      if (!l1) return false;
      uint64_t& e = l1[(a >> 30) % kEntries];
      const uint64_t gib = a & ~(k1G - 1);
      if (e == (gib | normal)) {
        a = gib + k1G;
        continue;
      }
      if (e == (gib | device) && a == gib && end - a >= k1G) {
        e = a | normal;
        a += k1G;
        continue;
      }
      if (e == (gib | device)) {
        uint64_t* t = new_table(gib | device, k2M);
        if (!t) return false;
        e = reinterpret_cast<uintptr_t>(t) | kTableDesc;
      }
      reinterpret_cast<uint64_t*>(e & kAddrMask)[(a >> 21) % kEntries] = a | normal;
      a += k2M;
    }
    return true;
  }
};

void add_range(uint64_t begin, uint64_t end) {
  begin &= ~(k2M - 1);
  end = (end + k2M - 1) & ~(k2M - 1);
  // Merged with every range it meets, so nothing is cleaned twice.
  for (uint32_t i = 0; i < range_count;) {
    uint64_t* r = &ranges[2 * i];
    if (begin <= r[1] && r[0] <= end) {
      begin = r[0] < begin ? r[0] : begin;
      end = r[1] > end ? r[1] : end;
      --range_count;
      r[0] = ranges[2 * range_count];
      r[1] = ranges[2 * range_count + 1];
      i = 0;
      continue;
    }
    ++i;
  }
  ranges[2 * range_count] = begin;
  ranges[2 * range_count + 1] = end;
  ++range_count;
}

uint64_t current_el() {
  uint64_t v;
  asm volatile("mrs %0, CurrentEL" : "=r"(v));
  return (v >> 2) & 3;
}

const char* turn_on(const Handoff& handoff) {
  const uint64_t el = current_el();
  if (el != 1 && el != 2) return "mmu: off while hashing (not entered at EL1 or EL2)";
  // With HCR_EL2.E2H set (VHE) the EL2 regime has EL1's register and descriptor formats.
  bool el1_format = el == 1;
  if (el == 2) {
    uint64_t hcr;
    asm volatile("mrs %0, hcr_el2" : "=r"(hcr));
    el1_format = (hcr >> 34) & 1;
  }

  range_count = 0;
  const uint64_t limit = 1ull << kVaBits;
  for (uint32_t i = 0; i < handoff.segment_count; ++i) {
    const Segment& s = handoff.segments[i];
    if (s.size == 0) continue;
    if (s.addr + s.size < s.addr || s.addr + s.size > limit - k2M)
      return "mmu: off while hashing (a segment lies beyond the 48-bit identity map)";
    add_range(s.addr, s.addr + s.size);
  }
  const uint64_t self_begin = reinterpret_cast<uintptr_t>(__styx_start);
  const uint64_t self_end = reinterpret_cast<uintptr_t>(__styx_end);
  add_range(self_begin, self_end);
  // main.cc attaches the log only when it wraps nothing; unattached, it is never written.
  const bool log_mapped = handoff.log_size &&
                          handoff.log_addr + handoff.log_size > handoff.log_addr &&
                          handoff.log_addr + handoff.log_size <= limit - k2M;
  if (log_mapped) add_range(handoff.log_addr, handoff.log_addr + handoff.log_size);
  const uint64_t console = handoff.console.base;
  const bool mmio_console = handoff.console.kind != static_cast<uint32_t>(ConsoleKind::kNone);
  if (mmio_console) {
    if (console >= limit) return "mmu: off while hashing (the console lies beyond the map)";
    for (uint32_t i = 0; i < range_count; ++i)
      if (console >= ranges[2 * i] && console < ranges[2 * i + 1])
        return "mmu: off while hashing (the console lies within 2 MiB of a segment)";
  }

  uint64_t mmfr0;
  asm volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
  uint64_t pa_range = mmfr0 & 0xf;  // 0..6: 32, 36, 40, 42, 44, 48, 52 bits
  if (pa_range > 5) pa_range = 5;   // output addresses beyond 48 bits are never mapped
  constexpr uint8_t kPaBits[] = {32, 36, 40, 42, 44, 48};
  for (uint32_t i = 0; i < range_count; ++i)
    if (ranges[2 * i + 1] > (1ull << kPaBits[pa_range]))
      return "mmu: off while hashing (a segment lies beyond the CPU's physical addresses)";

  Map map;
  const uintptr_t pool = reinterpret_cast<uintptr_t>(table_pool);
  map.tables = reinterpret_cast<uint64_t*>((pool + kPage - 1) & ~(kPage - 1));
  map.normal = kBlockDesc | kAccessFlag | kInnerShareable | kAttrNormal | (el1_format ? 0 : kAp1);
  map.device = kBlockDesc | kAccessFlag | kAttrDevice | kXn | (el1_format ? kPxn : kAp1);
  map.new_table(0, 0);  // level 0: all invalid
  for (uint32_t i = 0; i < range_count; ++i)
    if (!map.map_normal(ranges[2 * i], ranges[2 * i + 1]))
      return "mmu: off while hashing (too many regions for the page-table pool)";
  if (mmio_console && !map.l1_for(console))
    return "mmu: off while hashing (too many regions for the page-table pool)";

  // T0SZ 16, walks inner/outer write-back and inner shareable, 4 KiB granule; EL1's layout has
  // IPS at 32 and TTBR1 walks to disable (EPD1), the EL2 layout PS at 16 and RES1 bits 23, 31.
  constexpr uint64_t kWalk = (64 - kVaBits) | 1 << 8 | 1 << 10 | 3 << 12;
  const uint64_t tcr =
      el1_format ? kWalk | 1 << 23 | pa_range << 32 : kWalk | pa_range << 16 | 1 << 23 | 1ull << 31;
  // Written with the MMU off so far: .bss (the tables), the stack and the log.
  const uint64_t fresh[4] = {self_begin, self_end, handoff.log_addr,
                             handoff.log_addr + handoff.log_size};
  styx_arm64_mmu_on(reinterpret_cast<uintptr_t>(map.tables), tcr, kMair, el, fresh,
                    log_mapped ? 2 : 1);
  mmu_el = el;
  return el == 1 ? "mmu: on for hashing at EL1 (identity map, caches write-back)"
                 : "mmu: on for hashing at EL2 (identity map, caches write-back)";
}

}  // namespace

const char* fast_memory(const Handoff& handoff, bool on) {
  if (on) return turn_on(handoff);
  if (mmu_el) styx_arm64_mmu_off(ranges, range_count, mmu_el);
  mmu_el = 0;
  return nullptr;
}

}  // namespace styx::arch
