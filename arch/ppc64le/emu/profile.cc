// SPDX-License-Identifier: GPL-2.0-only
// ppc64le: 64-bit hypervisor real mode, little-endian, as kexec leaves a powernv machine; the PAPR
// hypervisor console and RTAS reboot are served as hypercalls, a 16550 on MMIO if asked for.
#include <array>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices.h"
#include "hex.h"
#include "machine.h"
#include "profile.h"

namespace styx::emu {
namespace {

constexpr uint64_t kMsrSf = 1ull << 63, kMsrHv = 1ull << 60, kMsrMe = 1ull << 12,
                   kMsrRi = 1ull << 1, kMsrLe = 1ull << 0;
constexpr uint32_t kExcpSyscall = 8;  // QEMU's POWERPC_EXCP_SYSCALL, for `sc` and `sc 1`
constexpr uint32_t kScLev1 = 0x44000022;
constexpr uint64_t kHPutTermChar = 0x58;
constexpr uint64_t kKvmppcHRtas = 0xf000;
constexpr uint32_t kRtasSystemReboot = 0x2004;
constexpr uint64_t kHSuccess = 0, kHParameter = static_cast<uint64_t>(-4);
// The purgatory halts with `or 1,1,1` then `wait`. Unicorn 2.0.1 stops at the `wait` with the PC
// still on it, so the instruction just before the PC, the priority hint, is what marks a halt.
constexpr std::array<uint8_t, 4> kOr111 = {0x78, 0x0b, 0x21, 0x7c};  // 0x7c210b78

uint32_t read_u32(Machine& machine, uint64_t address, bool big_endian) {
  try {
    const std::vector<uint8_t> b = machine.read(address, 4);
    return big_endian ? uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3]
                      : uint32_t{b[3]} << 24 | uint32_t{b[2]} << 16 | uint32_t{b[1]} << 8 | b[0];
  } catch (const std::runtime_error&) {
    return 0;
  }
}

struct ContextDeleter {
  void operator()(uc_context* c) const { uc_context_free(c); }
};
using Context = std::unique_ptr<uc_context, ContextDeleter>;

Context save_context(Machine& machine) {
  uc_context* raw = nullptr;
  check(uc_context_alloc(machine.engine(), &raw), "uc_context_alloc");
  Context context(raw);
  check(uc_context_save(machine.engine(), raw), "uc_context_save");
  return context;
}

// Unicorn 2.0.1 resets a ppc64 CPU with MSR[HV] clear, refuses to set it through uc_reg_write,
// and in that state its POWER10 model cannot fetch in real mode; choosing another CPU model does
// not help because its cpu-model control indexes the 32-bit table (unicorn-engine/unicorn#1591,
// fixed upstream after 2.0.1 by #2308 and #2340). So set HV in a saved copy of the CPU state:
// the MSR is found as the one word that follows two different uc_reg_write values.
void enter_hypervisor_mode(Machine& machine) {
  const uint64_t a = kMsrSf | kMsrMe, b = kMsrSf | kMsrMe | kMsrRi;
  machine.reg_write(UC_PPC_REG_MSR, a);
  const Context ca = save_context(machine);
  machine.reg_write(UC_PPC_REG_MSR, b);
  const Context cb = save_context(machine);
  const size_t size = uc_context_size(machine.engine());
  const auto* pa = reinterpret_cast<const uint8_t*>(ca.get());
  auto* pb = reinterpret_cast<uint8_t*>(cb.get());
  size_t found = 0, at = 0;
  for (size_t o = 0; o + 8 <= size; o += 8) {
    uint64_t va, vb;
    std::memcpy(&va, pa + o, 8);
    std::memcpy(&vb, pb + o, 8);
    if (va == a && vb == b) ++found, at = o;
  }
  if (found != 1)
    throw std::runtime_error("ppc64le: cannot locate MSR in Unicorn's CPU context (found " +
                             std::to_string(found) + ")");
  const uint64_t hv = b | kMsrHv;
  std::memcpy(pb + at, &hv, 8);
  check(uc_context_restore(machine.engine(), cb.get()), "uc_context_restore");
  // Written through the API so QEMU recomputes its cached flags from the patched HV bit.
  machine.reg_write(UC_PPC_REG_MSR, hv | kMsrLe);
  if ((machine.reg_read(UC_PPC_REG_MSR) & (kMsrHv | kMsrLe)) != (kMsrHv | kMsrLe))
    throw std::runtime_error("ppc64le: could not enter little-endian hypervisor real mode");
}

// `mftb rD` as mfspr rD,268 and in its own encoding, rD masked out (and the record bit, unused).
constexpr uint32_t kMftbMask = 0xfc1ffffe, kMfsprTb = 0x7c0c42a6, kMftb = 0x7c0c42e6;
// What every POWER8 to POWER11 runs the time base at, and what qemu's pseries says.
constexpr uint64_t kTimebaseHz = 512'000'000;

class Ppc64le final : public Profile {
 public:
  std::string_view name() const override { return "ppc64le"; }
  uc_arch arch() const override { return UC_ARCH_PPC; }
  // Unicorn 2.0.1 refuses PPC64|LITTLE_ENDIAN; the byte order comes from MSR[LE] instead.
  uc_mode mode() const override { return static_cast<uc_mode>(UC_MODE_PPC64 | UC_MODE_BIG_ENDIAN); }

