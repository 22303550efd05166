// SPDX-License-Identifier: GPL-2.0-only
// A stand-in "next kernel" for the x86_64 smoke test, placed as a raw segment at the image entry.
// It prints its boot register on COM1 ("e2e-kernel: started, rsi=0x...") and ends qemu through
// the isa-debug-exit device at port 0xf4 (qemu exits with status (0x10 << 1) | 1 = 33).
  .code64
  .text
  .globl _start
_start:
  mov %rsi, %rbx
  lea stack_top(%rip), %rsp
  lea msg(%rip), %rsi
  call puts
  mov $16, %ecx
1:rol $4, %rbx
  mov %ebx, %eax
  and $15, %eax
  lea hexdigits(%rip), %rsi
  movzbl (%rsi,%rax), %eax
  call putc
  loop 1b
  lea nl(%rip), %rsi
  call puts
  mov $0x10, %al
  out %al, $0xf4
2:cli
  hlt
  jmp 2b

puts:
  lodsb
  test %al, %al
  jz 1f
  call putc
  jmp puts
1:ret

putc:
  mov %al, %ah
  mov $0x3fd, %dx
1:in %dx, %al
  test $0x20, %al
  jz 1b
  mov $0x3f8, %dx
  mov %ah, %al
  out %al, %dx
  ret

msg: .asciz "e2e-kernel: started, rsi=0x"
nl: .asciz "\r\n"
hexdigits: .ascii "0123456789abcdef"
  .balign 16
  .skip 256             // a stack of its own, inside the segment
stack_top:
  .section .note.GNU-stack, "", @progbits
