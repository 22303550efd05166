# SPDX-License-Identifier: GPL-2.0-only
# arm64 purgatory: Debian's g++-aarch64-linux-gnu.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(STYX_CROSS_PREFIX aarch64-linux-gnu-)
# No FP/SIMD state; strict alignment because with the MMU off all memory is Device memory, where an
# unaligned access faults; the tiny code model so no ADRP ties the code to a 4 KiB alignment.
set(STYX_ARCH_FLAGS -mgeneral-regs-only -mstrict-align -mcmodel=tiny)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