  void setup(Machine& machine, const RunInput& input, State& state) const override {
    enter_hypervisor_mode(machine);
    // Unicorn 2.0.1 creates no time base (QEMU's machine code does), so an mftb would crash the
    // host process: the emulated machine's time base runs on the host's clock instead.
    serve_counter_reads(machine, input, 4, kTimebaseHz, UC_PPC_REG_PC, [](uint32_t insn) {
      const uint32_t op = insn & kMftbMask;
      return op == kMfsprTb || op == kMftb ? UC_PPC_REG_0 + static_cast<int>(insn >> 21 & 31) : -1;
    });
    if (static_cast<ConsoleKind>(input.console.kind) == ConsoleKind::kUart8250Mmio)
      map_uart16550(machine, state, input.console.base, 1);
  }

  uint64_t pc(Machine& machine) const override { return machine.reg_read(UC_PPC_REG_PC); }

  uint64_t count_instructions(const uint8_t*, size_t size) const override { return size / 4; }

  Registers capture_registers(Machine& machine) const override {
    Registers registers;
    for (int i = 0; i <= 31; ++i)
      registers["r" + std::to_string(i)] = machine.reg_read(UC_PPC_REG_0 + i);
    registers["pc"] = machine.reg_read(UC_PPC_REG_PC);
    registers["lr"] = machine.reg_read(UC_PPC_REG_LR);
    registers["msr"] = machine.reg_read(UC_PPC_REG_MSR);
    return registers;
  }

  std::string check_boot_registers(const Registers& registers,
                                   const std::vector<uint64_t>& boot_args) const override {
    // r3 = the device tree, r4 = the kernel's base, r5 = 0 (no OF client interface), entered in
    // 64-bit little-endian real mode (arch/powerpc/kernel/head_64.S, kexec's purgatory).
    const auto arg = [&](size_t i) { return i < boot_args.size() ? boot_args[i] : 0; };
    const Expected expected[] = {{"r3", arg(0)}, {"r4", arg(1)}, {"r5", 0}};
    const std::string difference = first_difference(registers, expected);
    if (!difference.empty()) return difference;
    const auto msr = registers.find("msr");
    constexpr uint64_t kIrDr = 0x30;
    if (msr != registers.end() && ((msr->second & (kMsrSf | kMsrLe | kIrDr)) != (kMsrSf | kMsrLe)))
      return "msr = " + hex(msr->second) + ", expected 64-bit little-endian real mode";
    return "";
  }

  std::span<const uint8_t> halt_instruction() const override { return kOr111; }

  std::optional<Stop> interrupt(Machine& machine, State& state, uint32_t intno) const override {
    if (intno == kExcpSyscall && is_hypercall(machine) &&
        machine.reg_read(UC_PPC_REG_3) == kHPutTermChar)
      return put_term_char(machine, state);
    if (intno == kExcpSyscall && is_hypercall(machine) &&
        machine.reg_read(UC_PPC_REG_3) == kKvmppcHRtas &&
        read_u32(machine, machine.reg_read(UC_PPC_REG_4), true) == kRtasSystemReboot)
      return Stop{Outcome::kReset, "pseries rtas"};
    return Profile::interrupt(machine, state, intno);
  }

 private:
  // H_PUT_TERM_CHAR: served as the hypervisor would, and the run goes on.
  std::optional<Stop> put_term_char(Machine& machine, State& state) const {
    // r6:r7 hold the bytes big-endian; r5 counts them.
    const uint64_t len = machine.reg_read(UC_PPC_REG_5);
    if (len > 16) {
      machine.reg_write(UC_PPC_REG_3, kHParameter);
      return std::nullopt;
    }
    const uint64_t words[2] = {machine.reg_read(UC_PPC_REG_6), machine.reg_read(UC_PPC_REG_7)};
    for (uint64_t i = 0; i < len; ++i)
      state.console_write(static_cast<uint8_t>(words[i / 8] >> (56 - 8 * (i % 8))));
    machine.reg_write(UC_PPC_REG_3, kHSuccess);
    return std::nullopt;
  }

  // `sc 1` traps with the PC past it; `sc` (a system call to the old kernel) is not a hypercall.
  bool is_hypercall(Machine& machine) const {
    return read_u32(machine, pc(machine) - 4, false) == kScLev1;
  }
};

}  // namespace
}  // namespace styx::emu

const styx::emu::Profile& styx_emu_profile_ppc64le() {
  static const styx::emu::Ppc64le profile;
  return profile;
}
