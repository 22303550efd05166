# SPDX-License-Identifier: GPL-2.0-only
# ppc64le purgatory: Debian's g++-powerpc64le-linux-gnu.
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(STYX_CROSS_PREFIX powerpc64le-linux-gnu-)
# ELFv2, no FP/VMX/VSX state (kexec does not promise MSR[FP]/[VEC]/[VSX] are set); POWER8 is the
# oldest little-endian server CPU. Data is reached through the TOC, which the entry sets up.
set(STYX_ARCH_FLAGS -mcpu=power8 -mlittle-endian -mabi=elfv2 -msoft-float -mno-altivec -mno-vsx
                    -mno-string -mstrict-align)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
