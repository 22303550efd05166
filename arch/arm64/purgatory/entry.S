// SPDX-License-Identifier: GPL-2.0-only
// arm64 purgatory entry. kexec enters at EL2 or EL1 with the MMU and data cache off; they stay off
// except while the segments are hashed (fast-memory.cc), so the hand-off is in the state the
// Linux arm64 boot protocol wants.
  .section .text.entry, "ax"
  .globl _start
  .type _start, %function
_start:
  msr daifset, #0xf
  adr x0, __styx_stack_top
  mov sp, x0
  adr x0, __bss_start
  adr x1, __bss_end
1:
  cmp x0, x1
  b.hs 2f
  strb wzr, [x0], #1
  b 1b
2:
  bl styx_main
3:
  wfi
  b 3b
  .size _start, . - _start

// void styx_arm64_enter(uint64_t entry, uint64_t dtb): x0 = dtb, x1-x3 = 0, as the kernel's
// booting rules require.
  .globl styx_arm64_enter
  .type styx_arm64_enter, %function
styx_arm64_enter:
  mov x4, x0
  mov x0, x1
  mov x1, xzr
  mov x2, xzr
  mov x3, xzr
  br x4
  .size styx_arm64_enter, . - styx_arm64_enter

  .section .note.GNU-stack, "", %progbits
