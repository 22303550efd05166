// SPDX-License-Identifier: GPL-2.0-only
// x86_64: the SHA extensions (sha256-hardware-shani.S) when CPUID says this CPU has them and the
// SSSE3/SSE4.1 instructions the routine also uses. The kernel enters the purgatory with
// CR4.OSFXSR clear, where every SSE instruction raises #UD: SSE is enabled here before the routine
// can run, and sse-state.h puts CR0/CR4 back before the hand-off.
#include "arch.h"
#include "sse-state.h"

extern "C" void styx_sha256_blocks_shani(uint32_t state[8], const uint8_t* data, size_t blocks);

namespace styx::arch {
namespace {

struct Cpuid {
  uint32_t eax, ebx, ecx, edx;
};

Cpuid cpuid(uint32_t leaf, uint32_t subleaf = 0) {
  Cpuid r;
  asm volatile("cpuid"
               : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
               : "a"(leaf), "c"(subleaf));
  return r;
}

constexpr uint64_t kCr0Mp = 1u << 1, kCr0Em = 1u << 2, kCr0Ts = 1u << 3;
constexpr uint64_t kCr4Osfxsr = 1u << 9, kCr4Osxmmexcpt = 1u << 10;

bool saved = false;
uint64_t saved_cr0, saved_cr4;

uint64_t read_cr0() {
  uint64_t v;
  asm volatile("mov %%cr0, %0" : "=r"(v));
  return v;
}

uint64_t read_cr4() {
  uint64_t v;
  asm volatile("mov %%cr4, %0" : "=r"(v));
  return v;
}

void write_cr0(uint64_t v) {
  asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}
void write_cr4(uint64_t v) {
  asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

// SSE without the x87 emulation trap (CR0.EM) or the lazy-switch trap (CR0.TS); CR0.MP as the
// SDM asks for with SSE; CR4.OSFXSR enables the instructions, CR4.OSXMMEXCPT reports SIMD
// floating-point faults as #XM (the routine does no floating point).
void enable_sse() {
  saved_cr0 = read_cr0();
  saved_cr4 = read_cr4();
  saved = true;
  write_cr0((saved_cr0 & ~(kCr0Em | kCr0Ts)) | kCr0Mp);
  write_cr4(saved_cr4 | kCr4Osfxsr | kCr4Osxmmexcpt);
}

}  // namespace

void restore_sse_state() {
  if (!saved) return;
  write_cr4(saved_cr4);
  write_cr0(saved_cr0);
  saved = false;
}

Sha256Hardware sha256_hardware() {
  Sha256Hardware hw{.name = "sha-ni"};
  // CPUID.1:ECX bit 9 = SSSE3 (PSHUFB, PALIGNR), bit 19 = SSE4.1 (PBLENDW);
  // CPUID.(EAX=7,ECX=0):EBX bit 29 = SHA.
  const uint32_t max_leaf = cpuid(0).eax;
  const uint32_t ecx1 = cpuid(1).ecx;
  if (!(ecx1 & (1u << 9))) {
    hw.why_not = "CPUID.1:ECX.SSSE3 is 0";
  } else if (!(ecx1 & (1u << 19))) {
    hw.why_not = "CPUID.1:ECX.SSE4_1 is 0";
  } else if (max_leaf < 7 || !(cpuid(7, 0).ebx & (1u << 29))) {
    hw.why_not = "CPUID.(EAX=7):EBX.SHA is 0";
  } else {
    enable_sse();
    hw.blocks = styx_sha256_blocks_shani;
  }
  return hw;
}

}  // namespace styx::arch
