// SPDX-License-Identifier: GPL-2.0-only
// arm64 SHA-256 with the ARMv8 SHA2 instructions: four rounds per SHA256H/SHA256H2 pair, the
// message schedule four words at a time with SHA256SU0/SU1. The only FP/SIMD code in the arm64
// purgatory: it lives in .styx.simd, the one section the post-link check lets use those registers,
// and runs only after arch::sha256_hardware() has enabled them.
//
// Registers: v0-v3 the message window, v4 = abcd and v5 = efgh (the working state, which is also
// the state between blocks), v6 a copy of abcd for SHA256H2, v7 W + K, v16-v31 the 64 round
// constants. Only caller-saved vector registers are used (AAPCS64 keeps d8-d15).
  .arch armv8-a+crypto

  .section .rodata.styx_sha256_k, "a"
  .p2align 4
.Lsha256_k:
  .word 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5
  .word 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
  .word 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3
  .word 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
  .word 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc
  .word 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
  .word 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7
  .word 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
  .word 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13
  .word 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
  .word 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3
  .word 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
  .word 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5
  .word 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
  .word 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208
  .word 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2

  .section .styx.simd, "ax"

// Four rounds with the constants in v\k and the message words in v\m0; with \schedule, v\m0 then
// becomes the four words twelve rounds later (from v\m1, v\m2, v\m3).
.macro styx_ce_rounds k, m0, m1, m2, m3, schedule
  add v7.4s, v\m0\().4s, v\k\().4s
  .if \schedule
  sha256su0 v\m0\().4s, v\m1\().4s
  .endif
  mov v6.16b, v4.16b
  sha256h q4, q5, v7.4s
  sha256h2 q5, q6, v7.4s
  .if \schedule
  sha256su1 v\m0\().4s, v\m2\().4s, v\m3\().4s
  .endif
.endm

// void styx_sha256_blocks_armv8_ce(uint32_t state[8], const uint8_t* data, size_t blocks)
  .p2align 2
  .globl styx_sha256_blocks_armv8_ce
  .type styx_sha256_blocks_armv8_ce, %function
styx_sha256_blocks_armv8_ce:
  cbz x2, 2f
  adr x3, .Lsha256_k
  ld1 {v16.4s-v19.4s}, [x3], #64
  ld1 {v20.4s-v23.4s}, [x3], #64
  ld1 {v24.4s-v27.4s}, [x3], #64
  ld1 {v28.4s-v31.4s}, [x3]
  ld1 {v4.4s, v5.4s}, [x0]
1:
  // Byte loads: with the MMU off memory is Device memory, where a word load must be aligned.
  ld1 {v0.16b-v3.16b}, [x1], #64
  rev32 v0.16b, v0.16b
  rev32 v1.16b, v1.16b
  rev32 v2.16b, v2.16b
  rev32 v3.16b, v3.16b
  styx_ce_rounds 16, 0, 1, 2, 3, 1
  styx_ce_rounds 17, 1, 2, 3, 0, 1
  styx_ce_rounds 18, 2, 3, 0, 1, 1
  styx_ce_rounds 19, 3, 0, 1, 2, 1
  styx_ce_rounds 20, 0, 1, 2, 3, 1
  styx_ce_rounds 21, 1, 2, 3, 0, 1
  styx_ce_rounds 22, 2, 3, 0, 1, 1
  styx_ce_rounds 23, 3, 0, 1, 2, 1
  styx_ce_rounds 24, 0, 1, 2, 3, 1
  styx_ce_rounds 25, 1, 2, 3, 0, 1
  styx_ce_rounds 26, 2, 3, 0, 1, 1
  styx_ce_rounds 27, 3, 0, 1, 2, 1
  styx_ce_rounds 28, 0, 1, 2, 3, 0
  styx_ce_rounds 29, 1, 2, 3, 0, 0
  styx_ce_rounds 30, 2, 3, 0, 1, 0
  styx_ce_rounds 31, 3, 0, 1, 2, 0
  // The state before this block is still in memory: add it and store the sum.
  ld1 {v6.4s, v7.4s}, [x0]
  add v4.4s, v4.4s, v6.4s
  add v5.4s, v5.4s, v7.4s
  st1 {v4.4s, v5.4s}, [x0]
  subs x2, x2, #1
  b.ne 1b
2:
  ret
  .size styx_sha256_blocks_armv8_ce, . - styx_sha256_blocks_armv8_ce

  .section .note.GNU-stack, "", %progbits
