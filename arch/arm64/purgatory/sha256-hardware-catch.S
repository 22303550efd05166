// SPDX-License-Identifier: GPL-2.0-only
// arm64: runs a routine once under an exception vector of the purgatory's own, so that a CPU
// whose ID_AA64ISAR0_EL1 claims SHA2 but which takes the instructions as undefined costs nothing
// but the answer (the exception would otherwise go to the old kernel's vectors, which are gone).
//
// int styx_arm64_call_catching(uint8_t area[4096], Sha256Blocks fn, uint32_t state[8],
//                              const uint8_t* data, size_t blocks, uint64_t* esr)
//   Calls fn(state, data, blocks) with VBAR_ELx (x = the level the purgatory runs at, 1 or 2)
//   pointing at a table built in `area`. Returns 0 when fn returned; 1 when it took an exception,
//   with that level's ESR_ELx in *esr. VBAR_ELx is put back before returning either way.
//
// The table must be 2 KiB aligned and the purgatory may be loaded at any address, so it is built
// at run time: 16 copies of one position-independent entry at the first 2 KiB boundary in
// `area`. The entry does what a return from the handler needs and nothing else: ELR_ELx = the
// resume label (held in x19, which fn as an AAPCS64 routine keeps, and which the arm64 routine
// never touches), ERET. The ERET restores PSTATE as the exception found it: the same stack
// pointer selection and, since the purgatory runs with interrupts masked, the same DAIF.
  .section .styx.simd, "ax", %progbits

  .p2align 2
.Lentry:
  mrs x9, CurrentEL
  cmp x9, #8
  b.eq 1f
  mrs x9, esr_el1
  msr elr_el1, x19
  eret
1:
  mrs x9, esr_el2
  msr elr_el2, x19
  eret
.Lentry_end:

  .globl styx_arm64_call_catching
  .type styx_arm64_call_catching, %function
  .p2align 2
styx_arm64_call_catching:
  stp x29, x30, [sp, #-48]!
  mov x29, sp
  stp x19, x20, [sp, #16]
  stp x21, x22, [sp, #32]
  mov x21, x5
  add x22, x0, #2047
  and x22, x22, #~2047

  // Sixteen entries of 128 bytes: every kind of exception from every origin resumes the same way.
  mov x9, x22
  mov x11, #16
2:
  adr x10, .Lentry
  mov x12, x9
3:
  ldr w13, [x10], #4
  str w13, [x12], #4
  adr x14, .Lentry_end
  cmp x10, x14
  b.ne 3b
  add x9, x9, #128
  subs x11, x11, #1
  b.ne 2b

  // The entries were written as data: clean them to the point of unification and drop any stale
  // instructions before the CPU may fetch them (16 bytes, the smallest line the architecture
  // allows, so no CTR_EL0 read is needed).
  mov x9, x22
  mov x11, #128
4:
  dc cvau, x9
  add x9, x9, #16
  subs x11, x11, #1
  b.ne 4b
  dsb ish
  ic iallu
  dsb ish
  isb

  mrs x9, CurrentEL
  cmp x9, #8
  b.eq 5f
  mrs x20, vbar_el1
  msr vbar_el1, x22
  b 6f
5:
  mrs x20, vbar_el2
  msr vbar_el2, x22
6:
  isb

  adr x19, .Ltrapped
  mov x9, x1
  mov x0, x2
  mov x1, x3
  mov x2, x4
  blr x9
  mov x0, #0
  b .Lrestore
.Ltrapped:
  str x9, [x21]
  mov x0, #1
.Lrestore:
  // After an exception the stack pointer is fn's; x29 is still this frame's.
  mov sp, x29
  mrs x9, CurrentEL
  cmp x9, #8
  b.eq 7f
  msr vbar_el1, x20
  b 8f
7:
  msr vbar_el2, x20
8:
  isb
  ldp x21, x22, [sp, #32]
  ldp x19, x20, [sp, #16]
  ldp x29, x30, [sp], #48
  ret
  .size styx_arm64_call_catching, . - styx_arm64_call_catching

  .section .note.GNU-stack, "", %progbits
