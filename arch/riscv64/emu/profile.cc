// SPDX-License-Identifier: GPL-2.0-only
// riscv64: the purgatory's code as kexec runs it (MMU off), a 16550 on MMIO if the purgatory was
// told so, and the parts of an SBI firmware it calls: the debug console, the legacy putchar and
// system reset. Unicorn runs the code in M-mode, where `ecall` reaches the interrupt hook instead
// of a firmware, so the hook plays the firmware.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "devices.h"
#include "hex.h"
#include "machine.h"
#include "profile.h"

namespace styx::emu {
namespace {

// Exception causes 8, 9, 11: ecall from U, S, M mode. QEMU reports the U cause before it adds
// the privilege level, but accept all three.
constexpr uint32_t kEcallU = 8, kEcallS = 9, kEcallM = 11;
constexpr uint32_t kIllegalInstruction = 2;

constexpr uint64_t kSbiBase = 0x10;
constexpr uint64_t kSbiBaseProbe = 3;
constexpr uint64_t kSbiLegacyPutchar = 0x01;
constexpr uint64_t kSbiDbcn = 0x4442434E;
constexpr uint64_t kSbiDbcnWriteByte = 2;
constexpr uint64_t kSbiSrst = 0x53525354;
constexpr uint64_t kSbiErrNotSupported = static_cast<uint64_t>(-2);

constexpr std::array<uint8_t, 4> kWfi = {0x73, 0x00, 0x50, 0x10};  // 0x10500073

// `csrrs rd, time, x0` (rdtime), rd masked out.
constexpr uint32_t kRdtimeMask = 0xfffff07f, kRdtime = 0xc0102073;
// qemu virt's timebase-frequency.
constexpr uint64_t kTimebaseHz = 10'000'000;

class Riscv64 final : public Profile {
 public:
  std::string_view name() const override { return "riscv64"; }
  uc_arch arch() const override { return UC_ARCH_RISCV; }
  uc_mode mode() const override { return UC_MODE_RISCV64; }

  void setup(Machine& machine, const RunInput& input, State& state) const override {
    // Reset state: M-mode, satp = 0 (no translation), interrupts off. The purgatory's code runs
    // unchanged there; its ecalls need the firmware emulated below, and its timer reads a timer.
    // No CLINT stands behind the `time` CSR in Unicorn, so rdtime is an illegal instruction
    // there: the emulated machine's timer runs on the host's clock instead. Instructions are
    // 2-byte aligned (compressed ones among them).
    serve_counter_reads(machine, input, 2, kTimebaseHz, UC_RISCV_REG_PC, [](uint32_t insn) {
      const int rd = static_cast<int>(insn >> 7 & 31);
      return (insn & kRdtimeMask) == kRdtime && rd != 0 ? UC_RISCV_REG_X0 + rd : -1;
    });
    const uint64_t base = input.console.base;
    switch (static_cast<ConsoleKind>(input.console.kind)) {
      case ConsoleKind::kUart8250Mmio: map_uart16550(machine, state, base, 1); break;
      case ConsoleKind::kUart8250Mmio32: map_uart16550(machine, state, base, 4); break;
      default: break;  // none, sbi (the default, handled in interrupt()) or another ISA's kind
    }
  }

  uint64_t pc(Machine& machine) const override { return machine.reg_read(UC_RISCV_REG_PC); }

  uint64_t count_instructions(const uint8_t* code, size_t size) const override {
    // Low bits 11: a 32-bit instruction; anything else: a 16-bit compressed one.
    uint64_t n = 0;
    for (size_t o = 0; o < size; o += (code[o] & 3) == 3 ? 4 : 2) ++n;
    return n;
  }

  Registers capture_registers(Machine& machine) const override {
    static constexpr const char* kNames[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                               "s0",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                               "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                               "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    Registers registers;
    for (int i = 1; i < 32; ++i) registers[kNames[i]] = machine.reg_read(UC_RISCV_REG_X0 + i);
    registers["pc"] = machine.reg_read(UC_RISCV_REG_PC);
    registers["stvec"] = machine.reg_read(UC_RISCV_REG_STVEC);  // the trap vector (Zknh probe)
    return registers;
  }

  std::string check_boot_registers(const Registers& registers,
                                   const std::vector<uint64_t>& boot_args) const override {
    // a0 = the boot hart's id, a1 = the DTB's address (Documentation/arch/riscv/boot.rst).
    const Expected expected[] = {{"a0", boot_args.size() > 0 ? boot_args[0] : 0},
                                 {"a1", boot_args.size() > 1 ? boot_args[1] : 0}};
    return first_difference(registers, expected);
  }

  std::span<const uint8_t> halt_instruction() const override { return kWfi; }

  std::optional<Stop> interrupt(Machine& machine, State& state, uint32_t intno) const override {
    // Unicorn hands exceptions to this hook instead of the CPU's trap entry. An illegal instruction
    // while the purgatory has a trap vector of its own (stvec, which it sets only around its Zknh
    // probe) goes there as the CPU in S-mode, or the SBI firmware redirecting it, would deliver it:
    // sepc = the instruction, scause = 2, stval = its bits. Without one, it is a fault as before.
    if (intno == kIllegalInstruction) {
      const uint64_t stvec = machine.reg_read(UC_RISCV_REG_STVEC);
      if (stvec == 0) return Profile::interrupt(machine, state, intno);
      const uint64_t pc = machine.reg_read(UC_RISCV_REG_PC);
      const std::vector<uint8_t> insn = machine.read(pc, 4);
      machine.reg_write(UC_RISCV_REG_SEPC, pc);
      machine.reg_write(UC_RISCV_REG_SCAUSE, kIllegalInstruction);
      machine.reg_write(UC_RISCV_REG_STVAL, uint64_t{insn[0]} | uint64_t{insn[1]} << 8 |
                                                uint64_t{insn[2]} << 16 | uint64_t{insn[3]} << 24);
      machine.reg_write(UC_RISCV_REG_PC, stvec & ~uint64_t{3});
      return std::nullopt;
    }
    if (intno != kEcallU && intno != kEcallS && intno != kEcallM)
      return Profile::interrupt(machine, state, intno);
    // The PC is already past the ecall: returning resumes the caller like an SBI firmware.
    const uint64_t eid = machine.reg_read(UC_RISCV_REG_A7);
    const uint64_t fid = machine.reg_read(UC_RISCV_REG_A6);
    const uint64_t a0 = machine.reg_read(UC_RISCV_REG_A0);
    uint64_t error = 0, value = 0;
    if (eid == kSbiSrst && fid == 0) {
      return Stop{Outcome::kReset, "sbi srst"};
    } else if (eid == kSbiDbcn && fid == kSbiDbcnWriteByte) {
      state.console_write(static_cast<uint8_t>(a0));
    } else if (eid == kSbiLegacyPutchar) {
      state.console_write(static_cast<uint8_t>(a0));
    } else if (eid == kSbiBase && fid == kSbiBaseProbe) {
      value = a0 == kSbiDbcn || a0 == kSbiSrst;
    } else {
      error = kSbiErrNotSupported;
    }
    machine.reg_write(UC_RISCV_REG_A0, error);
    if (eid != kSbiLegacyPutchar) machine.reg_write(UC_RISCV_REG_A1, value);
    return std::nullopt;
  }
};

}  // namespace
}  // namespace styx::emu

const styx::emu::Profile& styx_emu_profile_riscv64() {
  static const styx::emu::Riscv64 profile;
  return profile;
}
