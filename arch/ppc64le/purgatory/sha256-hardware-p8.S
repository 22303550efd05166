// SPDX-License-Identifier: GPL-2.0-only
// ppc64le SHA-256 with the POWER8 vector crypto instructions (ISA 2.07 `vshasigmaw`). The only
// vector code in the ppc64le purgatory: it lives in .styx.simd, the one section the post-link
// check lets use vector registers, and it enables MSR[VEC] and MSR[VSX] itself for as long as it
// runs, so the next kernel is entered with the MSR the purgatory was entered with.
//
// Every state word sits in word element 0 (big-endian element numbering, as vsldoi and lxvw4x
// count) of its own vector register; the other elements are don't-cares. The message schedule
// runs four words at a time.
//
// Registers: v0-v7 the state a..h at the start of the block, v8-v15 the working a..h (the first
// four rounds write each working register from v0-v7, so the start state needs no copy),
// v16-v19 the message window, v20 W + K for four rounds, v21 one of them moved to element 0,
// v22-v23 and v26 temporaries, v24 zero, v25 the byte-swap permutation. v20-v26 are
// non-volatile (ELFv2) and saved below the stack pointer, in the leaf's protected zone.

  .section .rodata.styx_sha256_k, "a"
  .p2align 4
.Lsha256_k:
  .long 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5
  .long 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
  .long 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3
  .long 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
  .long 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc
  .long 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
  .long 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7
  .long 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
  .long 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13
  .long 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
  .long 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3
  .long 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
  .long 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5
  .long 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
  .long 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208
  .long 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2

  .section .styx.simd, "ax"

// One round on element 0; \ds and \hs are where d and h are read from (v0-v7 in the first four
// rounds of a block, otherwise d and h themselves).
.macro styx_p8_round a, b, c, d, e, f, g, h, kw, ds, hs
  vadduwm \h, \hs, \kw
  vsel 22, \g, \f, \e         // Ch(e, f, g)
  vshasigmaw 23, \e, 1, 15    // Sigma1(e)
  vadduwm \h, \h, 22
  vadduwm \h, \h, 23          // h = T1
  vadduwm \d, \ds, \h         // d += T1
  vxor 22, \a, \b
  vsel 22, \a, \c, 22         // Maj(a, b, c): c where a and b differ, else a
  vshasigmaw 23, \a, 1, 0     // Sigma0(a)
  vadduwm \h, \h, 22
  vadduwm \h, \h, 23          // h = T1 + T2
.endm

// Four rounds with the four W + K words in v20.
.macro styx_p8_rounds4 a, b, c, d, e, f, g, h
  styx_p8_round \a, \b, \c, \d, \e, \f, \g, \h, 20, \d, \h
  vsldoi 21, 20, 20, 4
  styx_p8_round \h, \a, \b, \c, \d, \e, \f, \g, 21, \c, \g
  vsldoi 21, 20, 20, 8
  styx_p8_round \g, \h, \a, \b, \c, \d, \e, \f, 21, \b, \f
  vsldoi 21, 20, 20, 12
  styx_p8_round \f, \g, \h, \a, \b, \c, \d, \e, 21, \a, \e
.endm

// v20 = the four message words in \x plus the round constants at \kbase + \koff (an offset
// register, or 0 for none). \kbase goes in the RB field, where r0 is a register, not zero.
.macro styx_p8_kw x, kbase, koff
  .ifc \koff, 0
  lxvw4x 32+26, 0, \kbase
  .else
  lxvw4x 32+26, \koff, \kbase
  .endif
  vadduwm 20, \x, 26
.endm

// \x0 (W[t-16..t-13]) becomes W[t..t+3], from \x1 = W[t-12..t-9], \x2, \x3 = W[t-4..t-1].
.macro styx_p8_schedule x0, x1, x2, x3
  vsldoi 26, \x0, \x1, 4      // W[t-15..t-12]
  vshasigmaw 26, 26, 0, 0
  vadduwm \x0, \x0, 26
  vsldoi 26, \x2, \x3, 4      // W[t-7..t-4]
  vadduwm \x0, \x0, 26
  vsldoi 26, \x3, 24, 8       // W[t-2], W[t-1], 0, 0
  vshasigmaw 26, 26, 0, 15    // sigma1(0) is 0
  vadduwm \x0, \x0, 26        // W[t], W[t+1] done
  vsldoi 26, 24, \x0, 8       // 0, 0, W[t], W[t+1]
  vshasigmaw 26, 26, 0, 15
  vadduwm \x0, \x0, 26        // W[t+2], W[t+3] done
.endm

.macro styx_p8_group x0, x1, x2, x3, kbase, koff, a, b, c, d, e, f, g, h
  styx_p8_schedule \x0, \x1, \x2, \x3
  styx_p8_kw \x0, \kbase, \koff
  styx_p8_rounds4 \a, \b, \c, \d, \e, \f, \g, \h
.endm

// void styx_sha256_blocks_power8(uint32_t state[8], const uint8_t* data, size_t blocks)
  .p2align 4
  .globl styx_sha256_blocks_power8
  .type styx_sha256_blocks_power8, @function
