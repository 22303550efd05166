// SPDX-License-Identifier: GPL-2.0-only
// s390x purgatory entry. kexec's last step is a diag 0x308 reset that loads the 8-byte PSW it
// left at absolute 0: the purgatory starts in 31-bit addressing mode (ESA/390-compatibility mode
// on z/Architecture-only machines and qemu), DAT and interrupts off. sam64 switches to 64-bit
// addressing; it is harmless when a loader (qemu -kernel) started us in 64-bit mode already. The
// purgatory must therefore sit below 2 GiB.
  .section .text.entry, "ax"
  .globl _start
  .type _start, @function
_start:
  sam64
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

// int styx_s390x_service_call(uint32_t command, void* sccb): servc, then wait for the service
// signal that says the SCLP is done with the SCCB, as the kernel's early SCLP code does: only
// the service-signal subclass enabled in CR0, an enabled wait whose external new PSW resumes
// right after it with interrupts off again. The lowcore fields this touches are in the kernel
// segment, which is verified already: they are saved and put back. Returns the condition code.
  .globl styx_s390x_service_call
  .type styx_s390x_service_call, @function
styx_s390x_service_call:
  aghi %r15, -240
  stctg %c0, %c0, 160(%r15)
  mvc 168(8,%r15), 0x80(%r0)       // external parameter, CPU address, interruption code
  mvc 176(16,%r15), 0x130(%r0)     // external old PSW
  mvc 192(16,%r15), 0x1b0(%r0)     // external new PSW
  lg %r1, 160(%r15)
  nill %r1, 0                      // no other external subclass
  nilh %r1, 0xefff                 // no low-address protection: the lowcore is written below
  oill %r1, 0x200                  // service-signal subclass
  stg %r1, 208(%r15)
  lctlg %c0, %c0, 208(%r15)
  larl %r1, .Lentry_psw            // 64-bit addressing, interrupts off
  mvc 0x1b0(8,%r0), 0(%r1)
  larl %r1, 2f
  stg %r1, 0x1b8(%r0)
  xc 0x86(2,%r0), 0x86(%r0)
  .insn rre, 0xb2200000, %r2, %r3  // servc (gas has no mnemonic)
  ipm %r2
  srl %r2, 28
  ltr %r2, %r2
  jnz 3f
1:
  // An emulator that completes the call at once may present the signal already.
  clhhsi 0x86(%r0), 0x2401
  je 3f
  larl %r1, .Lservice_wait_mask
  mvc 216(8,%r15), 0(%r1)
  larl %r1, 2f
  stg %r1, 224(%r15)
  lpswe 216(%r15)
2:
  j 1b
3:
  mvc 0x80(8,%r0), 168(%r15)
  mvc 0x130(16,%r0), 176(%r15)
  mvc 0x1b0(16,%r0), 192(%r15)
  lctlg %c0, %c0, 160(%r15)
  aghi %r15, 240
  llgfr %r2, %r2
  br %r14
  .size styx_s390x_service_call, . - styx_s390x_service_call

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
// Enabled wait for external interrupts only: the wait bit, the external mask bit, 64-bit mode.
.Lservice_wait_mask:
  .quad 0x0102000180000000

  .section .note.GNU-stack, "", @progbits
