# SPDX-License-Identifier: GPL-2.0-only
# riscv64 purgatory: Debian's g++-riscv64-linux-gnu.
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(STYX_CROSS_PREFIX riscv64-linux-gnu-)
# RV64IMAC without F/D, so no FP state is ever touched (kexec does not promise it is enabled).
# GCC 12 with binutils 2.40 needs Zicsr spelled out for the csr* instructions. medany because
# medlow's absolute addressing cannot reach RAM at 0x80000000; no relaxation so nothing turns into
# gp-relative accesses that would need a __global_pointer$ set up at a fixed address.
set(STYX_ARCH_FLAGS -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
