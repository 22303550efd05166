// SPDX-License-Identifier: GPL-2.0-only
// s390x CPACF: the KIMD query (function code 0), the only KIMD function the purgatory issues. It
// lives in .styx.simd, the one section the post-link check lets hold KIMD/KLMD.
//
// void styx_s390x_kimd_query(uint8_t status[16])
//   r2 = the 16-byte parameter block: bit n (from the left) set when function code n is available.
  .section .styx.simd, "ax", @progbits
  .globl styx_s390x_kimd_query
  .type styx_s390x_kimd_query, @function
styx_s390x_kimd_query:
  lghi %r0, 0      // function code 0: query
  lgr %r1, %r2     // parameter block
  // R2 must name an even register; a query reads no second operand.
0:
  kimd %r0, %r2
  jo 0b            // cc 3: partial completion (never for a query, but the loop is the rule)
  br %r14
  .size styx_s390x_kimd_query, . - styx_s390x_kimd_query

  .section .note.GNU-stack, "", @progbits
