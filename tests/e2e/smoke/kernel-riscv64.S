// SPDX-License-Identifier: GPL-2.0-only
// A stand-in "next kernel" for the riscv64 smoke test, placed as a raw segment at the image entry.
// It prints its boot register a1 through the SBI legacy console ("e2e-kernel: started,
// a1=0x...") and shuts down with SBI SRST. Every SBI has the legacy call; OpenSBI 1.1 has no DBCN.
  .text
  .globl _start
_start:
  mv s1, a1
  lla s2, msg
  call puts
  li s3, 16
1:srli t0, s1, 60
  slli s1, s1, 4
  lla t1, hexdigits
  add t1, t1, t0
  lbu a0, 0(t1)
  call putc
  addi s3, s3, -1
  bnez s3, 1b
  lla s2, nl
  call puts
  li a7, 0x53525354      // SRST
  li a6, 0
  li a0, 0               // shutdown
  li a1, 0
  ecall
2:wfi
  j 2b

puts:                    // s2: string; clobbers a0, s2, s4
  mv s4, ra
1:lbu a0, 0(s2)
  beqz a0, 2f
  call putc
  addi s2, s2, 1
  j 1b
2:jr s4

putc:                    // a0: byte
  li a7, 1               // legacy console_putchar
  li a6, 0
  ecall
  ret

msg: .asciz "e2e-kernel: started, a1=0x"
nl: .asciz "\r\n"
hexdigits: .ascii "0123456789abcdef"
