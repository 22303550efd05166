// SPDX-License-Identifier: GPL-2.0-only
// x86_64 purgatory entry. kexec leaves us in 64-bit mode with an identity map and nothing else we
// can rely on: no usable stack, GDT or segment registers.
  .section .text.entry, "ax"
  .globl _start
  .type _start, @function
_start:
  cli
  cld
  lea __styx_stack_top(%rip), %rsp

  // Our own GDT, laid out as the Linux boot protocol wants it at the hand-off:
  // __BOOT_CS = 0x10 (flat 64-bit code), __BOOT_DS = 0x18 (flat data).
  lea gdt(%rip), %rax
  sub $16, %rsp
  movw $(gdt_end - gdt - 1), (%rsp)
  mov %rax, 2(%rsp)
  lgdt (%rsp)
  add $16, %rsp
  mov $0x18, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  mov %eax, %fs
  mov %eax, %gs
  lea 1f(%rip), %rax
  pushq $0x10
  push %rax
  lretq
1:
  lea __bss_start(%rip), %rdi
  lea __bss_end(%rip), %rcx
  sub %rdi, %rcx
  xor %eax, %eax
  rep stosb
  call styx_main
2:
  hlt
  jmp 2b
  .size _start, . - _start

// void styx_x86_64_enter(uint64_t entry, uint64_t boot_params): rsi already holds boot_params.
  .globl styx_x86_64_enter
  .type styx_x86_64_enter, @function
styx_x86_64_enter:
  push %rdi
  xor %eax, %eax
  xor %ebx, %ebx
  xor %ecx, %ecx
  xor %edx, %edx
  xor %edi, %edi
  xor %ebp, %ebp
  xor %r8d, %r8d
  xor %r9d, %r9d
  xor %r10d, %r10d
  xor %r11d, %r11d
  xor %r12d, %r12d
  xor %r13d, %r13d
  xor %r14d, %r14d
  xor %r15d, %r15d
  ret
  .size styx_x86_64_enter, . - styx_x86_64_enter

  // The accessed bits (type 0x9b, 0x93) are set already: the CPU would set them when the segment
  // registers are loaded, a write into the purgatory's loaded bytes before the seal is checked.
  .section .rodata.gdt, "a"
  .balign 16
gdt:
  .quad 0
  .quad 0
  .quad 0x00af9b000000ffff
  .quad 0x00cf93000000ffff
gdt_end:

  .section .note.GNU-stack, "", @progbits
