// SPDX-License-Identifier: GPL-2.0-only
// qemu-system-ppc64 -machine pseries stand-ins for SLOF, assembled big-endian as firmware runs.
//
// .text is the -bios image: qemu loads it at 0 and starts CPU 0 at 0x100 in 64-bit big-endian
// real mode with MSR[HV] clear, as a guest under the hypervisor. It enters a Styx image the way
// kexec leaves a pseries guest: the purgatory's entry (the doubleword the e2e test stores at
// 0x1000 with a `-device loader,data=...`) in little-endian real mode.
//
// .rtas is an RTAS instance for a tree that names it in /rtas (linux,rtas-base/-entry), as SLOF
// would instantiate it: qemu implements RTAS behind its private H_RTAS hypercall (0xf000).
  .section .text, "ax"
  .org 0x100
  li 4, 0x1000
  ld 4, 0(4)
  mtsrr0 4
  mfmsr 5
  ori 5, 5, 1  // MSR[LE]
  mtsrr1 5
  rfid

  .section .rtas, "ax"
  mr 4, 3  // the RTAS argument buffer
  li 3, 0
  ori 3, 3, 0xf000
  sc 1
  blr
