// SPDX-License-Identifier: GPL-2.0-only
// A stand-in "next kernel" for the arm64 smoke test, placed as a raw segment at the image entry.
// It prints its boot register on the PL011 at 0x9000000 ("e2e-kernel: started, x0=0x...") and
// powers off with PSCI SYSTEM_OFF over hvc. Runs with the MMU off: byte accesses only.
  .text
  .globl _start
_start:
  mov x19, x0
  mov x20, #0x9000000
  adr x21, msg
  bl puts
  mov x22, #16
1:ror x19, x19, #60
  and x0, x19, #15
  adr x1, hexdigits
  ldrb w0, [x1, x0]
  bl putc
  subs x22, x22, #1
  b.ne 1b
  adr x21, nl
  bl puts
  movz x0, #0x8400, lsl #16
  movk x0, #0x0008       // PSCI SYSTEM_OFF
  hvc #0
2:wfi
  b 2b

puts:                    // x21: string; clobbers x0, x21
  mov x23, x30
1:ldrb w0, [x21], #1
  cbz w0, 2f
  bl putc
  b 1b
2:ret x23

putc:                    // w0: byte
  ldr w1, [x20, #0x18]   // UARTFR
  tbnz w1, #5, putc      // TXFF
  strb w0, [x20]
  ret

msg: .asciz "e2e-kernel: started, x0=0x"
nl: .asciz "\r\n"
hexdigits: .ascii "0123456789abcdef"
