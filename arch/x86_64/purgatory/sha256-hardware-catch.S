// SPDX-License-Identifier: GPL-2.0-only
// x86_64: runs a routine once under an IDT of the purgatory's own, so that a CPU whose CPUID
// claims SHA but which raises #UD on the instructions (a hypervisor's CPUID that lies) costs
// nothing but the answer: without it the exception goes through the old kernel's IDT, which is
// gone.
//
// int styx_x86_64_call_catching(const void* idtr, Sha256Blocks fn, uint32_t state[8],
//                               const uint8_t* data, size_t blocks)
//   Loads `idtr` (limit, base: gates built by sha256-hardware.cc, one per vector 0-31, each to
//   styx_x86_64_trap_stubs + 8 * vector), calls fn(state, data, blocks) and loads the old IDTR
//   again. Returns 0 when fn returned, 1 + the vector when it raised an exception.
//
// A stub pushes its vector and joins the common path, which drops the exception frame (and any
// error code) by going back to this function's stack pointer, and resumes here with RFLAGS as
// they were before the call: there is no IRET, so nothing of the faulting context survives.
  .section .styx.simd, "ax", @progbits

  .globl styx_x86_64_call_catching
  .type styx_x86_64_call_catching, @function
  .balign 16
styx_x86_64_call_catching:
  push %rbp
  mov %rsp, %rbp
  pushfq
  sub $24, %rsp
  sidt (%rsp)
  lidt (%rdi)
  mov %rsp, .Lsaved_rsp(%rip)
  mov %rsi, %rax
  mov %rdx, %rdi
  mov %rcx, %rsi
  mov %r8, %rdx
  call *%rax
  xor %eax, %eax
.Lresume:
  lidt (%rsp)
  add $24, %rsp
  popfq
  pop %rbp
  ret

.Lcaught:
  pop %rax
  inc %eax
  mov .Lsaved_rsp(%rip), %rsp
  jmp .Lresume
  .size styx_x86_64_call_catching, . - styx_x86_64_call_catching

  .globl styx_x86_64_trap_stubs
  .balign 8
styx_x86_64_trap_stubs:
  .irp vector, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
  .balign 8
  push $\vector
  jmp .Lcaught
  .endr

  .section .bss.styx_x86_64_catch, "aw", @nobits
  .balign 8
.Lsaved_rsp:
  .skip 8

  .section .note.GNU-stack, "", @progbits
