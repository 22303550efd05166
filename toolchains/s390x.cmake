# SPDX-License-Identifier: GPL-2.0-only
# s390x purgatory: Debian's g++-s390x-linux-gnu.
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(STYX_CROSS_PREFIX s390x-linux-gnu-)
# z10 is the oldest machine Linux still supports; no FP registers (soft-float); no jump tables,
# whose absolute entries would need more than R_390_RELATIVE.
set(STYX_ARCH_FLAGS -march=z10 -msoft-float -fno-jump-tables)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
