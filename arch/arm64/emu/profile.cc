// SPDX-License-Identifier: GPL-2.0-only
// arm64: EL1 with the MMU off as kexec leaves it, a PL011 (and a 16550 on MMIO if the purgatory
// was told so), reset through PSCI SYSTEM_RESET, Linux arm64 boot protocol.
#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices.h"
#include "hex.h"
#include "machine.h"
#include "profile.h"

namespace styx::emu {
namespace {

constexpr uint64_t kDefaultPl011 = 0x09000000;  // QEMU virt's UART
constexpr uint64_t kPl011Size = 0x1000;
constexpr uint64_t kPsciSystemReset = 0x84000009;
constexpr uint32_t kHvc0 = 0xd4000002;
constexpr uint32_t kSmc0 = 0xd4000003;
// QEMU's exception number for an undefined instruction; calls (hvc, smc, svc) have others.
constexpr uint32_t kExcpUdef = 1;
constexpr uint32_t kExcpPrefetchAbort = 3;
// msr sctlr_el1, xN / msr sctlr_el2, xN (the register number in bits 0-4).
constexpr uint32_t kMsrSctlrEl1 = 0xd5181000;
constexpr uint64_t kSctlrM = 1;
constexpr std::array<uint8_t, 4> kWfi = {0x7f, 0x20, 0x03, 0xd5};  // 0xd503207f

// The instruction at `address`, or 0 (udf #0) if it cannot be read.
uint32_t instruction_at(Machine& machine, uint64_t address) {
  try {
    const std::vector<uint8_t> bytes = machine.read(address, 4);
    return bytes[0] | bytes[1] << 8 | bytes[2] << 16 | static_cast<uint32_t>(bytes[3]) << 24;
  } catch (const std::runtime_error&) {
    return 0;
  }
}

// Whether the tables at TTBR0_EL1 (4 KiB granule, 48-bit input, from level 0) map `va` to itself
// as executable memory with an access flag: what the purgatory's identity map promises.
bool identity_mapped(Machine& machine, uint64_t va) {
  constexpr uint64_t kAddr = 0x0000fffffffff000ull;
  uc_arm64_cp_reg ttbr0{2, 0, 3, 0, 0, 0};
  check(uc_reg_read(machine.engine(), UC_ARM64_REG_CP_REG, &ttbr0), "uc_reg_read ttbr0_el1");
  uint64_t table = ttbr0.val & kAddr;
  for (int level = 0; level <= 3; ++level) {
    const int shift = 39 - 9 * level;
    uint64_t desc = 0;
    try {
      const std::vector<uint8_t> b = machine.read(table + 8 * ((va >> shift) & 511), 8);
      for (int i = 7; i >= 0; --i) desc = desc << 8 | b[i];
    } catch (const std::runtime_error&) {
      return false;
    }
    if ((desc & 1) == 0) return false;
    if ((desc & 3) == 3 && level < 3) {
      table = desc & kAddr;
      continue;
    }
    const uint64_t mask = (1ull << shift) - 1;
    return (desc & kAddr & ~mask) == (va & ~mask) && (desc & (1ull << 10)) &&
           (desc & (1ull << 53)) == 0;
  }
  return false;
}

class Arm64 final : public Profile {
 public:
  std::string_view name() const override { return "arm64"; }
  uc_arch arch() const override { return UC_ARCH_ARM64; }
  uc_mode mode() const override { return UC_MODE_ARM; }

  void setup(Machine& machine, const RunInput& input, State& state) const override {
    // Unicorn's reset state is EL1 with the MMU and caches off, which is what kexec leaves.
    const uint64_t base = input.console.base;
    switch (static_cast<ConsoleKind>(input.console.kind)) {
      case ConsoleKind::kPl011: map_pl011(machine, state, base); break;
      case ConsoleKind::kUart8250Mmio: map_uart16550(machine, state, base, 1); break;
      case ConsoleKind::kUart8250Mmio32: map_uart16550(machine, state, base, 4); break;
      default: break;  // none, or another ISA's kind: the host refuses those
    }
    // The purgatory falls back to the default console when its hand-off block is unusable.
    if (device_fits(machine, kDefaultPl011, kPl011Size)) map_pl011(machine, state, kDefaultPl011);
  }

