// SPDX-License-Identifier: GPL-2.0-only
// riscv64: runs each Zknh instruction once with a trap vector of its own, so that a CPU whose
// device tree claims Zknh but which traps on it costs nothing but the answer.
//
// int styx_riscv64_zknh_probe(uint32_t x, uint32_t out[4])
//   a0 = x; out = sha256sum0(x), sha256sum1(x), sha256sig0(x), sha256sig1(x).
//   Returns 0 when all four ran, 1 when one trapped (its out word is then meaningless).
//
// The purgatory runs in S-mode with interrupts off (sstatus.SIE = 0), so the only trap here is an
// illegal instruction, delivered to stvec by the CPU or redirected there by the SBI firmware.
// The handler notes it and resumes after the 4-byte instruction with a jump: an sret would also
// do, but a jump leaves the privilege level alone whatever sstatus.SPP says. stvec is put back
// before returning.
  .section .styx.simd, "ax", @progbits
  .option push
  .option arch, +zknh
  .globl styx_riscv64_zknh_probe
  .type styx_riscv64_zknh_probe, @function
  .balign 4
styx_riscv64_zknh_probe:
  csrr t0, stvec
  lla t1, 1f
  csrw stvec, t1
  li t2, 0
  sha256sum0 t3, a0
  sw t3, 0(a1)
  sha256sum1 t3, a0
  sw t3, 4(a1)
  sha256sig0 t3, a0
  sw t3, 8(a1)
  sha256sig1 t3, a0
  sw t3, 12(a1)
  csrw stvec, t0
  mv a0, t2
  ret
  .balign 4
1:
  li t2, 1
  csrr t4, sepc
  addi t4, t4, 4
  jr t4
  .size styx_riscv64_zknh_probe, . - styx_riscv64_zknh_probe
  .option pop

  .section .note.GNU-stack, "", @progbits
