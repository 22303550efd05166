// SPDX-License-Identifier: GPL-2.0-only
// ppc64le purgatory entry. kexec enters in 64-bit real mode (MSR[IR]=MSR[DR]=0), little-endian,
// at any address: everything here is PC-relative, including the TOC pointer C++ code needs.
  .section .text.entry, "ax"
  .globl _start
  .type _start, @function
_start:
  // External interrupts off: the previous kernel's decrementer or IPIs must not reach vectors
  // it no longer owns.
  mfmsr 0
  li 9, 0
  ori 9, 9, 0x8000
  andc 0, 0, 9
  mtmsrd 0, 1
  bl 1f
1:
  mflr 12
  addis 2, 12, (.TOC. - 1b)@ha
  addi 2, 2, (.TOC. - 1b)@l
  addis 1, 12, (__styx_stack_top - 1b)@ha
  addi 1, 1, (__styx_stack_top - 1b)@l
  // ELFv2: a back-chain word of zero ends unwinding; the callee may use 32 bytes above r1.
  li 0, 0
  stdu 0, -32(1)
  addis 3, 12, (__bss_start - 1b)@ha
  addi 3, 3, (__bss_start - 1b)@l
  addis 4, 12, (__bss_end - 1b)@ha
  addi 4, 4, (__bss_end - 1b)@l
2:
  cmpld 3, 4
  bge 3f
  stb 0, 0(3)
  addi 3, 3, 1
  b 2b
3:
  bl styx_main
  nop
4:
  or 1, 1, 1
  .long 0x7c00007c  // wait
  b 4b
  .size _start, . - _start

// void styx_ppc64le_enter(uint64_t entry, uint64_t dtb, uint64_t kernel_base): r3 = dtb,
// r4 = kernel base, r5 = 0 (the ppc64 kexec boot protocol), other GPRs zero except r1.
  .globl styx_ppc64le_enter
  .type styx_ppc64le_enter, @function
styx_ppc64le_enter:
  mtctr 3
  mr 3, 4
  mr 4, 5
  li 0, 0
  li 2, 0
  li 5, 0
  li 6, 0
  li 7, 0
  li 8, 0
  li 9, 0
  li 10, 0
  li 11, 0
  li 12, 0
  li 13, 0
  li 14, 0
  li 15, 0
  li 16, 0
  li 17, 0
  li 18, 0
  li 19, 0
  li 20, 0
  li 21, 0
  li 22, 0
  li 23, 0
  li 24, 0
  li 25, 0
  li 26, 0
  li 27, 0
  li 28, 0
  li 29, 0
  li 30, 0
  li 31, 0
  bctr
  .size styx_ppc64le_enter, . - styx_ppc64le_enter

  .section .note.GNU-stack, "", @progbits
