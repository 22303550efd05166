// s390x purgatory entry. kexec enters in 64-bit addressing mode with DAT off; we keep it that way,
// which is also what the kernel expects at its entry.
  .section .text.entry, "ax"
  .globl _start
  .type _start, @function
_start:
  larl %r15, __styx_stack_top
  aghi %r15, -160
  // The ABI's register save area doubles as scratch for the old system mask.
  stnsm 0(%r15), 0xfc
  xc 0(8,%r15), 0(%r15)
  larl %r2, __bss_start
  larl %r3, __bss_end
1:
  clgr %r2, %r3
  jhe 2f
  mvi 0(%r2), 0
  la %r2, 1(%r2)
  j 1b
2:
  brasl %r14, styx_main
  brasl %r14, styx_s390x_halt
  .size _start, . - _start

// Disabled wait: the wait bit with I/O, external and machine-check interrupts masked, so nothing
// can wake the CPU. The PSW's address is the instruction after lpswe; a CPU that leaves the wait
// anyway (an emulator) loops back into it.
  .globl styx_s390x_halt
  .type styx_s390x_halt, @function
styx_s390x_halt:
  larl %r1, .Lwait_psw
  larl %r2, 3f
  stg %r2, 8(%r1)
  lpswe 0(%r1)
3:
  j styx_s390x_halt
  .size styx_s390x_halt, . - styx_s390x_halt

// void styx_s390x_enter(uint64_t entry, uint64_t boot_data): the kernel is entered through a
// 64-bit PSW with DAT and interrupts off, r2 = the boot data's address (Linux reads its parameter
// area and ignores r2; other payloads may use it) and every other general register zero. The PSW goes to absolute 0 (the IPL PSW slot,
// which the kernel's own kexec path also uses) so that lpswe needs no base register.
  .globl styx_s390x_enter
  .type styx_s390x_enter, @function
styx_s390x_enter:
  larl %r1, .Lentry_psw
  mvc 0(8,%r0), 0(%r1)
  stg %r2, 8(%r0)
  lgr %r2, %r3
  lghi %r1, 0
  lghi %r3, 0
  lghi %r4, 0
  lghi %r5, 0
  lghi %r6, 0
  lghi %r7, 0
  lghi %r8, 0
  lghi %r9, 0
  lghi %r10, 0
  lghi %r11, 0
  lghi %r12, 0
  lghi %r13, 0
  lghi %r14, 0
  lghi %r15, 0
  lpswe 0(%r0)
  .size styx_s390x_enter, . - styx_s390x_enter

  .section .data
  .balign 8
.Lwait_psw:
  .quad 0x0002000180000000, 0
  .section .rodata
  .balign 8
.Lentry_psw:
  .quad 0x0000000180000000

  .section .note.GNU-stack, "", @progbits
