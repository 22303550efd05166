// SPDX-License-Identifier: GPL-2.0-only
// x86_64 SHA-256 with the SHA extensions (SHA256RNDS2, SHA256MSG1, SHA256MSG2) and SSSE3/SSE4.1
// for the byte swap and the state shuffles. The same file is linked into the host's unit tests and
// bench, which run it natively (the emulator does not implement these instructions).
//
// void styx_sha256_blocks_shani(uint32_t state[8], const uint8_t* data, size_t blocks)
//   rdi = state (a..h), rsi = data (any alignment), rdx = blocks (may be 0)
//
// SHA256RNDS2 keeps the working variables as two vectors, ABEF = {F, E, B, A} and CDGH =
// {H, G, D, C} (element 0 first), and runs two rounds on the W + K words in the low half of xmm0.
// Two rounds later the old ABEF is the new CDGH, so the two state registers swap roles every
// call. Only xmm0-xmm10 are used; the SysV ABI makes them all caller-saved.

#define WK %xmm0
#define ABEF %xmm1
#define CDGH %xmm2
#define M0 %xmm3
#define M1 %xmm4
#define M2 %xmm5
#define M3 %xmm6
#define TMP %xmm7
#define BSWAP %xmm8
#define ABEF_SAVE %xmm9
#define CDGH_SAVE %xmm10

// Four rounds on message words `m` (W[4g..4g+3]) with constants K[4g..4g+3].
.macro rounds4 m, g
  movdqa \m, WK
  paddd 16*\g(%rax), WK
  sha256rnds2 WK, ABEF, CDGH
  pshufd $0x0e, WK, WK
  sha256rnds2 WK, CDGH, ABEF
.endm

// W[4g..4g+3] into `m0`, which holds W[4g-16..4g-13]; m1, m2, m3 hold the next three groups:
// sigma0 of W[4g-15..4g-12], plus W[4g-7..4g-4], plus sigma1 of W[4g-2..4g-1].
.macro schedule4 m0, m1, m2, m3
  sha256msg1 \m1, \m0
  movdqa \m3, TMP
  palignr $4, \m2, TMP
  paddd TMP, \m0
  sha256msg2 \m3, \m0
.endm

  .section .styx.simd, "ax", @progbits
  .globl styx_sha256_blocks_shani
  .type styx_sha256_blocks_shani, @function
  .balign 16
styx_sha256_blocks_shani:
  test %rdx, %rdx
  jz 9f
  // {a, b, c, d}, {e, f, g, h} to ABEF and CDGH.
  movdqu (%rdi), TMP
  movdqu 16(%rdi), CDGH
  pshufd $0xb1, TMP, TMP    // {b, a, d, c}
  pshufd $0x1b, CDGH, CDGH  // {h, g, f, e}
  movdqa TMP, ABEF
  palignr $8, CDGH, ABEF    // {f, e, b, a}
  pblendw $0xf0, TMP, CDGH  // {h, g, d, c}
  movdqa .Lbswap(%rip), BSWAP
  lea .Lk(%rip), %rax

1:
  movdqa ABEF, ABEF_SAVE
  movdqa CDGH, CDGH_SAVE
  movdqu 0(%rsi), M0
  movdqu 16(%rsi), M1
  movdqu 32(%rsi), M2
  movdqu 48(%rsi), M3
  pshufb BSWAP, M0
  pshufb BSWAP, M1
  pshufb BSWAP, M2
  pshufb BSWAP, M3

  rounds4 M0, 0
  rounds4 M1, 1
  rounds4 M2, 2
  rounds4 M3, 3
  schedule4 M0, M1, M2, M3
  rounds4 M0, 4
  schedule4 M1, M2, M3, M0
  rounds4 M1, 5
  schedule4 M2, M3, M0, M1
  rounds4 M2, 6
  schedule4 M3, M0, M1, M2
  rounds4 M3, 7
  schedule4 M0, M1, M2, M3
  rounds4 M0, 8
  schedule4 M1, M2, M3, M0
  rounds4 M1, 9
  schedule4 M2, M3, M0, M1
  rounds4 M2, 10
  schedule4 M3, M0, M1, M2
  rounds4 M3, 11
  schedule4 M0, M1, M2, M3
  rounds4 M0, 12
  schedule4 M1, M2, M3, M0
  rounds4 M1, 13
  schedule4 M2, M3, M0, M1
  rounds4 M2, 14
  schedule4 M3, M0, M1, M2
  rounds4 M3, 15

  paddd ABEF_SAVE, ABEF
  paddd CDGH_SAVE, CDGH
  add $64, %rsi
  dec %rdx
  jnz 1b

  // Back to {a, b, c, d}, {e, f, g, h}.
  pshufd $0x1b, ABEF, ABEF  // {a, b, e, f}
  pshufd $0xb1, CDGH, CDGH  // {g, h, c, d}
  movdqa ABEF, TMP
  pblendw $0xf0, CDGH, ABEF // {a, b, c, d}
  palignr $8, TMP, CDGH     // {e, f, g, h}
  movdqu ABEF, (%rdi)
  movdqu CDGH, 16(%rdi)
9:
  ret
  .size styx_sha256_blocks_shani, . - styx_sha256_blocks_shani

  .section .rodata.styx_sha256_shani, "a", @progbits
  .balign 16
// PSHUFB control: each 32-bit word's bytes reversed (the message is big-endian).
.Lbswap:
  .byte 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12
.Lk:
  .long 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
  .long 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
  .long 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
  .long 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
  .long 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
  .long 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
  .long 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
  .long 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2

  .section .note.GNU-stack, "", @progbits
