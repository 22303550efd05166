// SPDX-License-Identifier: GPL-2.0-only
// riscv64 purgatory entry. kexec enters in S-mode with the MMU off (satp = 0); we keep it off,
// which is also what the Linux RISC-V boot protocol wants at the hand-off.
  .section .text.entry, "ax"
  .globl _start
  .type _start, @function
_start:
  // sstatus.SIE: no interrupts. M-mode (as under an emulator) sees the same bit through sstatus.
  csrci sstatus, 2
  lla sp, __styx_stack_top
  lla t0, __bss_start
  lla t1, __bss_end
1:
  bgeu t0, t1, 2f
  sb zero, 0(t0)
  addi t0, t0, 1
  j 1b
2:
  call styx_main
3:
  wfi
  j 3b
  .size _start, . - _start

// void styx_riscv64_enter(uint64_t entry, uint64_t hart, uint64_t dtb): a0 = hart id, a1 = dtb,
// every other general register zero, so nothing of the purgatory leaks into the next kernel.
  .globl styx_riscv64_enter
  .type styx_riscv64_enter, @function
styx_riscv64_enter:
  mv t6, a0
  mv a0, a1
  mv a1, a2
  li ra, 0
  li sp, 0
  li gp, 0
  li tp, 0
  li t0, 0
  li t1, 0
  li t2, 0
  li s0, 0
  li s1, 0
  li a2, 0
  li a3, 0
  li a4, 0
  li a5, 0
  li a6, 0
  li a7, 0
  li s2, 0
  li s3, 0
  li s4, 0
  li s5, 0
  li s6, 0
  li s7, 0
  li s8, 0
  li s9, 0
  li s10, 0
  li s11, 0
  li t3, 0
  li t4, 0
  li t5, 0
  jr t6
  .size styx_riscv64_enter, . - styx_riscv64_enter

  .section .note.GNU-stack, "", @progbits