  uint64_t pc(Machine& machine) const override { return machine.reg_read(UC_ARM64_REG_PC); }

  uint64_t count_instructions(const uint8_t*, size_t size) const override { return size / 4; }

  Registers capture_registers(Machine& machine) const override {
    Registers registers;
    for (int i = 0; i <= 28; ++i) {
      registers["x" + std::to_string(i)] = machine.reg_read(UC_ARM64_REG_X0 + i);
    }
    registers["x29"] = machine.reg_read(UC_ARM64_REG_X29);
    registers["x30"] = machine.reg_read(UC_ARM64_REG_X30);
    registers["sp"] = machine.reg_read(UC_ARM64_REG_SP);
    registers["pc"] = machine.reg_read(UC_ARM64_REG_PC);
    // The exception vector base (the SHA-256 routine's trial runs under one of its own).
    registers["vbar_el1"] = machine.reg_read(UC_ARM64_REG_VBAR_EL1);
    return registers;
  }

  std::string check_boot_registers(const Registers& registers,
                                   const std::vector<uint64_t>& boot_args) const override {
    // x0 = the DTB's address, x1-x3 = 0 (Documentation/arch/arm64/booting.rst).
    const Expected expected[] = {
        {"x0", boot_args.empty() ? 0 : boot_args[0]}, {"x1", 0}, {"x2", 0}, {"x3", 0}};
    return first_difference(registers, expected);
  }

  std::span<const uint8_t> halt_instruction() const override { return kWfi; }

  std::optional<Stop> interrupt(Machine& machine, State& state, uint32_t intno) const override {
    // Unicorn 2.0.1's CPU has no EL2, so `hvc` is undefined: it stops as an undefined
    // instruction with the PC on it. `smc` traps to EL3 as a call and stops with the PC past it.
    const uint64_t pc = this->pc(machine);
    // Unicorn 2.0.1 cannot fetch through any stage-1 table: the first instruction after SCTLR.M
    // is set takes a prefetch abort, even under a one-block identity map that qemu-system runs.
    // The purgatory's identity map (fast-memory.cc) is the only one it ever builds, so here the
    // MMU is turned back off and the run goes on as if the map were the identity it is; the
    // cache bits stay as the purgatory set them, and tests read the tables from memory.
    // So that a broken map still ends the run as a fault, the PC must be identity-mapped first.
    if (intno == kExcpPrefetchAbort && (instruction_at(machine, pc - 4) & ~31u) == kMsrSctlrEl1) {
      uc_arm64_cp_reg sctlr{1, 0, 3, 0, 0, 0};
      check(uc_reg_read(machine.engine(), UC_ARM64_REG_CP_REG, &sctlr), "uc_reg_read sctlr_el1");
      if (sctlr.val & kSctlrM) {
        if (!identity_mapped(machine, pc))
          return Stop{Outcome::kFault, "prefetch abort at pc " + hex(pc) +
                                           " after SCTLR_EL1.M was set: the stage-1 tables do "
                                           "not identity-map it"};
        sctlr.val &= ~kSctlrM;
        check(uc_reg_write(machine.engine(), UC_ARM64_REG_CP_REG, &sctlr),
              "uc_reg_write sctlr_el1");
        return std::nullopt;
      }
    }
    const uint32_t insn = instruction_at(machine, intno == kExcpUdef ? pc : pc - 4);
    if (machine.reg_read(UC_ARM64_REG_X0) == kPsciSystemReset) {
      if (insn == kHvc0) return Stop{Outcome::kReset, "psci hvc"};
      if (insn == kSmc0) return Stop{Outcome::kReset, "psci smc"};
    }
    return Profile::interrupt(machine, state, intno);
  }
};

}  // namespace
}  // namespace styx::emu

const styx::emu::Profile& styx_emu_profile_arm64() {
  static const styx::emu::Arm64 profile;
  return profile;
}
