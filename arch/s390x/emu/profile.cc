// SPDX-License-Identifier: GPL-2.0-only
// s390x: a big-endian CPU with DAT off in 31-bit addressing mode, as kexec's diag 0x308 reset
// leaves it. Unicorn executes diag and servc as silent no-ops, so the profile watches the
// purgatory's own `diag 0x308` (the re-IPL) and `servc` instructions: the SCLP model completes
// each call at once, prints the VT220 event text, and presents the service signal in the
// lowcore as if it had been taken.
#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "machine.h"
#include "profile.h"

namespace styx::emu {
namespace {

// PSW mask bits 31 and 32: extended and basic addressing, i.e. 64-bit mode. Unicorn resets to
// 24-bit addressing; the purgatory is entered in 31-bit mode (basic addressing only) and must
// switch to 64-bit itself.
constexpr uint64_t kPswMask64 = 0x180000000ull;
constexpr uint64_t kPswMask31 = 0x80000000ull;
constexpr uint64_t kPswWait = 1ull << 49;  // PSW bit 14
// The instruction after a disabled-wait lpswe: `lpswe 0(%r1)`.
constexpr std::array<uint8_t, 6> kLpswe = {0xeb, 0x00, 0x10, 0x00, 0x00, 0x71};

size_t insn_length(uint8_t first) {
  const unsigned top = first >> 6;
  return top == 0 ? 2 : top == 3 ? 6 : 4;
}

bool is_diag308(const uint8_t* p) {
  return p[0] == 0x83 && p[2] == 0x03 && p[3] == 0x08;
}

bool is_servc(const uint8_t* p) {
  return p[0] == 0xb2 && p[1] == 0x20 && p[2] == 0x00;
}

uint64_t get_be(const std::vector<uint8_t>& d, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = v << 8 | d.at(at + i);
  return v;
}

void put_be(std::vector<uint8_t>& d, size_t at, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i)
    d.at(at + i) = static_cast<uint8_t>(v >> (8 * (width - 1 - i)));
}

// The SCLP's answer to `servc` with `command` on the SCCB at `addr`: write event mask accepts
// and says it takes VT220 events, write event data prints the VT220 events' text.
void sclp_call(Machine& machine, State& state, uint32_t command, uint64_t addr) {
  constexpr uint32_t kWriteEventMask = 0x00780005;
  constexpr uint32_t kWriteEventData = 0x00760005;
  constexpr uint8_t kEventVt220 = 0x1a;
  const size_t length = get_be(machine.read(addr, 2), 0, 2);
  std::vector<uint8_t> sccb = machine.read(addr, std::max<size_t>(length, 8));
  uint16_t response = 0x01f0;  // invalid command
  if (command == kWriteEventMask && length >= 28) {
    put_be(sccb, 20, 1u << (32 - kEventVt220), 4);
    put_be(sccb, 24, 0, 4);
    response = 0x0020;
  } else if (command == kWriteEventData) {
    for (size_t at = 8; at + 6 <= length;) {
      const size_t event = get_be(sccb, at, 2);
      if (event < 6 || at + event > length) break;
      if (sccb[at + 2] == kEventVt220)
        for (size_t i = 6; i < event; ++i) state.console_write(sccb[at + i]);
      at += event;
    }
    response = 0x0020;
  }
  put_be(sccb, 6, response, 2);
  machine.write(addr, sccb);
  // The service signal, taken: external parameter (the SCCB) and interruption code 0x2401.
  std::vector<uint8_t> lowcore(8, 0);
  put_be(lowcore, 0, addr, 4);
  put_be(lowcore, 6, 0x2401, 2);
  machine.write(0x80, lowcore);
}

class S390x final : public Profile {
 public:
  std::string_view name() const override { return "s390x"; }
  uc_arch arch() const override { return UC_ARCH_S390X; }
  uc_mode mode() const override { return UC_MODE_BIG_ENDIAN; }
  bool big_endian() const override { return true; }

