// SPDX-License-Identifier: GPL-2.0-only
// The two register sequences of fast-memory.cc that must run without a store in between: turning
// the identity map on, and cleaning the caches and turning it off again. Both are chosen by the
// exception level (x3 / x2: 1 or 2) the purgatory was entered at.

// x7 = the smallest D-cache line in bytes (CTR_EL0.DminLine), x8 = x7 - 1.
.macro dcache_line
  mrs x6, ctr_el0
  ubfx x6, x6, #16, #4
  mov x7, #4
  lsl x7, x7, x6
  sub x8, x7, #1
.endm

// `op` by VA to the point of coherency over x1 [begin, end) pairs at x0.
.macro dcache_ranges op
  mov x9, x0
  mov x10, x1
10:
  cbz x10, 13f
  ldp x11, x12, [x9], #16
  bic x11, x11, x8
11:
  cmp x11, x12
  b.hs 12f
  dc \op, x11
  add x11, x11, x7
  b 11b
12:
  sub x10, x10, #1
  b 10b
13:
.endm

  .text
// void styx_arm64_mmu_on(uint64_t ttbr0, uint64_t tcr, uint64_t mair, uint64_t el,
//                        const uint64_t* fresh, uint64_t fresh_count)
// `fresh` are ranges written with the MMU off (tables, stack, .bss): their lines are invalidated
// first, so neither the table walker nor a cached load can hit an older copy of them.
  .globl styx_arm64_mmu_on
  .type styx_arm64_mmu_on, %function
styx_arm64_mmu_on:
  mov x13, x0
  mov x14, x1
  mov x0, x4
  mov x1, x5
  dcache_line
  dcache_ranges ivac
  dsb sy
  mov x6, #0x1005  // SCTLR_ELx.M (0), C (2), I (12)
  cmp x3, #2
  b.eq 1f
  tlbi vmalle1
  dsb sy
  msr mair_el1, x2
  msr tcr_el1, x14
  msr ttbr0_el1, x13
  isb
  mrs x7, sctlr_el1
  orr x7, x7, x6
  msr sctlr_el1, x7
  isb
  ret
1:
  tlbi alle2
  dsb sy
  msr mair_el2, x2
  msr tcr_el2, x14
  msr ttbr0_el2, x13
  isb
  mrs x7, sctlr_el2
  orr x7, x7, x6
  msr sctlr_el2, x7
  isb
  ret
  .size styx_arm64_mmu_on, . - styx_arm64_mmu_on

// void styx_arm64_mmu_off(const uint64_t* ranges, uint64_t count, uint64_t el)
// Clean and invalidate every range mapped write-back, with the caches still on and no store
// until they are off, so memory then holds everything; MMU, D-cache and I-cache off; the same
// ranges once more for lines fetched speculatively before the caches went off (clean ones, so
// this drops them), then no stale TLB entry or instruction is left for the next kernel.
  .globl styx_arm64_mmu_off
  .type styx_arm64_mmu_off, %function
styx_arm64_mmu_off:
  dcache_line
  dcache_ranges civac
  dsb sy
  mov x6, #0x1005
  cmp x2, #2
  b.eq 1f
  mrs x5, sctlr_el1
  bic x5, x5, x6
  msr sctlr_el1, x5
  isb
  dcache_ranges civac
  dsb sy
  ic iallu
  tlbi vmalle1
  dsb sy
  isb
  ret
1:
  mrs x5, sctlr_el2
  bic x5, x5, x6
  msr sctlr_el2, x5
  isb
  dcache_ranges civac
  dsb sy
  ic iallu
  tlbi alle2
  dsb sy
  isb
  ret
  .size styx_arm64_mmu_off, . - styx_arm64_mmu_off

  .section .note.GNU-stack, "", %progbits
