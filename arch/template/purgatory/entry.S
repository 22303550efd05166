// SPDX-License-Identifier: GPL-2.0-only
// Template: the purgatory's entry point. Copy arch/template/ to arch/<isa>/ and write this in the
// ISA's assembly (see arch/arm64/purgatory/entry.S for a small one). It must:
//   1. mask interrupts (kexec enters with them masked; make sure),
//   2. point the stack pointer at __styx_stack_top (16-byte aligned, in .stack),
//   3. zero __bss_start .. __bss_end with plain stores (no FP/SIMD registers),
//   4. call styx_main() (it never returns; halt if it does),
// and provide the hand-off routine that arch.cc calls: load the Linux boot registers, clear the
// other general registers, jump to the entry. Everything must be PC-relative: the purgatory runs
// at whatever address the host picks.
#ifndef STYX_TEMPLATE_COMPILE_CHECK
#error "arch/template: write your ISA's entry point here"
#endif