  void setup(Machine& machine, const RunInput& input, State& state) const override {
    machine.reg_write(UC_S390X_REG_PSWM, kPswMask31);
    // A wait PSW does not always stop Unicorn: it may go on at the PSW's address. The wait bit
    // in the PSW at a block start is the halt.
    machine.on_block([&machine, &state](uint64_t, uint32_t) {
      if (machine.reg_read(UC_S390X_REG_PSWM) & kPswWait)
        state.request_stop(machine, {Outcome::kFailure, "disabled wait"});
    });
    // Hook only the purgatory's own diag 0x308 and servc instructions: a per-instruction hook
    // everywhere would cost more than the run.
    for (const Chunk& chunk : input.chunks) {
      if (input.start < chunk.addr || input.start >= chunk.addr + chunk.bytes.size()) continue;
      for (size_t o = 0; o + 4 <= chunk.bytes.size(); o += 2) {
        const uint64_t at = chunk.addr + o;
        if (is_servc(&chunk.bytes[o])) {
          const uint8_t regs = chunk.bytes[o + 3];
          machine.on_code(
              [&machine, &state, regs](uint64_t, uint32_t) {
                const uint64_t command = machine.reg_read(UC_S390X_REG_R0 + (regs >> 4));
                const uint64_t sccb = machine.reg_read(UC_S390X_REG_R0 + (regs & 0xf));
                sclp_call(machine, state, static_cast<uint32_t>(command), sccb & 0x7ffffff8);
              },
              at, at);
          continue;
        }
        if (!is_diag308(&chunk.bytes[o])) continue;
        machine.on_code(
            [&machine, &state, at](uint64_t, uint32_t) {
              const std::vector<uint8_t> insn = machine.read(at, 4);
              const uint64_t subcode = machine.reg_read(UC_S390X_REG_R0 + (insn[1] & 0xf));
              if (subcode == 1 || subcode == 3)
                state.request_stop(machine, {Outcome::kReset, "diag 308"});
            },
            at, at);
      }
    }
  }

  uint64_t pc(Machine& machine) const override { return machine.reg_read(UC_S390X_REG_PC); }

  uint64_t count_instructions(const uint8_t* code, size_t size) const override {
    uint64_t n = 0;
    for (size_t o = 0; o < size; o += insn_length(code[o])) ++n;
    return n;
  }

  Registers capture_registers(Machine& machine) const override {
    Registers registers;
    for (int i = 0; i <= 15; ++i) {
      registers["r" + std::to_string(i)] = machine.reg_read(UC_S390X_REG_R0 + i);
    }
    registers["pc"] = machine.reg_read(UC_S390X_REG_PC);
    registers["pswm"] = machine.reg_read(UC_S390X_REG_PSWM);
    return registers;
  }

  std::string check_boot_registers(const Registers& registers,
                                   const std::vector<uint64_t>& boot_args) const override {
    // r2 = the boot data, every other general register zero, the PSW in 64-bit mode with DAT
    // and interrupts off.
    static const std::array<std::string, 16> names = [] {
      std::array<std::string, 16> n;
      for (int i = 0; i < 16; ++i) n[i] = "r" + std::to_string(i);
      return n;
    }();
    std::vector<Expected> expected;
    for (int i = 0; i < 16; ++i) {
      expected.push_back({names[i], i == 2 && !boot_args.empty() ? boot_args[0] : 0});
    }
    expected.push_back({"pswm", kPswMask64});
    return first_difference(registers, expected);
  }

  std::span<const uint8_t> halt_instruction() const override { return kLpswe; }

  std::optional<Stop> interrupt(Machine& machine, State& state, uint32_t intno) const override {
    // Unicorn 2.0.1 reports a wait PSW as QEMU's EXCP_HLT with the PSW still on the lpswe, and
    // re-executes it for as long as the hook lets it.
    constexpr uint32_t kExcpHlt = 3;
    if (intno == kExcpHlt) {
      try {
        const std::vector<uint8_t> insn = machine.read(pc(machine), kLpswe.size());
        if (std::equal(kLpswe.begin(), kLpswe.end(), insn.begin()))
          return Stop{Outcome::kFailure, "disabled wait"};
      } catch (const std::runtime_error&) {
      }
    }
    return Profile::interrupt(machine, state, intno);
  }
};

}  // namespace
}  // namespace styx::emu

const styx::emu::Profile& styx_emu_profile_s390x() {
  static const styx::emu::S390x profile;
  return profile;
}