styx_sha256_blocks_power8:
  cmpdi 5, 0
  beqlr
  // MSR[VEC] | MSR[VSX] | MSR[FP], restored on the way out.
  mfmsr 11
  lis 0, 0x0280
  ori 0, 0, 0x2000
  or 0, 11, 0
  mtmsrd 0
  isync
  li 0, -16
  stvx 20, 1, 0
  li 0, -32
  stvx 21, 1, 0
  li 0, -48
  stvx 22, 1, 0
  li 0, -64
  stvx 23, 1, 0
  li 0, -80
  stvx 24, 1, 0
  li 0, -96
  stvx 25, 1, 0
  li 0, -112
  stvx 26, 1, 0

  addis 6, 2, .Lsha256_k@toc@ha
  addi 6, 6, .Lsha256_k@toc@l
  addi 10, 6, 64
  addi 12, 6, 128
  addi 0, 6, 192
  li 7, 16
  li 8, 32
  li 9, 48
  mtctr 5
  vxor 24, 24, 24
  // lxvw4x gives each word the value of its bytes read little-endian; SHA-256 reads them
  // big-endian, so byte i of the register takes byte i ^ 3.
  li 5, 0
  lvsl 25, 0, 5
  vspltisb 26, 3
  vxor 25, 25, 26

  lxvw4x 32+0, 0, 3
  lxvw4x 32+4, 3, 7
  vsldoi 1, 0, 0, 4
  vsldoi 2, 0, 0, 8
  vsldoi 3, 0, 0, 12
  vsldoi 5, 4, 4, 4
  vsldoi 6, 4, 4, 8
  vsldoi 7, 4, 4, 12

1:
  lxvw4x 32+16, 0, 4
  lxvw4x 32+17, 4, 7
  lxvw4x 32+18, 4, 8
  lxvw4x 32+19, 4, 9
  addi 4, 4, 64
  vperm 16, 16, 16, 25
  vperm 17, 17, 17, 25
  vperm 18, 18, 18, 25
  vperm 19, 19, 19, 25

  // Rounds 0-3 read the start state and write the working registers.
  styx_p8_kw 16, 6, 0
  styx_p8_round 0, 1, 2, 11, 4, 5, 6, 15, 20, 3, 7
  vsldoi 21, 20, 20, 4
  styx_p8_round 15, 0, 1, 10, 11, 4, 5, 14, 21, 2, 6
  vsldoi 21, 20, 20, 8
  styx_p8_round 14, 15, 0, 9, 10, 11, 4, 13, 21, 1, 5
  vsldoi 21, 20, 20, 12
  styx_p8_round 13, 14, 15, 8, 9, 10, 11, 12, 21, 0, 4

  styx_p8_kw 17, 6, 7
  styx_p8_rounds4 12, 13, 14, 15, 8, 9, 10, 11
  styx_p8_kw 18, 6, 8
  styx_p8_rounds4 8, 9, 10, 11, 12, 13, 14, 15
  styx_p8_kw 19, 6, 9
  styx_p8_rounds4 12, 13, 14, 15, 8, 9, 10, 11

  styx_p8_group 16, 17, 18, 19, 10, 0, 8, 9, 10, 11, 12, 13, 14, 15
  styx_p8_group 17, 18, 19, 16, 10, 7, 12, 13, 14, 15, 8, 9, 10, 11
  styx_p8_group 18, 19, 16, 17, 10, 8, 8, 9, 10, 11, 12, 13, 14, 15
  styx_p8_group 19, 16, 17, 18, 10, 9, 12, 13, 14, 15, 8, 9, 10, 11
  styx_p8_group 16, 17, 18, 19, 12, 0, 8, 9, 10, 11, 12, 13, 14, 15
  styx_p8_group 17, 18, 19, 16, 12, 7, 12, 13, 14, 15, 8, 9, 10, 11
  styx_p8_group 18, 19, 16, 17, 12, 8, 8, 9, 10, 11, 12, 13, 14, 15
  styx_p8_group 19, 16, 17, 18, 12, 9, 12, 13, 14, 15, 8, 9, 10, 11
  styx_p8_group 16, 17, 18, 19, 0, 0, 8, 9, 10, 11, 12, 13, 14, 15
  styx_p8_group 17, 18, 19, 16, 0, 7, 12, 13, 14, 15, 8, 9, 10, 11
  styx_p8_group 18, 19, 16, 17, 0, 8, 8, 9, 10, 11, 12, 13, 14, 15
  styx_p8_group 19, 16, 17, 18, 0, 9, 12, 13, 14, 15, 8, 9, 10, 11

  vadduwm 0, 0, 8
  vadduwm 1, 1, 9
  vadduwm 2, 2, 10
  vadduwm 3, 3, 11
  vadduwm 4, 4, 12
  vadduwm 5, 5, 13
  vadduwm 6, 6, 14
  vadduwm 7, 7, 15
  bdnz 1b

  // Element 0 of v0-v3 and of v4-v7 back into two vectors of four words.
  vmrghw 8, 0, 1
  vmrghw 9, 2, 3
  xxpermdi 32+8, 32+8, 32+9, 0
  vmrghw 10, 4, 5
  vmrghw 11, 6, 7
  xxpermdi 32+10, 32+10, 32+11, 0
  stxvw4x 32+8, 0, 3
  stxvw4x 32+10, 3, 7

  li 0, -16
  lvx 20, 1, 0
  li 0, -32
  lvx 21, 1, 0
  li 0, -48
  lvx 22, 1, 0
  li 0, -64
  lvx 23, 1, 0
  li 0, -80
  lvx 24, 1, 0
  li 0, -96
  lvx 25, 1, 0
  li 0, -112
  lvx 26, 1, 0
  mtmsrd 11
  isync
  blr
  .size styx_sha256_blocks_power8, . - styx_sha256_blocks_power8

  .section .note.GNU-stack, "", @progbits
