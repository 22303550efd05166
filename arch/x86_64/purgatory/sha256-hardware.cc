// SPDX-License-Identifier: GPL-2.0-only
// x86_64: the SHA extensions (sha256-hardware-shani.S) when CPUID says this CPU has them and the
// SSSE3/SSE4.1 instructions the routine also uses. The kernel enters the purgatory with
// CR4.OSFXSR clear, where every SSE instruction raises #UD: SSE is enabled here before the routine
// can run, and sse-state.h puts CR0/CR4 back before the hand-off. CPUID could lie (a hypervisor's):
// the routine first hashes one known block under an IDT of the purgatory's own
// (sha256-hardware-catch.S), so that a #UD costs the choice of routine, never the verification.
#include "arch.h"
#include "sse-state.h"

extern "C" void styx_sha256_blocks_shani(uint32_t state[8], const uint8_t* data, size_t blocks);
extern "C" int styx_x86_64_call_catching(const void* idtr, styx::Sha256Blocks fn, uint32_t state[8],
                                         const uint8_t* data, size_t blocks);
extern "C" const uint8_t styx_x86_64_trap_stubs[];

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

// A 64-bit interrupt gate (SDM Vol. 3A 6.14.1): present, DPL 0, type 0xE, no IST.
struct [[gnu::packed]] Gate {
  uint16_t offset_low, selector;
  uint8_t ist, type;
  uint16_t offset_mid;
  uint32_t offset_high, reserved;
};
static_assert(sizeof(Gate) == 16);

struct [[gnu::packed]] Idtr {
  uint16_t limit;
  uint64_t base;
};

// Vectors 0-31, the exceptions: whichever the known-answer block raises (#UD from a SHA
// instruction, #NM or #UD from SSE that is still off, #GP) resumes in the caller.
alignas(16) Gate idt[32];

// Runs the routine on the known-answer block under `idt`; 0 when it ran, 1 + the vector when it
// raised an exception. The gates point at the stubs wherever the purgatory was loaded.
int known_answer_vector(Sha256Blocks blocks, bool* right) {
  uint16_t cs;
  asm volatile("mov %%cs, %0" : "=r"(cs));
  for (int v = 0; v < 32; ++v) {
    const auto at = reinterpret_cast<uintptr_t>(styx_x86_64_trap_stubs + 8 * v);
    idt[v] = {.offset_low = static_cast<uint16_t>(at),
              .selector = cs,
              .ist = 0,
              .type = 0x8e,
              .offset_mid = static_cast<uint16_t>(at >> 16),
              .offset_high = static_cast<uint32_t>(at >> 32),
              .reserved = 0};
  }
  const Idtr idtr{sizeof(idt) - 1, reinterpret_cast<uintptr_t>(idt)};
  uint8_t block[kSha256BlockSize];
  uint32_t state[8];
  sha256_known_answer_input(block, state);
  const int caught = styx_x86_64_call_catching(&idtr, blocks, state, block, 1);
  *right = caught == 0 && sha256_known_answer_ok(state);
  return caught;
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
    // Setting CR4.OSFXSR/OSXMMEXCPT cannot fault: SSE is architectural on every x86_64 CPU.
    enable_sse();
    bool right = false;
    const int caught = known_answer_vector(styx_sha256_blocks_shani, &right);
    if (right) {
      hw.blocks = styx_sha256_blocks_shani;
    } else {
      restore_sse_state();
      hw.why_not = caught == 0        ? "the known-answer block gives a wrong digest"
                   : caught == 1 + 6  ? "CPUID claims SHA, but its instructions raise #UD"
                   : caught == 1 + 7  ? "SSE still raises #NM after it was enabled"
                   : caught == 1 + 13 ? "the known-answer block raised #GP"
                                      : "the known-answer block raised an exception";
    }
  }
  return hw;
}

}  // namespace styx::arch
