// SPDX-License-Identifier: GPL-2.0-only
// x86_64: 64-bit long mode as kexec leaves it, 16550s on I/O ports (and one on MMIO if the
// purgatory was told so), reset through port 0xCF9, Linux 64-bit boot protocol.
#include <array>
#include <map>
#include <memory>

#include <Zydis/Zydis.h>

#include "devices.h"
#include "hex.h"
#include "machine.h"
#include "profile.h"

namespace styx::emu {
namespace {

constexpr uint16_t kDefaultConsolePort = 0x3f8;
constexpr uint32_t kResetControlPort = 0xcf9;
constexpr uint32_t kResetControlRequest = 0x04;  // RST_CPU: perform the reset selected by bit 1
constexpr std::array<uint8_t, 1> kHlt = {0xf4};

struct Reg {
  const char* name;
  int id;
};

constexpr Reg kRegisters[] = {
    {"rax", UC_X86_REG_RAX}, {"rbx", UC_X86_REG_RBX}, {"rcx", UC_X86_REG_RCX},
    {"rdx", UC_X86_REG_RDX}, {"rsi", UC_X86_REG_RSI}, {"rdi", UC_X86_REG_RDI},
    {"rbp", UC_X86_REG_RBP}, {"rsp", UC_X86_REG_RSP}, {"r8", UC_X86_REG_R8},
    {"r9", UC_X86_REG_R9},   {"r10", UC_X86_REG_R10}, {"r11", UC_X86_REG_R11},
    {"r12", UC_X86_REG_R12}, {"r13", UC_X86_REG_R13}, {"r14", UC_X86_REG_R14},
    {"r15", UC_X86_REG_R15}, {"rip", UC_X86_REG_RIP}, {"cr0", UC_X86_REG_CR0},
    {"cr4", UC_X86_REG_CR4},
};

// Control register bits kexec's relocate_kernel sets or clears before it jumps to the purgatory:
// CR0 without EM and TS, CR4 = PAE only. So SSE is off (OSFXSR clear) until the purgatory turns it
// on, and the emulator faults every SSE instruction, as the CPU would.
constexpr uint64_t kCr0Em = 1u << 2, kCr0Ts = 1u << 3;
constexpr uint64_t kCr4Pae = 1u << 5;

// Registers the boot protocol wants zero at the kernel's entry, as the purgatory's own hand-off
// leaves them: all but rsi (boot_params) and rsp (the kernel sets up its own stack).
constexpr const char* kZeroAtEntry[] = {"rax", "rbx", "rcx", "rdx", "rdi", "rbp", "r8",
                                        "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

// What sits on the I/O ports: 16550s by base port, and the reset control register.
class PortBus {
 public:
  PortBus(Machine& machine, State& state) : machine_(machine), state_(state) {}
  void add_uart(uint16_t base) { uarts_.try_emplace(base, state_); }

  uint32_t in(uint32_t port, int size) {
    unsigned reg;
    if (Uart16550* uart = find(port, reg)) return uart->read(reg);
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;  // nothing there: a floating bus
  }

  void out(uint32_t port, uint32_t value) {
    unsigned reg;
    if (port == kResetControlPort && (value & kResetControlRequest)) {
      state_.request_stop(machine_, {Outcome::kReset, "port 0xcf9"});
    } else if (Uart16550* uart = find(port, reg)) {
      uart->write(reg, static_cast<uint8_t>(value));
    }
  }

 private:
  Uart16550* find(uint32_t port, unsigned& reg) {
    for (auto& [base, uart] : uarts_) {
      if (port >= base && port < base + 8u) {
        reg = port - base;
        return &uart;
      }
    }
    return nullptr;
  }

  Machine& machine_;
  State& state_;
  std::map<uint16_t, Uart16550> uarts_;
};

class X86_64 final : public Profile {
 public:
  X86_64() {
    ZydisDecoderInit(&decoder_, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    // Only lengths are needed.
    ZydisDecoderEnableMode(&decoder_, ZYDIS_DECODER_MODE_MINIMAL, ZYAN_TRUE);
  }

  std::string_view name() const override { return "x86_64"; }
  uc_arch arch() const override { return UC_ARCH_X86; }
  uc_mode mode() const override { return UC_MODE_64; }

  void setup(Machine& machine, const RunInput& input, State& state) const override {
    // Unicorn's UC_MODE_64 reset state is flat 64-bit long mode at CPL 0, which is what kexec
    // leaves; only the control registers need kexec's values.
    machine.reg_write(UC_X86_REG_CR0, machine.reg_read(UC_X86_REG_CR0) & ~(kCr0Em | kCr0Ts));
    machine.reg_write(UC_X86_REG_CR4, kCr4Pae);
    auto ports = std::make_shared<PortBus>(machine, state);
    // The purgatory falls back to the default console when its hand-off block is unusable.
    ports->add_uart(kDefaultConsolePort);
    const uint64_t base = input.console.base;
    switch (static_cast<ConsoleKind>(input.console.kind)) {
      case ConsoleKind::kUart8250Io: ports->add_uart(static_cast<uint16_t>(base)); break;
      case ConsoleKind::kUart8250Mmio: map_uart16550(machine, state, base, 1); break;
      case ConsoleKind::kUart8250Mmio32: map_uart16550(machine, state, base, 4); break;
      default: break;  // none, or another ISA's kind: the host refuses those
    }
    machine.on_port_in(UC_X86_INS_IN,
                       [ports](uint32_t port, int size) { return ports->in(port, size); });
    machine.on_port_out(UC_X86_INS_OUT,
                        [ports](uint32_t port, int, uint32_t value) { ports->out(port, value); });
  }

  uint64_t pc(Machine& machine) const override { return machine.reg_read(UC_X86_REG_RIP); }

  uint64_t count_instructions(const uint8_t* code, size_t size) const override {
    uint64_t count = 0;
    ZydisDecodedInstruction instruction;
    for (size_t offset = 0; offset < size; ++count) {
      if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&decoder_, nullptr, code + offset,
                                                    size - offset, &instruction))) {
        return count + 1;  // Unicorn ended the block at an instruction it could not decode either
      }
      offset += instruction.length;
    }
    return count;
  }

  Registers capture_registers(Machine& machine) const override {
    Registers registers;
    for (const Reg& reg : kRegisters) registers[reg.name] = machine.reg_read(reg.id);
    // The IDT base: the SHA-NI routine's trial runs under an IDT of its own, then puts this back.
    uc_x86_mmr idtr{};
    check(uc_reg_read(machine.engine(), UC_X86_REG_IDTR, &idtr), "uc_reg_read idtr");
    registers["idtr_base"] = idtr.base;
    return registers;
  }

  std::string check_boot_registers(const Registers& registers,
                                   const std::vector<uint64_t>& boot_args) const override {
    std::vector<Expected> expected = {{"rsi", boot_args.empty() ? 0 : boot_args[0]}};
    for (const char* name : kZeroAtEntry) expected.push_back({name, 0});
    return first_difference(registers, expected);
  }

  std::span<const uint8_t> halt_instruction() const override { return kHlt; }

 private:
  ZydisDecoder decoder_;
};

}  // namespace
}  // namespace styx::emu

const styx::emu::Profile& styx_emu_profile_x86_64() {
  static const styx::emu::X86_64 profile;
  return profile;
}
