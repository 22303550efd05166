# SPDX-License-Identifier: GPL-2.0-only
# x86_64 purgatory: Debian's native g++ (also installed as x86_64-linux-gnu-g++).
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(STYX_CROSS_PREFIX x86_64-linux-gnu-)
# No red zone (nothing guarantees it survives), no x87/MMX/SSE/AVX state.
set(STYX_ARCH_FLAGS -mno-red-zone -mgeneral-regs-only)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
